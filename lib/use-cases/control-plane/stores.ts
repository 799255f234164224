import { randomUUID } from 'node:crypto';
import type { CreateStoreRequest, UpdateStoreRequest } from '../../contracts/control-plane.js';
import type { ErasureJob } from '../../contracts/erasure.js';
import { storeConfigInputSchema } from '../../contracts/exclusion-patterns.js';
import { parseInput } from '../../contracts/parse.js';
import type { StoreConfig, StoreRecord } from '../../contracts/store-config.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Logger } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { ApiKeyRecord, ApiKeyRegistry, StoreRegistry, StoreRemoval } from '../../ports/registry.js';
import type { UsagePlanKeys } from '../../ports/usage-plan-keys.js';
import { REGISTRY_WRITE_ATTEMPTS, removeApiKey } from './key-removal.js';

export interface StoreAdminDeps {
  readonly stores: StoreRegistry & StoreRemoval;
  readonly apiKeys: ApiKeyRegistry;
  readonly usagePlanKeys: UsagePlanKeys;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Creates a store with a generated id (32 hex, as the reference) and the given configuration. */
export async function createStore(
  deps: Pick<StoreAdminDeps, 'stores' | 'clock'>,
  request: CreateStoreRequest,
): Promise<StoreRecord> {
  const { name, extractionStrategy: _compat, ...settings } = request;
  const config = parseInput(storeConfigInputSchema, settings, 'body');
  assertUniqueTypeNames(config);
  const store: StoreRecord = {
    storeId: randomUUID().replaceAll('-', ''),
    name,
    createdAt: new Date(deps.clock.now()).toISOString(),
    config,
  };
  await deps.stores.putStore(store);
  return store;
}

export async function getStore(deps: Pick<StoreAdminDeps, 'stores'>, storeId: string): Promise<StoreRecord> {
  const store = await deps.stores.getStore(storeId);
  if (!store) throw new NotFoundError('Store not found');
  return store;
}

/** Every store (the reference lists without paging; stores are few). */
export async function listStores(deps: Pick<StoreAdminDeps, 'stores'>): Promise<StoreRecord[]> {
  const ids = await deps.stores.listStoreIds();
  const stores = await Promise.all(ids.map((id) => deps.stores.getStore(id)));
  return stores.filter((store): store is StoreRecord => store !== undefined);
}

/**
 * Applies a partial update (see `updateStoreRequestSchema` for the rules) and validates the result
 * whole. Compare-and-set: a concurrent PATCH is not overwritten (this one is re-applied to its
 * result), and a store deleted meanwhile stays deleted (404).
 */
export async function updateStore(
  deps: Pick<StoreAdminDeps, 'stores'>,
  storeId: string,
  request: UpdateStoreRequest,
): Promise<StoreRecord> {
  for (let attempt = 0; attempt < REGISTRY_WRITE_ATTEMPTS; attempt++) {
    const current = await getStore(deps, storeId);
    const updated = applyStoreUpdate(current, request);
    const outcome = await deps.stores.replaceStore(current, updated);
    if (outcome === 'replaced') return updated;
    if (outcome === 'missing') throw new NotFoundError('Store not found');
  }
  throw new ConflictError('The store changed concurrently; retry');
}

function applyStoreUpdate(current: StoreRecord, request: UpdateStoreRequest): StoreRecord {
  const { name, addCustomMemoryTypes, updateCustomMemoryTypeStrategies, longTermMemoryExclusions, ...rest } =
    request;
  const merged: Record<string, unknown> = { ...current.config, ...rest };
  if (rest.quotas) merged.quotas = { ...current.config.quotas, ...rest.quotas };

  if (longTermMemoryExclusions) {
    merged.longTermMemoryExclusions = mergeExclusions(
      current.config.longTermMemoryExclusions,
      longTermMemoryExclusions,
    );
  }
  let types = [...current.config.customMemoryTypes];
  if (addCustomMemoryTypes) {
    for (const added of addCustomMemoryTypes) {
      if (types.some((t) => t.name === added.name)) {
        throw new ValidationError(`Custom memory type ${added.name} already exists`, [
          {
            field: 'addCustomMemoryTypes',
            rule: 'unique',
            message: `${added.name} already exists; types are immutable`,
          },
        ]);
      }
    }
    types = [...types, ...addCustomMemoryTypes];
  }
  for (const change of updateCustomMemoryTypeStrategies ?? []) {
    const index = types.findIndex((t) => t.name === change.typeName);
    const type = types[index];
    if (!type) {
      throw new ValidationError(`No custom memory type ${change.typeName}`, [
        {
          field: 'updateCustomMemoryTypeStrategies.typeName',
          rule: 'exists',
          message: `${change.typeName} is not a custom memory type of this store`,
        },
      ]);
    }
    const prompt = change.prompt ?? type.extractionStrategy?.prompt;
    if (prompt === undefined) {
      throw new ValidationError(`Custom memory type ${change.typeName} has no extraction prompt`, [
        {
          field: 'updateCustomMemoryTypeStrategies.prompt',
          rule: 'required',
          message: 'is required when the type has none yet',
        },
      ]);
    }
    types[index] = {
      ...type,
      extractionStrategy: { prompt, enabled: change.enabled ?? type.extractionStrategy?.enabled ?? true },
    };
  }
  merged.customMemoryTypes = types;

  const config = parseInput(storeConfigInputSchema, merged, 'body');
  assertUniqueTypeNames(config);
  return { ...current, ...(name ? { name } : {}), config };
}

export interface StoreDeletion {
  readonly apiKeysRevoked: number;
  readonly apiKeysNarrowed: number;
  /** The deletion job: finished within this call, or left to the maintenance schedule. */
  readonly erasure: ErasureJob;
}

/**
 * Store deletion as the control plane sees it: the erasure job (lib/use-cases/erasure, injected
 * by the composition root: features do not import each other).
 */
export interface StoreDeletionJobs {
  /** The store's deletion job, when one was ever started (a repeated DeleteStore finds it). */
  find(storeId: string): Promise<ErasureJob | undefined>;
  /**
   * Whether the store's keyspace still holds data: a store marked deleted by a DeleteStore that died
   * before starting its job (read through the store's own indexes, not a keyspace scan).
   */
  hasLeftovers(storeId: string): Promise<boolean>;
  /** Starts (or finds) the deletion job of a store already marked deleted. */
  start(storeId: string): Promise<ErasureJob>;
  /** Works the job until it finishes or the deadline (ms since epoch) passes. */
  run(jobId: string, deadline: number): Promise<ErasureJob | undefined>;
}

/** How long DeleteStore works on the data itself before leaving the rest to the schedule. */
const INLINE_ERASURE_MS = 8_000;

/**
 * Deletes a store and everything in it. The store stops existing first (appends and every data
 * route answer 404 at once); then every API key loses its grant on it, and a key left with no
 * grant is revoked (as deleting a managed service terminates its keys); then the deletion job
 * erases the data, batch by batch from the store's own indexes (never a keyspace SCAN), for a few
 * seconds here and then on the maintenance schedule until done (security review 2026-12, finding
 * 5). Idempotent: a repeated DeleteStore of a store being (or once) deleted redoes the grant removal
 * and resumes the job instead of answering 404.
 */
export async function deleteStore(
  deps: StoreAdminDeps & { deletions: StoreDeletionJobs },
  storeId: string,
): Promise<StoreDeletion> {
  const marked = await deps.stores.markDeleted(storeId);
  if (!marked && !(await deps.deletions.find(storeId)) && !(await deps.deletions.hasLeftovers(storeId))) {
    throw new NotFoundError('Store not found');
  }
  // The job exists before the grants go: a failure in the grant loop leaves a job the schedule finishes.
  const started = await deps.deletions.start(storeId);
  let apiKeysRevoked = 0;
  let apiKeysNarrowed = 0;
  let after: string | undefined;
  do {
    const page = await deps.apiKeys.listKeys({ ...(after ? { after } : {}), limit: 100 });
    for (const listed of page.keys) {
      const outcome = await removeGrant(deps, listed, storeId);
      if (outcome === 'revoked') apiKeysRevoked += 1;
      if (outcome === 'narrowed') apiKeysNarrowed += 1;
    }
    after = page.next;
  } while (after);
  const erasure = (await deps.deletions.run(started.jobId, deps.clock.now() + INLINE_ERASURE_MS)) ?? started;
  deps.logger.info('store deleted', {
    storeId,
    jobId: erasure.jobId,
    erasureState: erasure.state,
    apiKeysRevoked,
    apiKeysNarrowed,
  });
  return { apiKeysRevoked, apiKeysNarrowed, erasure };
}

/**
 * Takes the grant on `storeId` from a key, revoking a key left with none. Compare-and-set, so a
 * concurrent PATCH or rotation of the key is not undone (a rotation's expiry and `rotatedTo` stay);
 * on a conflict the key is read again and narrowed anew.
 */
async function removeGrant(
  deps: StoreAdminDeps,
  listed: ApiKeyRecord,
  storeId: string,
): Promise<'revoked' | 'narrowed' | 'untouched'> {
  let key: ApiKeyRecord | undefined = listed;
  for (let attempt = 0; key && attempt < REGISTRY_WRITE_ATTEMPTS; attempt++) {
    if (!key.grants.some((grant) => grant.resourceId === storeId)) return 'untouched';
    const grants = key.grants.filter((grant) => grant.resourceId !== storeId);
    if (grants.length === 0) {
      // Revocation deletes whatever the record is now: nothing concurrent to preserve.
      return (await removeApiKey(deps, key.keyId)) ? 'revoked' : 'untouched';
    }
    const outcome = await deps.apiKeys.updateKey(key, { ...key, grants });
    if (outcome === 'replaced') return 'narrowed';
    if (outcome === 'missing') return 'untouched';
    key = await deps.apiKeys.getKey(key.keyId);
  }
  if (!key) return 'untouched';
  throw new ConflictError(
    `API key ${key.keyId} kept changing while its grant was removed; retry the deletion`,
  );
}

/**
 * Reference update semantics of `longTermMemoryExclusions`: the policy is replaced, but a nested
 * part the request omits keeps its current value; a detector list given replaces, `[]` clears.
 */
function mergeExclusions(current: unknown, patch: Record<string, unknown>): unknown {
  const base = (current ?? {}) as Record<string, unknown>;
  const nested = (key: string) => {
    if (!(key in patch)) return base[key];
    const value = patch[key];
    if (value === null || typeof value !== 'object') return value;
    return { ...((base[key] as object | undefined) ?? {}), ...(value as object) };
  };
  return {
    ...patch,
    ...(nested('builtInDetectors') === undefined ? {} : { builtInDetectors: nested('builtInDetectors') }),
    ...(nested('customDetectors') === undefined ? {} : { customDetectors: nested('customDetectors') }),
    ...(nested('semantic') === undefined ? {} : { semantic: nested('semantic') }),
  };
}

function assertUniqueTypeNames(config: StoreConfig): void {
  const names = config.customMemoryTypes.map((t) => t.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) {
    throw new ValidationError(`Custom memory type ${duplicate} is defined twice`, [
      { field: 'customMemoryTypes', rule: 'unique', message: 'names must be unique' },
    ]);
  }
}
