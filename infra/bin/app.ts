/**
 * CDK app (`cdk.json`: `npx tsx infra/bin/app.ts`). Synthesizes offline: no lookups, no Docker
 * (functions are bundled by the local esbuild).
 *
 * Context (`-c key=value`):
 *   stage=dev                                  stage to synthesize (infra/config/stage-config.ts)
 *   account=123456789012, region=eu-west-1     override the stage's environment
 *   upstashRestUrl=…, upstashRestToken=…       interim Upstash settings, until Secrets Manager
 *   skipBundling=true                          skip esbuild (placeholder assets: checks only, not
 *                                              deployable). The CLI refuses user context prefixed
 *                                              `aws:`, so this sets `aws:cdk:bundling-stacks` to [].
 */
import { App, Tags } from 'aws-cdk-lib';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { isMainModule } from '../../scripts/main-module.js';
import { loadStageConfig, type StageConfig } from '../config/stage-config.js';
import { ServiceStack } from '../stacks/service-stack.js';
import { StatefulStack } from '../stacks/stateful-stack.js';

export interface AgentMemoryStacks {
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly service: ServiceStack;
}

/** Adds the stage's stacks to `app`; the stage comes from the app's context (see above). */
export function defineAgentMemoryApp(app: App): AgentMemoryStacks {
  const config = loadStageConfig(app.node);
  // No account: environment-agnostic, resolved from the deploying credentials. No lookups either way.
  const env = { account: config.account, region: config.region };
  const prefix = `AgentMemory-${config.stage.charAt(0).toUpperCase()}${config.stage.slice(1)}`;

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    config,
    description: `Agent Memory (${config.stage}): promotion queue and dead-letter queue`,
    terminationProtection: config.terminationProtection,
  });
  const service = new ServiceStack(app, `${prefix}-Service`, {
    env,
    config,
    description: `Agent Memory (${config.stage}): REST API, functions, promotion consumer and sweeper`,
    promotionQueue: stateful.promotionQueue,
  });

  Tags.of(app).add('service', 'agent-memory');
  Tags.of(app).add('stage', config.stage);
  return { config, stateful, service };
}

function skipBundlingRequested(app: App): boolean {
  const value = app.node.tryGetContext('skipBundling');
  return value === true || value === 'true' || value === '1';
}

if (isMainModule(import.meta.url)) {
  const app = new App();
  // Must precede the first stack: context cannot change once the app has children.
  if (skipBundlingRequested(app)) app.node.setContext(BUNDLING_STACKS, []);
  defineAgentMemoryApp(app);
  app.synth();
}
