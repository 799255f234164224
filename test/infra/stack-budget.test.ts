import { describe, expect, it } from 'vitest';
import { declaredHttpRoutes, httpRoutes } from '../../functions/catalog.js';
import { devApp, devConfig, STAGE_API, synthesize } from './synth-fixture.js';

/**
 * CloudFormation allows 500 resources per stack (https://docs.aws.amazon.com/AWSCloudFormation/latest/
 * UserGuide/cloudformation-limits.html). The service stack grows with every route (one method per
 * path family, a resource per new path segment) and every function (log group, role, policy,
 * function, one invoke permission): docs/decisions/0016-iris-paths-and-stack-budget.md has the
 * per-route costs and the headroom these budgets leave. The counts are in the tests' names, so the
 * run prints them.
 */
const HARD_LIMIT = 500;
/** The dev stage's defaults (no CORS, no web ACL): the planning budget for new routes. */
const DEFAULT_STAGE_BUDGET = 420;
/**
 * The heaviest configuration a stage can choose: CORS (an OPTIONS method on every API resource),
 * a web ACL, alarm e-mails, an account. 20 under the hard limit: what a CDK upgrade may add.
 */
const HEAVIEST_STAGE_BUDGET = HARD_LIMIT - 20;

const resourceCount = (resources: object): number => Object.keys(resources).length;
const heaviest = synthesize(
  devConfig({
    account: '123456789012',
    terminationProtection: true,
    removalPolicy: 'retain',
    api: { ...STAGE_API, corsAllowOrigins: ['https://app.example.com'] },
    alarms: { ...devConfig().alarms, notifyEmails: ['oncall@example.com'] },
  }),
);
const counts = {
  dev: resourceCount(devApp().serviceResources),
  heaviest: resourceCount(heaviest.serviceResources),
};
const routes = `${declaredHttpRoutes.length} declared routes, ${httpRoutes.length} with their aliases`;

describe(`the service stack’s CloudFormation budget (${routes})`, () => {
  it(`is ${counts.dev} resources in the default stage, within ${DEFAULT_STAGE_BUDGET}`, () => {
    expect(counts.dev, 'see docs/decisions/0016 before raising the budget').toBeLessThanOrEqual(
      DEFAULT_STAGE_BUDGET,
    );
  });

  it(`is ${counts.heaviest} resources with CORS, a web ACL and alarm e-mails, within ${HEAVIEST_STAGE_BUDGET}`, () => {
    expect(heaviest.ofType('AWS::WAFv2::WebACL')).toHaveLength(1);
    expect(
      heaviest.ofType('AWS::ApiGateway::Method').some(([, m]) => m.Properties.HttpMethod === 'OPTIONS'),
    ).toBe(true);
    expect(counts.heaviest, 'see docs/decisions/0016 before raising the budget').toBeLessThanOrEqual(
      HEAVIEST_STAGE_BUDGET,
    );
  });
});
