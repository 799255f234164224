import { describe, expect, it } from 'vitest';
import {
  loadStageConfig,
  parseStageConfig,
  STAGE_DEFAULTS,
  StageConfigError,
  type StageConfigInput,
  stageConfigSchema,
} from '../../infra/config/stage-config.js';

const dev = STAGE_DEFAULTS.dev!;
const context = (values: Record<string, unknown>) => ({ tryGetContext: (key: string) => values[key] });
const problemsOf = (input: StageConfigInput): string => {
  try {
    parseStageConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(StageConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
};

describe('stage config', () => {
  it('defaults to dev and takes overrides from the context', () => {
    const config = loadStageConfig(
      context({ region: 'eu-west-1', account: '123456789012', upstashSecretName: 'shared/upstash' }),
    );
    expect(config).toMatchObject({
      stage: 'dev',
      region: 'eu-west-1',
      account: '123456789012',
      upstash: { existingSecretName: 'shared/upstash' },
    });
    expect(loadStageConfig(context({})).upstash).toEqual({});
    expect(() => loadStageConfig(context({ stage: 'nope' }))).toThrow(StageConfigError);
  });

  it('has no place for the Upstash URL or token', () => {
    expect(stageConfigSchema.safeParse({ ...dev, upstash: { restToken: 'x' } }).success).toBe(false);
    expect(
      stageConfigSchema.safeParse({ ...dev, upstash: { restUrl: 'https://x.upstash.io' } }).success,
    ).toBe(false);
  });

  it('rejects an out-of-range maxReceiveCount and a visibility timeout under 6x the consumer timeout', () => {
    expect(problemsOf({ ...dev, queue: { ...dev.queue, maxReceiveCount: 6 } })).toContain(
      'queue.maxReceiveCount',
    );
    const tooShort = {
      ...dev.queue,
      visibilityTimeoutSeconds: 6 * dev.functions.consumer.timeoutSeconds - 1,
    };
    expect(problemsOf({ ...dev, queue: tooShort })).toContain('queue.visibilityTimeoutSeconds');
  });

  it('rejects a default plan that is not one of the plans', () => {
    expect(problemsOf({ ...dev, api: { ...dev.api, defaultPlan: 'gold' } })).toMatch(
      /api\.defaultPlan: must be one of the plans: free, standard, pro/,
    );
  });

  it('rejects a plan whose rate or burst exceeds the stage throttle', () => {
    const plans = {
      ...dev.api.plans,
      pro: { ...dev.api.plans.pro!, throttle: { rateLimit: 51, burstLimit: 101 } },
    };
    const message = problemsOf({ ...dev, api: { ...dev.api, plans } });
    expect(message).toContain('api.plans.pro.throttle.rateLimit: must not exceed the stage throttle (50)');
    expect(message).toContain('api.plans.pro.throttle.burstLimit: must not exceed the stage throttle (100)');
  });

  it('requires at least one plan, and plan names fit for env JSON and resource names', () => {
    expect(problemsOf({ ...dev, api: { ...dev.api, plans: {} } })).toContain('api.plans');
    expect(
      problemsOf({ ...dev, api: { ...dev.api, plans: { 'Gold Tier': dev.api.plans.free! } } }),
    ).toContain('api.plans');
  });

  it('accepts origins or a lone *, and nothing else, for CORS', () => {
    const withOrigins = (corsAllowOrigins: string[]) => ({ ...dev, api: { ...dev.api, corsAllowOrigins } });
    expect(
      parseStageConfig(withOrigins(['https://app.example.com', 'http://localhost:3000'])).api,
    ).toMatchObject({
      corsAllowOrigins: ['https://app.example.com', 'http://localhost:3000'],
    });
    expect(parseStageConfig(withOrigins(['*'])).api.corsAllowOrigins).toEqual(['*']);
    expect(problemsOf(withOrigins(['*', 'https://app.example.com']))).toContain('api.corsAllowOrigins');
    expect(problemsOf(withOrigins(['https://app.example.com/path']))).toContain('api.corsAllowOrigins');
  });

  it('rejects alarms that need more breaching datapoints than they evaluate', () => {
    expect(
      problemsOf({ ...dev, alarms: { ...dev.alarms, evaluationPeriods: 1, datapointsToAlarm: 2 } }),
    ).toContain('alarms.datapointsToAlarm');
  });
});
