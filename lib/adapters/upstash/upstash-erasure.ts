import type { Redis } from '@upstash/redis';
import * as z from 'zod';
import type { ErasurePhase } from '../../contracts/erasure.js';
import type { DataEraser, ErasureScope, ErasureStep } from '../../ports/erasure.js';
import {
  erasingOwnerField,
  erasureKeys,
  indexKeys,
  keywordKeys,
  memoryKeys,
  SESSION_SORTS,
  storeKeys,
  storePrefix,
} from './keys.js';
import { redisCall } from './redis-call.js';
import { BEGIN_ERASE, DELETE_RECORDS, ERASE_SESSIONS } from './scripts/generated.js';

/** Keyword documents read per HSCAN while dropping a partition's term keys. */
const KEYWORD_DOCS_PER_CALL = 200;
/** Keyword round trips one partition may take in one step before the step yields (resumes later). */
const KEYWORD_CALLS_PER_STEP = 20;
/** Days of extraction-token counters a store deletion removes (they expire after two: ledger). */
const TOKEN_DAYS = 3;

const strings = z.array(z.string());
const scanReply = z.tuple([z.coerce.string(), strings]);

/**
 * The erasure job's Redis side (port `DataEraser`). Finds what a scope holds only through the
 * store's own indexes (session indexes, the owners hash, the record indexes, the partition set),
 * never by scanning the shared keyspace (security review 2026-12, finding 5); learns key shapes only
 * from keys.ts `erasureKeys`. Each call is one bounded batch, idempotent, safe to repeat after a
 * crash: it deletes what it finds and the next call finds the rest.
 */
export class UpstashErasure implements DataEraser {
  private readonly beginScript;
  private readonly sessionsScript;
  private readonly recordsScript;

  constructor(private readonly redis: Redis) {
    this.beginScript = redis.createScript<unknown>(BEGIN_ERASE.source);
    this.sessionsScript = redis.createScript<unknown>(ERASE_SESSIONS.source);
    this.recordsScript = redis.createScript<unknown>(DELETE_RECORDS.source);
  }

  async beginOwnerErase(storeId: string, ownerId: string, jobId: string): Promise<string | undefined> {
    const reply = await redisCall('begin erase', () =>
      this.beginScript.exec([storeKeys.config(storeId)], [erasingOwnerField(ownerId), jobId]),
    );
    return typeof reply === 'string' ? reply : undefined;
  }

  async endOwnerErase(storeId: string, ownerId: string): Promise<void> {
    await redisCall('end erase', () =>
      this.redis.hdel(storeKeys.config(storeId), erasingOwnerField(ownerId)),
    );
  }

  async step(
    scope: ErasureScope,
    phase: Exclude<ErasurePhase, 'verify'>,
    cursor: string,
    batch: number,
  ): Promise<ErasureStep> {
    switch (phase) {
      case 'sessions':
        return this.indexedSessions(scope, batch);
      case 'session-owners':
        return this.ownedSessions(scope, cursor, batch);
      case 'partitions':
        return this.partitions(scope, cursor, batch);
      case 'records':
        return this.records(scope, batch);
      case 'scope-keys':
        return this.scopeKeys(scope);
    }
  }

  async remaining(scope: ErasureScope): Promise<number> {
    const { storeId, ownerId } = scope;
    const keys = ownerId
      ? erasureKeys.ownerScopedKeys(storeId, ownerId)
      : erasureKeys.storeScopedKeys(storeId, tokenDays());
    const left = z.coerce.number().parse(await redisCall('verify erase', () => this.redis.exists(...keys)));
    let cursor = '0';
    let partitions = 0;
    do {
      const [next, tags] = await this.scanPartitions(storeId, ownerId, cursor, 1_000);
      partitions += tags.length;
      cursor = next;
    } while (cursor !== '0');
    return left + partitions;
  }

  /** Sessions listed in the scope's session indexes (and, for a store, its expiry and due indexes). */
  private async indexedSessions(scope: ErasureScope, batch: number): Promise<ErasureStep> {
    const { storeId, ownerId } = scope;
    const indexes = ownerId
      ? SESSION_SORTS.map((sort) => storeKeys.ownerSessionIndex(storeId, ownerId, sort))
      : [
          ...SESSION_SORTS.map((sort) => storeKeys.sessionIndex(storeId, sort)),
          storeKeys.sessionExpiry(storeId),
          storeKeys.promotionDue(storeId),
        ];
    const tx = this.redis.pipeline();
    for (const index of indexes) tx.zrange(index, 0, batch - 1);
    const replies = z.array(strings).parse(await redisCall('list sessions to erase', () => tx.exec()));
    const ids = [...new Set(replies.flat())].slice(0, batch);
    const sessions = await this.eraseSessions(storeId, ownerId, ids);
    return { ...none, sessions, cursor: '0', done: ids.length === 0 };
  }

  /**
   * Sessions the owners hash gives to the scope: those whose index entries are gone (an expired
   * session swept from the indexes keeps its promotion state). A cursor over the store's hash.
   */
  private async ownedSessions(scope: ErasureScope, cursor: string, batch: number): Promise<ErasureStep> {
    const { storeId, ownerId } = scope;
    const [next, flat] = scanReply.parse(
      await redisCall('scan session owners', () =>
        this.redis.hscan(storeKeys.sessionOwners(storeId), cursor, { count: batch }),
      ),
    );
    const ids: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      if (!ownerId || flat[i + 1] === ownerId) ids.push(flat[i]!);
    }
    const sessions = await this.eraseSessions(storeId, ownerId, ids);
    return { ...none, sessions, cursor: next, done: next === '0' };
  }

  private async eraseSessions(
    storeId: string,
    ownerId: string | undefined,
    ids: readonly string[],
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const perSession = erasureKeys.session(storeId, ids[0]!).length;
    const reply = await redisCall('erase sessions', () =>
      this.sessionsScript.exec(
        [
          storeKeys.sessionExpiry(storeId),
          storeKeys.sessionOwners(storeId),
          storeKeys.promotionDue(storeId),
          storeKeys.usage(storeId),
          storeKeys.sessionUsage(storeId),
          ...ids.flatMap((id) => erasureKeys.session(storeId, id)),
        ],
        [storePrefix(storeId), String(perSession), ownerId ?? '', ...ids],
      ),
    );
    z.coerce.number().parse(reply);
    return ids.length;
  }

  /**
   * Index partitions of the scope: each one's vector set and keyword index go whole (cheaper than
   * removing its records one by one, and nothing of another owner lives in them). The partition
   * leaves the set only once its keyword terms are gone, so a crash part-way finds it again.
   */
  private async partitions(scope: ErasureScope, cursor: string, batch: number): Promise<ErasureStep> {
    const { storeId, ownerId } = scope;
    const [next, tags] = await this.scanPartitions(
      storeId,
      ownerId,
      cursor,
      Math.max(1, Math.floor(batch / 10)),
    );
    let partitions = 0;
    let keys = 0;
    for (const tag of tags) {
      const [owner, namespace] = tag.split(':') as [string, string];
      const partition = { storeId, ownerId: owner, namespace: namespace === '_' ? undefined : namespace };
      const terms = await this.dropKeywordTerms(indexKeys.keywordPrefix(partition));
      // Not finished within this step's budget: resume at the same place (the tag is still in the set).
      if (terms === undefined) return { ...none, partitions, keys, cursor, done: false };
      keys += terms;
      const tx = this.redis.multi();
      tx.unlink(...erasureKeys.partitionScopedKeys(partition));
      tx.srem(memoryKeys.partitions(storeId), tag);
      tx.hdel(memoryKeys.partitionCounts(storeId), tag);
      await redisCall('drop partition', () => tx.exec());
      partitions += 1;
    }
    return { ...none, partitions, keys, cursor: next, done: next === '0' };
  }

  /** Deletes a keyword partition's term keys (named in its documents hash); undefined when not done yet. */
  private async dropKeywordTerms(prefix: string): Promise<number | undefined> {
    const docs = keywordKeys.docs(prefix);
    const termPrefix = keywordKeys.termPrefix(prefix);
    let deleted = 0;
    for (let call = 0; call < KEYWORD_CALLS_PER_STEP; call++) {
      const [, flat] = scanReply.parse(
        await redisCall('scan keyword documents', () =>
          this.redis.hscan(docs, '0', { count: KEYWORD_DOCS_PER_CALL }),
        ),
      );
      if (flat.length === 0) return deleted;
      const fields: string[] = [];
      const terms = new Set<string>();
      for (let i = 0; i + 1 < flat.length; i += 2) {
        fields.push(flat[i]!);
        // `"<length> <term> <term> ..."` (upstash-keyword-index.ts).
        for (const term of flat[i + 1]!.split(' ').slice(1)) if (term) terms.add(term);
      }
      const tx = this.redis.multi();
      if (terms.size > 0) tx.unlink(...[...terms].map((term) => termPrefix + term));
      tx.hdel(docs, ...fields);
      const [unlinked] = z
        .array(z.coerce.number())
        .parse(await redisCall('drop keyword terms', () => tx.exec()));
      deleted += terms.size > 0 ? (unlinked ?? 0) : 0;
    }
    return undefined;
  }

  /** The scope's records, first by the owner's (or the store's) creation index. */
  private async records(scope: ErasureScope, batch: number): Promise<ErasureStep> {
    const { storeId, ownerId } = scope;
    const index = ownerId ? memoryKeys.ownerByCreated(storeId, ownerId) : memoryKeys.byCreated(storeId);
    const ids = strings.parse(
      await redisCall('list records to erase', () => this.redis.zrange(index, 0, batch - 1)),
    );
    if (ids.length === 0) return { ...none, cursor: '0', done: true };
    const reply = z
      .array(z.unknown())
      .parse(
        await redisCall('erase records', () =>
          this.recordsScript.exec(
            [
              memoryKeys.byCreated(storeId),
              memoryKeys.expiry(storeId),
              memoryKeys.accessed(storeId),
              storeKeys.usage(storeId),
              ...ids.map((id) => memoryKeys.record(storeId, id)),
            ],
            [storePrefix(storeId), ...ids],
          ),
        ),
      );
    // An index entry whose record is already gone must leave too, or this phase would never end.
    await redisCall('erase record index entries', () => this.redis.zrem(index, ...ids));
    return {
      ...none,
      memories: reply.filter((json) => typeof json === 'string').length,
      cursor: '0',
      done: false,
    };
  }

  /** The keys named after the owner (or the store-wide keys, last of a store deletion). */
  private async scopeKeys(scope: ErasureScope): Promise<ErasureStep> {
    const { storeId, ownerId } = scope;
    const keys = ownerId
      ? erasureKeys.ownerScopedKeys(storeId, ownerId)
      : erasureKeys.storeScopedKeys(storeId, tokenDays());
    const unlinked = z.coerce
      .number()
      .parse(await redisCall('erase scope keys', () => this.redis.unlink(...keys)));
    return { ...none, keys: unlinked, cursor: '0', done: true };
  }

  private async scanPartitions(
    storeId: string,
    ownerId: string | undefined,
    cursor: string,
    count: number,
  ): Promise<[string, string[]]> {
    // Owner ids are [a-zA-Z0-9-] (the job record is parsed with idSchema): no glob characters reach MATCH.
    const options = ownerId ? { match: `${ownerId}:*`, count } : { count };
    return scanReply.parse(
      await redisCall('scan partitions', () =>
        this.redis.sscan(memoryKeys.partitions(storeId), cursor, options),
      ),
    );
  }
}

const none = { sessions: 0, memories: 0, partitions: 0, keys: 0 };

/** UTC days whose extraction-token counters may still exist. */
function tokenDays(now = Date.now()): string[] {
  return Array.from({ length: TOKEN_DAYS }, (_, i) =>
    new Date(now - i * 86_400_000).toISOString().slice(0, 10),
  );
}
