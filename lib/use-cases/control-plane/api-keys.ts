import type {
  ApiKeyOutput,
  MintApiKeyRequest,
  MintedKey,
  RotatedKey,
  UpdateApiKeyRequest,
} from '../../contracts/control-plane.js';
import { newApiKeyToken, usageIdentifierOf } from '../../domain/api-key.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Grant } from '../../domain/grants.js';
import type { Logger } from '../../observability/logger.js';
import { describeError } from '../../observability/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { ApiKeyRecord, ApiKeyRegistry, StoreRegistry } from '../../ports/registry.js';
import type { UsagePlanKeys } from '../../ports/usage-plan-keys.js';
import { REGISTRY_WRITE_ATTEMPTS, removeApiKey, removeGatewayKey } from './key-removal.js';

export interface ApiKeyAdminDeps {
  readonly stores: StoreRegistry;
  readonly apiKeys: ApiKeyRegistry;
  readonly usagePlanKeys: UsagePlanKeys;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What operators see of a key (reference `ApiKeyOutput`, plus the `plan` extension). Never the token. */
export function apiKeyOutput(record: ApiKeyRecord): ApiKeyOutput {
  return {
    keyId: record.keyId,
    name: record.name,
    grants: [...record.grants],
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    ...(record.rotatedFrom ? { rotatedFrom: record.rotatedFrom } : {}),
    ...(record.rotatedTo ? { rotatedTo: record.rotatedTo } : {}),
    plan: record.plan,
  };
}

/**
 * Mints a key: the API Gateway key (same value, attached to the tier's usage plan) first, then the
 * registry record. A registry failure removes the gateway key again, so a failed mint leaves
 * nothing usable behind.
 */
export async function mintApiKey(deps: ApiKeyAdminDeps, request: MintApiKeyRequest): Promise<MintedKey> {
  const now = seconds(deps.clock);
  await assertGrantsReferenceStores(deps, request.grants);
  const plan = assertTier(deps.usagePlanKeys, request.plan);
  if (request.expiresAt !== undefined && request.expiresAt !== 0 && request.expiresAt <= now) {
    throw new ValidationError('expiresAt is in the past', [
      { field: 'expiresAt', rule: 'future', message: 'must be a future unix time in seconds, or 0' },
    ]);
  }
  const { keyId, token } = newApiKeyToken();
  const record = await registerWithGatewayKey(deps, token, {
    keyId,
    name: request.name,
    grants: request.grants,
    createdAt: now,
    expiresAt: request.expiresAt ?? 0,
    plan,
  });
  deps.logger.info('api key minted', { keyId, plan, grants: record.grants.length });
  return { keyId, token, createdAt: now };
}

export async function getApiKey(
  deps: Pick<ApiKeyAdminDeps, 'apiKeys'>,
  keyId: string,
): Promise<ApiKeyRecord> {
  const record = await deps.apiKeys.getKey(keyId);
  if (!record) throw new NotFoundError('API key not found');
  return record;
}

export async function listApiKeys(
  deps: Pick<ApiKeyAdminDeps, 'apiKeys'>,
  options: { nextToken?: string; maxResults: number },
): Promise<{ apiKeys: ApiKeyRecord[]; nextToken?: string }> {
  const page = await deps.apiKeys.listKeys({
    ...(options.nextToken ? { after: options.nextToken } : {}),
    limit: options.maxResults,
  });
  return { apiKeys: page.keys, ...(page.next ? { nextToken: page.next } : {}) };
}

/**
 * Renames a key or replaces its grants; takes effect within the authorizer's cache interval.
 * Compare-and-set: a rotation or another update that lands between the read and the write is not
 * undone (this change is re-applied to its result), so a rotated key keeps its expiry.
 */
export async function updateApiKey(
  deps: ApiKeyAdminDeps,
  keyId: string,
  request: UpdateApiKeyRequest,
): Promise<ApiKeyRecord> {
  if (request.grants) await assertGrantsReferenceStores(deps, request.grants);
  for (let attempt = 0; attempt < REGISTRY_WRITE_ATTEMPTS; attempt++) {
    const current = await getApiKey(deps, keyId);
    const updated: ApiKeyRecord = {
      ...current,
      ...(request.name ? { name: request.name } : {}),
      ...(request.grants ? { grants: request.grants } : {}),
    };
    const outcome = await deps.apiKeys.updateKey(current, updated);
    if (outcome === 'missing') throw new NotFoundError('API key not found');
    if (outcome === 'replaced') {
      deps.logger.info('api key updated', { keyId, grants: updated.grants.length });
      return updated;
    }
  }
  throw new ConflictError('The API key changed concurrently; retry');
}

/**
 * Revokes a key: the registry record goes first (the authorizer answers 401 once its cache
 * interval has passed), then the API Gateway key is disabled and deleted. A gateway failure is
 * not the caller's: the key is already unusable, and the sweeper retries the removal.
 */
/** Revokes a key at once (its gateway key too); 404 when there is none. */
export async function revokeApiKey(
  deps: Pick<ApiKeyAdminDeps, 'apiKeys' | 'usagePlanKeys' | 'logger'>,
  keyId: string,
): Promise<void> {
  if (!(await removeApiKey(deps, keyId))) throw new NotFoundError('API key not found');
}

/**
 * Make-before-break rotation: a new key (new id and secret, same name, grants and plan) that works
 * at once, while the old one keeps working for `graceSeconds`. A key already winding down cannot
 * be rotated again: rotate its replacement.
 */
export async function rotateApiKey(
  deps: ApiKeyAdminDeps,
  keyId: string,
  graceSeconds: number,
): Promise<RotatedKey> {
  const now = seconds(deps.clock);
  const first = await rotatableKey(deps, keyId, now);
  const { keyId: newKeyId, token } = newApiKeyToken();
  const oldExpiresAtOf = (old: ApiKeyRecord) =>
    old.expiresAt === 0 ? now + graceSeconds : Math.min(old.expiresAt, now + graceSeconds);
  // Plan is fixed at mint, so the gateway key made for the first read fits every retry.
  const gatewayKeyId = await createGatewayKey(deps, token, { ...first, keyId: newKeyId });
  let old = first;
  let oldExpiresAt = 0;
  try {
    for (let attempt = 0; ; attempt++) {
      oldExpiresAt = oldExpiresAtOf(old);
      const replacement: ApiKeyRecord = {
        keyId: newKeyId,
        name: old.name,
        grants: old.grants,
        createdAt: now,
        // A key minted with an expiry keeps it: rotation replaces the secret, not the policy.
        expiresAt: old.expiresAt,
        rotatedFrom: old.keyId,
        // Views and other things the line of keys owns stay theirs after a rotation.
        principalId: old.principalId ?? old.keyId,
        plan: old.plan,
        ...(gatewayKeyId ? { gatewayKeyId } : {}),
      };
      // Compare-and-set on the old record: a concurrent PATCH (new grants, name) is carried over
      // to the replacement instead of being lost, and a concurrent rotation wins (409 below).
      const outcome = await deps.apiKeys.putRotation(token, replacement, old, {
        ...old,
        expiresAt: oldExpiresAt,
        rotatedTo: newKeyId,
      });
      if (outcome === 'replaced') break;
      if (outcome === 'missing') throw new NotFoundError('API key not found');
      if (attempt + 1 >= REGISTRY_WRITE_ATTEMPTS)
        throw new ConflictError('The API key changed concurrently; retry');
      old = await rotatableKey(deps, keyId, now);
    }
  } catch (error) {
    if (gatewayKeyId) await removeGatewayKey(deps, gatewayKeyId);
    throw error;
  }
  deps.logger.info('api key rotated', { keyId: old.keyId, newKeyId, graceSeconds });
  return { keyId: newKeyId, token, createdAt: now, oldExpiresAt };
}

/** The key to rotate: not expired, not already winding down. */
async function rotatableKey(deps: ApiKeyAdminDeps, keyId: string, now: number): Promise<ApiKeyRecord> {
  const old = await getApiKey(deps, keyId);
  // Expired but not yet swept: as good as gone.
  if (old.expiresAt !== 0 && old.expiresAt <= now) throw new NotFoundError('API key not found');
  if (old.rotatedTo) {
    throw new ConflictError(`This API key was already rotated to ${old.rotatedTo}; rotate that key instead`);
  }
  return old;
}

/**
 * Ends keys whose expiry has passed (rotation grace over, or minted with an expiry): registry
 * record and API Gateway key. Also retries gateway removals that failed earlier.
 */
export async function sweepExpiredApiKeys(
  deps: Pick<ApiKeyAdminDeps, 'apiKeys' | 'usagePlanKeys' | 'clock' | 'logger'>,
  options: { limit: number },
): Promise<{ expired: number; gatewayKeysRemoved: number }> {
  let expired = 0;
  for (const keyId of await deps.apiKeys.expiredKeyIds(seconds(deps.clock), options.limit)) {
    const record = await deps.apiKeys.deleteKey(keyId);
    if (!record) continue;
    expired += 1;
    if (record.gatewayKeyId) await removeGatewayKey(deps, record.gatewayKeyId);
  }
  let gatewayKeysRemoved = 0;
  for (const gatewayKeyId of await deps.apiKeys.orphanedGatewayKeys(options.limit)) {
    try {
      await deps.usagePlanKeys.removeKey(gatewayKeyId);
      await deps.apiKeys.removeOrphanedGatewayKey(gatewayKeyId);
      gatewayKeysRemoved += 1;
    } catch (error) {
      deps.logger.warn('gateway key removal failed again', { gatewayKeyId, ...describeError(error) });
    }
  }
  return { expired, gatewayKeysRemoved };
}

async function registerWithGatewayKey(
  deps: ApiKeyAdminDeps,
  token: string,
  record: ApiKeyRecord,
): Promise<ApiKeyRecord> {
  const gatewayKeyId = await createGatewayKey(deps, token, record);
  const registered = { ...record, ...(gatewayKeyId ? { gatewayKeyId } : {}) };
  try {
    await deps.apiKeys.putKey(token, registered);
  } catch (error) {
    if (gatewayKeyId) await removeGatewayKey(deps, gatewayKeyId);
    throw error;
  }
  return registered;
}

function createGatewayKey(deps: ApiKeyAdminDeps, token: string, record: ApiKeyRecord): Promise<string> {
  // The gateway key's name carries the key id only: names are operator text, ids are enough to correlate.
  return deps.usagePlanKeys.createKey({
    name: `agent-memory-${record.keyId}`,
    value: usageIdentifierOf(token),
    tier: record.plan,
  });
}

async function assertGrantsReferenceStores(deps: Pick<ApiKeyAdminDeps, 'stores'>, grants: readonly Grant[]) {
  // One concurrent wave of reads, not one round trip after another per grant.
  const found = await Promise.all(grants.map((grant) => deps.stores.getStore(grant.resourceId)));
  const missing = grants.filter((_, i) => !found[i]).map((grant) => grant.resourceId);
  if (missing.length > 0) {
    throw new ValidationError(`Grants reference stores that do not exist: ${missing.join(', ')}`, [
      { field: 'grants.resourceId', rule: 'exists', message: `no such store: ${missing.join(', ')}` },
    ]);
  }
}

function assertTier(usagePlanKeys: UsagePlanKeys, plan: string | undefined): string {
  const tier = plan ?? usagePlanKeys.defaultTier;
  if (!usagePlanKeys.tiers.includes(tier)) {
    throw new ValidationError(`Unknown plan ${tier}`, [
      { field: 'plan', rule: 'enum', message: `must be one of ${usagePlanKeys.tiers.join(', ')}` },
    ]);
  }
  return tier;
}

function seconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
