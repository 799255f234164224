import { usagePlanKeysFromEnv } from '../adapters/apigateway/api-gateway-usage-plan-keys.js';
import { UpstashStoreRegistry } from '../adapters/upstash/upstash-registry.js';
import { functionEnvironment } from '../config/function-environment.js';
import { type RuntimeConfig, requireNeed } from '../config/runtime-config.js';
import type { StoreRegistry, StoreRemoval } from '../ports/registry.js';
import type { UsagePlanKeys } from '../ports/usage-plan-keys.js';
import type { StoreDeletionJobs } from '../use-cases/control-plane/stores.js';
import { runErasure, startStoreDeletion, storeDeletionJobId } from '../use-cases/erasure/jobs.js';
import { oncePerColdStart } from './cold-start.js';
import { type CoreApp, createCoreApp } from './core-app.js';
import { createMemoryApp, type MemoryApp } from './memory-app.js';

/** What managing stores and keys needs beyond the core: uncached stores, their removal, gateway keys. */
export interface ControlPlaneParts {
  /** Uncached: an operator reads what was just written. */
  readonly stores: StoreRegistry & StoreRemoval;
  readonly usagePlanKeys: UsagePlanKeys;
  /** Store deletion's data side: the erasure job (lib/use-cases/erasure). */
  readonly deletions: StoreDeletionJobs;
}

/** The usage plans come from this function's own environment (`gateway-keys:*` needs). */
function controlPlaneParts(core: CoreApp): ControlPlaneParts {
  return {
    stores: new UpstashStoreRegistry(core.redis),
    usagePlanKeys: usagePlanKeysFromEnv(functionEnvironment()),
    deletions: {
      find: (storeId) => core.erasures.get(storeDeletionJobId(storeId)),
      hasLeftovers: async (storeId) => (await core.eraser.remaining({ storeId })) > 0,
      start: (storeId) => startStoreDeletion(core, storeId),
      run: (jobId, deadline) => runErasure(core, jobId, { deadline }),
    },
  };
}

/** The admin API's app: the control plane. */
export type AdminApp = CoreApp & ControlPlaneParts;

export function createAdminApp(config: RuntimeConfig): AdminApp {
  requireNeed(config, 'gateway-keys:manage', 'the control plane');
  const core = createCoreApp(config);
  return { ...core, ...controlPlaneParts(core) };
}

/** The maintenance function's app: long-term memory (expiry) plus the control plane (keys, deleted stores). */
export type MaintenanceApp = MemoryApp & ControlPlaneParts;

export function createMaintenanceApp(config: RuntimeConfig): MaintenanceApp {
  requireNeed(config, 'gateway-keys:retire', 'retiring API keys');
  const memory = createMemoryApp(config);
  return { ...memory, ...controlPlaneParts(memory) };
}

export const adminApp: () => Promise<AdminApp> = oncePerColdStart(createAdminApp);
export const maintenanceApp: () => Promise<MaintenanceApp> = oncePerColdStart(createMaintenanceApp);
