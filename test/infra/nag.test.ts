import { App, Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { addNagChecks } from '../../infra/nag.js';
import { defineApp, devApp, devConfig, STAGE_API, synthesize } from './synth-fixture.js';

/** Unacknowledged AwsSolutions findings (errors and warnings) in `app`, as `rule at path` lines. */
function findings(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding in the dev stage', () => {
    expect(findings(devApp().app)).toEqual([]);
  });

  it('stays clean with CORS, an imported secret, an account and alarm emails', () => {
    const variant = synthesize(
      devConfig({
        account: '123456789012',
        upstash: { existingSecretName: 'shared/upstash' },
        api: { ...STAGE_API, corsAllowOrigins: ['https://app.example.com'], manageCloudWatchRole: false },
        alarms: { ...devConfig().alarms, notifyEmails: ['oncall@example.com'] },
      }),
    );
    expect(findings(variant.app)).toEqual([]);
  });

  // Two syntheses, one with CloudFormation validation, of a stack that doubled its paths (decision
  // record 0016): past the default 30 s on a shared 2-core runner (55 s measured at load 24).
  it('stays clean in a production stage, whose data API has a web ACL (no APIG3 acknowledgement)', {
    timeout: 120_000,
  }, () => {
    const production = devConfig({ terminationProtection: true, removalPolicy: 'retain' });
    expect(findings(synthesize(production).app)).toEqual([]);
    const { app } = defineApp(production, { builtinCloudFormationValidation: true });
    expect(() => app.synth()).not.toThrow();
  });

  it("synthesizes as `cdk synth` does, CDK's own CloudFormation validation included", () => {
    const { app } = defineApp(devConfig(), { builtinCloudFormationValidation: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('runs on synthesis and fails it on an unacknowledged finding', () => {
    const app = new App();
    // A queue without DLQ or TLS enforcement: AwsSolutions-SQS3 and -SQS4.
    new Queue(new Stack(app, 'Careless'), 'Queue');
    addNagChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3|AwsSolutions::AwsSolutions-SQS3/);
  });
});
