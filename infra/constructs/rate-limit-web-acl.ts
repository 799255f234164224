import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface RateLimitWebAclProps {
  /** ARN of the API Gateway stage to protect (`RestApi.deploymentStage.stageArn`). */
  readonly stageArn: string;
  /**
   * Requests one client IP may make in any 5-minute window before WAF blocks it (WAF's own unit;
   * minimum 10). See https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html
   */
  readonly requestsPerIpPer5Minutes: number;
  /** CloudWatch metric name prefix of the web ACL and its rule. */
  readonly metricName: string;
}

/**
 * A regional WAF web ACL on one REST API stage with a single rate-based rule per client IP. The
 * stage throttle is shared by every tenant, and the authorizer runs for every request, keyed or
 * not: without a per-IP limit in front, anyone can flood the stage and leave all tenants with 429s
 * (security review 2026-12, finding 9). Everything else is allowed; keys, usage plans and the
 * stage throttle still apply behind it.
 */
export class RateLimitWebAcl extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: RateLimitWebAclProps) {
    super(scope, id);
    const visibility = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: name,
      // Sampled requests would keep request headers (API keys among them) in the WAF console.
      sampledRequestsEnabled: false,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.metricName),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: props.requestsPerIpPer5Minutes, aggregateKeyType: 'IP' },
          },
          visibilityConfig: visibility(`${props.metricName}-rate-per-ip`),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
