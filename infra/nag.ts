/**
 * cdk-nag 3 wiring. The AwsSolutions pack runs as a CDK policy-validation plugin
 * (`Validations.of(app).addPlugins(…)`): any finding that is not acknowledged fails synthesis (and
 * `cdk synth` / `cdk deploy`), warnings included. Acknowledgments live next to the resource they
 * concern, each with its reason (`Validations.of(construct).acknowledge({ id, reason })`; an
 * acknowledgment on a construct covers its children).
 */
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
// Not re-exported by the package's index; used so an acknowledgment names a wildcard exactly as the
// rule prints it (pinned with cdk-nag; the nag test fails if the two ever disagree).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** Registers the AwsSolutions rule pack on the whole app. Call once, before synthesis. */
export function addNagChecks(app: App): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(checks);
  return checks;
}

/**
 * Acknowledges AwsSolutions-IAM5 for one wildcard resource (an ARN string, tokens allowed) in the
 * policies of `scope` and its children. cdk-nag 3 reports each wildcard as its own finding,
 * `AwsSolutions-IAM5[Resource::<flattened ARN>]`, and matches acknowledgments exactly.
 */
export function acknowledgeWildcardResource(scope: IConstruct, arn: string, reason: string): void {
  const flattened = flattenCfnReference(Stack.of(scope).resolve(arn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flattened}]`, reason });
}
