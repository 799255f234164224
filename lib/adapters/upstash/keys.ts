import { ID_PATTERN } from '../../contracts/common.js';

/**
 * Every Redis key of the service is built here. Tenant data lives under `am:{<storeId>}:`; the
 * braces are a Redis Cluster hash tag, so all of one store's keys share a slot and multi-key
 * scripts stay legal on clustered deployments. Ids are validated before they become key parts, so
 * no caller-supplied text can reach into another store's keyspace.
 *
 * System keys (`am:_sys:…`) hold the store and API-key registries; `_` cannot appear in a store id.
 *
 * Some scripts build owner- and session-scoped keys from a store prefix themselves; they do it only
 * through scripts/includes/keys.lua, one Lua function per builder here, and
 * test/integration/lua-key-shapes.test.ts checks that both give the same keys.
 */

const ROOT = 'am';

function part(id: string, what: string): string {
  if (!ID_PATTERN.test(id) || id.length > 64)
    throw new Error(`refusing to build a key from an invalid ${what}`);
  return id;
}

export type SessionIndexSort = 'created' | 'updated' | 'lex';

/** Key prefix of one store (tenant). Scripts receive it to derive owner-scoped keys. */
export function storePrefix(storeId: string): string {
  return `${ROOT}:{${part(storeId, 'store id')}}:`;
}

export const storeKeys = {
  /** Hash: the store's configuration (scalar fields scripts read, plus the full JSON). */
  config: (storeId: string) => `${storePrefix(storeId)}config`,
  /** Sorted set of session ids, scored by expiry time (ms), for lazy clean-up of the indexes. */
  sessionExpiry: (storeId: string) => `${storePrefix(storeId)}sessions:expiry`,
  /** Hash: session id -> owner id, so clean-up can find owner indexes after the session expired. */
  sessionOwners: (storeId: string) => `${storePrefix(storeId)}sessions:owners`,
  /** Sorted set of session ids across all owners: by creation, by last update, or lexically. */
  sessionIndex: (storeId: string, sort: SessionIndexSort) => `${storePrefix(storeId)}sessions:by-${sort}`,
  /** Same, for one owner. Scripts build this shape from the prefix (scripts/includes/keys.lua). */
  ownerSessionIndex: (storeId: string, ownerId: string, sort: SessionIndexSort) =>
    `${storePrefix(storeId)}owner:${part(ownerId, 'owner id')}:sessions:by-${sort}`,
  /** Sorted set: session id -> time its promotion job is due (one pending job per session). */
  promotionDue: (storeId: string) => `${storePrefix(storeId)}promotion:due`,
  /**
   * Hash: what the store holds against its quotas (`events`, `bytes`; sessions and records are
   * counted by their indexes). Written only by the scripts that write the data it counts.
   */
  usage: (storeId: string) => `${storePrefix(storeId)}usage`,
  /**
   * Hash: `<sessionId>:events` and `<sessionId>:bytes`, what each session adds to `usage`, kept
   * outside the session's expiring keys so an expired session's share can still be given back.
   */
  sessionUsage: (storeId: string) => `${storePrefix(storeId)}sessions:usage`,
  /**
   * String: the record of one `Idempotency-Key` of one operation (a claim, then the answer), with
   * an expiry. The key text is any visible ASCII, braces included, so it enters as its SHA-256.
   */
  idempotency: (storeId: string, operation: 'ltm-create', keyHash: string) =>
    `${storePrefix(storeId)}idempotency:${operation}:${checked(keyHash, /^[0-9a-f]{64}$/, 'idempotency key hash')}`,
  /** String: model tokens promotion spent for this store on one UTC day (`YYYY-MM-DD`), with an expiry. */
  extractionTokens: (storeId: string, day: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error('refusing to build a key from an invalid day');
    return `${storePrefix(storeId)}promotion:tokens:${day}`;
  },
};

export const sessionKeys = {
  /** Hash: ownerId, namespace, createdAt, updatedAt (ms). */
  meta: (storeId: string, sessionId: string) => `${sessionPrefix(storeId, sessionId)}meta`,
  /** Hash: eventId -> event JSON. */
  events: (storeId: string, sessionId: string) => `${sessionPrefix(storeId, sessionId)}events`,
  /** Sorted set: eventId scored by the event's createdAt (ms); ties fall back to the id, which is time-ordered. */
  order: (storeId: string, sessionId: string) => `${sessionPrefix(storeId, sessionId)}order`,
  /** Hash: what the promotion consumer has seen of this session (watermark, counters, last error). */
  promotion: (storeId: string, sessionId: string) => `${sessionPrefix(storeId, sessionId)}promotion`,
  /** Hash: first event id -> JSON of a parked range (a batch the model could not extract). */
  promotionParked: (storeId: string, sessionId: string) =>
    `${sessionPrefix(storeId, sessionId)}promotion-parked`,
  /** String: the promotion lock (holder token, with a TTL). */
  promotionLock: (storeId: string, sessionId: string) => `${sessionPrefix(storeId, sessionId)}promotion-lock`,
};

function sessionPrefix(storeId: string, sessionId: string): string {
  return `${storePrefix(storeId)}session:${part(sessionId, 'session id')}:`;
}

export const systemKeys = {
  /** Set of store ids (for sweeps that visit every store). */
  stores: () => `${ROOT}:_sys:stores`,
  /** String: API key record, addressed by the SHA-256 of the key (the key itself is never stored). */
  apiKey: (keyHash: string) => `${ROOT}:_sys:api-key:${checked(keyHash, /^[0-9a-f]{64}$/, 'key hash')}`,
  /** String: the key hash of a key id, so operators can address a key by its id. */
  apiKeyHash: (keyId: string) => `${ROOT}:_sys:api-key-id:${checked(keyId, /^[0-9a-f]{32}$/, 'key id')}`,
  /** Sorted set of key ids, all scored 0: listing pages in id order. */
  apiKeyIds: () => `${ROOT}:_sys:api-keys`,
  /** Sorted set: key id -> expiry (unix s) of keys that expire (rotated or minted with an expiry). */
  apiKeyExpiry: () => `${ROOT}:_sys:api-keys:expiry`,
  /** Set of API Gateway key ids whose removal failed and is retried by the sweeper. */
  orphanedGatewayKeys: () => `${ROOT}:_sys:gateway-keys:orphaned`,
  /**
   * String: an erasure job (owner erase or store deletion) as JSON. Outside the store's keyspace so
   * a store deletion's own status survives the deletion (docs/decisions/0017-erase-export-import.md).
   */
  erasureJob: (jobId: string) => `${ROOT}:_sys:erasure:${checked(jobId, /^[0-9a-f]{32}$/, 'job id')}`,
  /** String: the lease of the runner working on a job (holder token, with a TTL). */
  erasureLease: (jobId: string) => `${ROOT}:_sys:erasure-lease:${checked(jobId, /^[0-9a-f]{32}$/, 'job id')}`,
  /** Sorted set: job id -> creation time (ms) of every unfinished erasure job, for the sweeper. */
  pendingErasures: () => `${ROOT}:_sys:erasures:pending`,
};

function checked(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new Error(`refusing to build a key from an invalid ${what}`);
  return value;
}

/** Long-term memory records and their listing indexes. */
export const memoryKeys = {
  /** String: the record as JSON. */
  record: (storeId: string, memoryId: string) =>
    `${storePrefix(storeId)}ltm:record:${part(memoryId, 'memory id')}`,
  /** Sorted set: memory id -> createdAt (ms), all owners (filter-only listing in record order). */
  byCreated: (storeId: string) => `${storePrefix(storeId)}ltm:by-created`,
  /** Same, one owner. */
  ownerByCreated: (storeId: string, ownerId: string) =>
    `${storePrefix(storeId)}ltm:owner:${part(ownerId, 'owner id')}:by-created`,
  /** Sorted set: memory id -> expiry time (ms), for the long-term TTL sweep. */
  expiry: (storeId: string) => `${storePrefix(storeId)}ltm:expiry`,
  /** Sorted set: memory id -> last time it was read or returned by a search (ms). */
  accessed: (storeId: string) => `${storePrefix(storeId)}ltm:accessed`,
  /** Set: the index partitions (`owner:namespace`) that hold this store's memories. */
  partitions: (storeId: string) => `${storePrefix(storeId)}ltm:partitions`,
  /**
   * Hash: partition tag -> live records in it, and `*` once the counts are complete (scripts
   * derive this key from the prefix: see scripts/includes/partitions.lua).
   */
  partitionCounts: (storeId: string) => `${storePrefix(storeId)}ltm:partition-counts`,
};

/**
 * Namespaces as resources (docs/decisions/0014-namespaces-and-move.md). Scripts build these from the
 * prefix (scripts/includes/keys.lua), since they walk from a namespace to its parent by id.
 */
export const namespaceKeys = {
  /** Hash: name, scope, ownerId ('' none), parentId ('' for a root), state, createdAt, updatedAt. */
  namespace: (storeId: string, namespaceId: string) =>
    `${storePrefix(storeId)}ns:${part(namespaceId, 'namespace id')}`,
  /**
   * Set: `m:<memoryId>` and `s:<sessionId>` ever filed under the namespace; checked against the
   * records and sessions when a delete asks whether the namespace is empty, so nothing else keeps it.
   */
  members: (storeId: string, namespaceId: string) =>
    `${storePrefix(storeId)}ns:${part(namespaceId, 'namespace id')}:members`,
  /** Sorted set, all scored 0: `<name>/<id>` of each child, so a page lists by name and a name is found by range. */
  children: (storeId: string, namespaceId: string) =>
    `${storePrefix(storeId)}ns:${part(namespaceId, 'namespace id')}:children`,
  /** Same, for the roots of one owner's PERSONAL namespaces. */
  personalRoots: (storeId: string, ownerId: string) =>
    `${storePrefix(storeId)}ns-roots:personal:${part(ownerId, 'owner id')}`,
  /** Same, for the SHARED roots. */
  sharedRoots: (storeId: string) => `${storePrefix(storeId)}ns-roots:shared`,
};

/**
 * Document ingestion (docs/decisions/0021-document-ingestion.md): extractors, and per document its
 * record, its text (kept for the pipeline's redeliveries and for provenance spans) and the result of
 * each chunk. All inside the store's keyspace, so deleting the store flushes them.
 */
export const documentKeys = {
  /** Hash: extractor id -> extractor JSON. */
  extractors: (storeId: string) => `${storePrefix(storeId)}extractors`,
  /** String: the document's record JSON (status, chunk spans, metadata). */
  record: (storeId: string, documentId: string) => `${documentPrefix(storeId, documentId)}record`,
  /** String: the submitted text. */
  text: (storeId: string, documentId: string) => `${documentPrefix(storeId, documentId)}text`,
  /** Hash: chunk index -> chunk result JSON (memories written, tokens, error). */
  chunks: (storeId: string, documentId: string) => `${documentPrefix(storeId, documentId)}chunks`,
};

function documentPrefix(storeId: string, documentId: string): string {
  return `${storePrefix(storeId)}doc:${checked(documentId, /^d[0-9a-f]{31}$/, 'document id')}:`;
}

/**
 * An index partition: one owner in one namespace (lower-cased, since namespace filters are
 * case-insensitive; `_` for none, which no namespace id can be).
 */
export interface IndexPartition {
  readonly storeId: string;
  readonly ownerId: string;
  readonly namespace: string | undefined;
}

export function partitionTag(partition: IndexPartition): string {
  const namespace =
    partition.namespace === undefined ? '_' : part(partition.namespace.toLowerCase(), 'namespace');
  return `${part(partition.ownerId, 'owner id')}:${namespace}`;
}

export const indexKeys = {
  /** Upstash vector index (a vector set on Redis 8) of one partition. */
  vector: (partition: IndexPartition) => `${storePrefix(partition.storeId)}vec:${partitionTag(partition)}`,
  /** Hash: the embedding model (id, dimensions) every vector of this store was made with. */
  vectorModel: (storeId: string) => `${storePrefix(storeId)}vector-model`,
  /** Keyword index of one partition: everything under this prefix (terms, document lengths, stats). */
  keywordPrefix: (partition: IndexPartition) =>
    `${storePrefix(partition.storeId)}kw:${partitionTag(partition)}:`,
};

/**
 * Keys inside one keyword index partition's prefix (`indexKeys.keywordPrefix`); the scripts derive
 * `t:<term>` from `termPrefix`, which they receive.
 */
export const keywordKeys = {
  /** Hash: document id -> `"<length> <term> <term> ..."`. */
  docs: (prefix: string) => `${prefix}docs`,
  /** Hash: `n` documents, `len` total length, `scheme` of the postings. */
  stats: (prefix: string) => `${prefix}stats`,
  /** Followed by a term: the term's postings, a sorted set of document ids. */
  termPrefix: (prefix: string) => `${prefix}t:`,
};

const PARTITION_ID = /^[a-f0-9]{32}$/;

/**
 * Summary views (decision record 0020). Per-partition keys share the view's prefix, which
 * delete-summary-view.lua receives to remove them: `view:<viewId>:<what>:<partitionId>`.
 */
export const viewKeys = {
  /** Hash: view id -> the view's JSON. */
  views: (storeId: string) => `${storePrefix(storeId)}views`,
  /** Hash: view id -> when maintenance last reconciled it (ms). */
  reconciled: (storeId: string) => `${storePrefix(storeId)}views:reconciled`,
  /** The prefix of one view's keys (scripts derive the per-partition keys from it). */
  prefix: (storeId: string, viewId: string) => `${storePrefix(storeId)}view:${part(viewId, 'view id')}:`,
  /** Hash: partition id -> the partition's JSON (group values, state, result). */
  partitions: (storeId: string, viewId: string) => `${viewKeys.prefix(storeId, viewId)}parts`,
  /** Set: ids of memories changed in the partition since its result (`*`: too many, read it all). */
  changed: (storeId: string, viewId: string, partitionId: string) =>
    `${viewKeys.prefix(storeId, viewId)}changed:${checked(partitionId, PARTITION_ID, 'partition id')}`,
  /** Sorted set: the memory ids the result covers, scored by their createdAt (ms). */
  covered: (storeId: string, viewId: string, partitionId: string) =>
    `${viewKeys.prefix(storeId, viewId)}covered:${checked(partitionId, PARTITION_ID, 'partition id')}`,
  /** String with an expiry: a debounced refresh of the partition is queued (the debounce's latch). */
  scheduled: (storeId: string, viewId: string, partitionId: string) =>
    `${viewKeys.prefix(storeId, viewId)}sched:${checked(partitionId, PARTITION_ID, 'partition id')}`,
};

/**
 * Field of the store's configuration hash (`storeKeys.config`) set while one owner is being erased:
 * the write scripts that already read the configuration refuse that owner's writes (409) without
 * another round trip. Scripts build it with `erasing_field` (scripts/includes/keys.lua).
 */
export function erasingOwnerField(ownerId: string): string {
  return `erasing:${part(ownerId, 'owner id')}`;
}

/**
 * What an erasure deletes, by key family: the one place the erasure job learns key shapes
 * (lib/adapters/upstash/upstash-erasure.ts walks these). A new key family must be registered here,
 * in the list its scope belongs to, or an erase leaves it behind (test/e2e/erasure.test.ts scans the
 * whole keyspace for the erased owner's marker and fails on any leftover):
 * - per session (`sessionKeys.*`): added automatically, every builder of `sessionKeys` is erased;
 * - per owner, a key whose name holds the owner id: `ownerScopedKeys`;
 * - per index partition (one owner in one namespace): `partitionScopedKeys` (keyword terms are
 *   found from the partition's documents hash);
 * - store-wide keys holding members of many owners (sorted sets, hashes, sets keyed by session or
 *   memory id): the delete-session / delete-records scripts remove an owner's members; a new one
 *   must be cleaned there, and listed in `storeScopedKeys` so a store deletion removes it.
 */
export const erasureKeys = {
  /** Every key of one session, whatever its family. */
  session: (storeId: string, sessionId: string): string[] =>
    Object.values(sessionKeys).map((key) => key(storeId, sessionId)),
  /** Keys whose name holds the owner id (besides partitions and sessions). */
  ownerScopedKeys: (storeId: string, ownerId: string): string[] => [
    ...SESSION_SORTS.map((sort) => storeKeys.ownerSessionIndex(storeId, ownerId, sort)),
    memoryKeys.ownerByCreated(storeId, ownerId),
  ],
  /** The keys of one index partition, besides its keyword term keys. */
  partitionScopedKeys: (partition: IndexPartition): string[] => {
    const keyword = indexKeys.keywordPrefix(partition);
    return [indexKeys.vector(partition), keywordKeys.docs(keyword), keywordKeys.stats(keyword)];
  },
  /**
   * Store-wide keys, deleted last by a store deletion (after the sessions, records and partitions
   * they index). `days` are the UTC days whose extraction-token counters may still exist.
   */
  storeScopedKeys: (storeId: string, days: readonly string[]): string[] => [
    storeKeys.config(storeId),
    storeKeys.sessionExpiry(storeId),
    storeKeys.sessionOwners(storeId),
    ...SESSION_SORTS.map((sort) => storeKeys.sessionIndex(storeId, sort)),
    storeKeys.promotionDue(storeId),
    storeKeys.usage(storeId),
    storeKeys.sessionUsage(storeId),
    ...days.map((day) => storeKeys.extractionTokens(storeId, day)),
    memoryKeys.byCreated(storeId),
    memoryKeys.expiry(storeId),
    memoryKeys.accessed(storeId),
    memoryKeys.partitions(storeId),
    memoryKeys.partitionCounts(storeId),
    indexKeys.vectorModel(storeId),
  ],
};

/** Every session index sort, as the scripts list them (includes/sessions.lua `SESSION_SORTS`). */
export const SESSION_SORTS: readonly SessionIndexSort[] = ['created', 'updated', 'lex'];
