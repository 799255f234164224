import { describeError, type Logger } from '../../observability/logger.js';
import type { ApiKeyAdmin } from '../../ports/registry.js';
import type { UsagePlanKeys } from '../../ports/usage-plan-keys.js';

/**
 * Registry write plumbing the control-plane use cases share (keys and stores), so neither use-case
 * module imports the other.
 */

/**
 * How often a registry write that lost a compare-and-set to a concurrent one is recomputed from the
 * newer record before the caller gets a 409. Each lost attempt is another writer's success, so five
 * attempts always suffice for up to five concurrent writers of one record; operators rarely have two.
 */
export const REGISTRY_WRITE_ATTEMPTS = 5;

export interface KeyRemovalDeps {
  readonly apiKeys: Pick<ApiKeyAdmin, 'deleteKey' | 'addOrphanedGatewayKey'>;
  readonly usagePlanKeys: Pick<UsagePlanKeys, 'removeKey'>;
  readonly logger: Logger;
}

/** Removes a key and its gateway key. @returns false when there was no such key. */
export async function removeApiKey(deps: KeyRemovalDeps, keyId: string): Promise<boolean> {
  const record = await deps.apiKeys.deleteKey(keyId);
  if (!record) return false;
  if (record.gatewayKeyId) await removeGatewayKey(deps, record.gatewayKeyId);
  deps.logger.info('api key revoked', { keyId });
  return true;
}

/** Removes a gateway key; a failure is logged and kept for the sweeper to retry. */
export async function removeGatewayKey(deps: KeyRemovalDeps, gatewayKeyId: string): Promise<void> {
  try {
    await deps.usagePlanKeys.removeKey(gatewayKeyId);
  } catch (error) {
    deps.logger.warn('gateway key removal failed; the sweeper retries', {
      gatewayKeyId,
      ...describeError(error),
    });
    await deps.apiKeys.addOrphanedGatewayKey(gatewayKeyId);
  }
}
