/**
 * CDK app (`cdk.json`: `npx tsx infra/bin/app.ts`). Synthesizes offline: no lookups, no Docker
 * (functions are bundled by the local esbuild).
 *
 * Context (`-c key=value`):
 *   stage=dev                                  stage to synthesize (infra/config/stage-config.ts)
 *   account=123456789012, region=eu-west-1     override the stage's environment
 *   upstashSecretName=agent-memory/prod/upstash use an existing Secrets Manager secret for the
 *                                              Upstash URL and token (default: the stack creates one)
 *   skipBundling=true                          skip esbuild (placeholder assets: checks only, not
 *                                              deployable). The CLI refuses user context prefixed
 *                                              `aws:`, so this sets `aws:cdk:bundling-stacks` to [].
 */
import { App, Tags } from 'aws-cdk-lib';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { isMainModule } from '../../scripts/main-module.js';
import { loadStageConfig, type StageConfig } from '../config/stage-config.js';
import { addNagChecks } from '../nag.js';
import { ServiceStack } from '../stacks/service-stack.js';
import { StatefulStack } from '../stacks/stateful-stack.js';

export interface AgentMemoryStacks {
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly service: ServiceStack;
}

/**
 * Adds the stage's stacks to `app`, checked by cdk-nag's AwsSolutions pack (an unacknowledged finding
 * fails synthesis). The stage comes from the app's context (see above) unless `config` is given.
 */
export function defineAgentMemoryApp(
  app: App,
  config: StageConfig = loadStageConfig(app.node),
): AgentMemoryStacks {
  // No account: environment-agnostic, resolved from the deploying credentials. No lookups either way.
  const env = { account: config.account, region: config.region };
  const prefix = `AgentMemory-${config.stage.charAt(0).toUpperCase()}${config.stage.slice(1)}`;

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    config,
    description: `Agent Memory (${config.stage}): promotion queue and DLQ, Upstash secret, alarm topic`,
    terminationProtection: config.terminationProtection,
  });
  const service = new ServiceStack(app, `${prefix}-Service`, {
    env,
    config,
    description: `Agent Memory (${config.stage}): data and admin APIs, functions, consumer, maintenance, alarms`,
    promotionQueue: stateful.promotionQueue,
    promotionDeadLetterQueue: stateful.promotionDeadLetterQueue,
    viewRefreshQueue: stateful.viewRefreshQueue,
    documentQueue: stateful.documentQueue,
    upstashSecret: stateful.upstashSecret,
    alarmTopic: stateful.alarmTopic,
  });

  Tags.of(app).add('service', 'agent-memory');
  Tags.of(app).add('stage', config.stage);
  addNagChecks(app);
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
