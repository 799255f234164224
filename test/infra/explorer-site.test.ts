import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../infra/config/stage-config.js';
import { devApp, devConfig, type Json, referencedIds, STAGE_API, synthesize } from './synth-fixture.js';

/** The memory explorer's static site (infra/constructs/explorer-site.ts), on when the stage asks. */
const withExplorer = synthesize(devConfig({ explorer: { enabled: true } }));
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};
const distributionEntry = () => only(withExplorer.ofType('AWS::CloudFront::Distribution'));
const headersPolicy = () =>
  only(withExplorer.ofType('AWS::CloudFront::ResponseHeadersPolicy'))[1].Properties
    .ResponseHeadersPolicyConfig;

/** A CloudFormation string value (`Fn::Join` of literals and references) as one comparable string. */
function flatten(value: Json): string {
  if (typeof value === 'string') return value;
  if (value?.['Fn::Join']) return (value['Fn::Join'][1] as Json[]).map(flatten).join(value['Fn::Join'][0]);
  if (value?.Ref) return `<${value.Ref}>`;
  if (value?.['Fn::GetAtt']) return `<${value['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(value);
}

describe('the explorer site', () => {
  it('is off unless the stage or `-c explorer=true` turns it on', () => {
    expect(devApp().ofType('AWS::CloudFront::Distribution')).toEqual([]);
    const context = (values: Record<string, string>) => ({ tryGetContext: (key: string) => values[key] });
    expect(loadStageConfig(context({ explorer: 'true' })).explorer.enabled).toBe(true);
    expect(loadStageConfig(context({})).explorer.enabled).toBe(false);
    expect(() => loadStageConfig(context({ explorer: 'yes' }))).toThrow(/explorer must be true or false/);
  });

  it('keeps the bucket private, encrypted and TLS-only, readable by this distribution alone', () => {
    const [bucketId, bucket] = only(withExplorer.ofType('AWS::S3::Bucket'));
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.BucketEncryption).toBeDefined();
    const [, policy] = only(
      withExplorer.ofType('AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === bucketId),
    );
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const allows = statements.filter((s) => s.Effect === 'Allow');
    // Only CloudFront, only reads, only for this distribution (origin access control, not a public read).
    expect(allows.map((s) => s.Principal)).toEqual([{ Service: 'cloudfront.amazonaws.com' }]);
    expect(allows[0].Action).toBe('s3:GetObject');
    const [distributionId] = distributionEntry();
    expect(referencedIds(allows[0].Condition)).toContain(distributionId);
  });

  it('serves it over HTTPS through origin access control with the security headers policy', () => {
    const [, distribution] = distributionEntry();
    const config = distribution.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    const origin = only(config.Origins as Json[]);
    expect(origin.OriginAccessControlId).toBeDefined();
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    const [policyId] = only(withExplorer.ofType('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(referencedIds(config.DefaultCacheBehavior.ResponseHeadersPolicyId)).toContain(policyId);
    expect(only(withExplorer.ofType('AWS::CloudFront::OriginAccessControl'))[1].Properties).toMatchObject({
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
  });

  it('sends a strict CSP that lets the page reach its own files and the data API only, plus HSTS, nosniff, frame deny', () => {
    const headers = headersPolicy().SecurityHeadersConfig;
    const csp = flatten(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    const restApiId = withExplorer.stacks.service.getLogicalId(
      withExplorer.stacks.service.api.node.defaultChild as never,
    );
    expect(csp).toMatch(new RegExp(`connect-src 'self' https://<${restApiId}>\\.execute-api\\.`));
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
  });

  it("adds the site's origin to the data API's CORS origins, beside the configured ones", () => {
    const [distributionId] = distributionEntry();
    const explorerOrigin = `https://<${distributionId}.DomainName>`;
    const variant = synthesize(
      devConfig({
        explorer: { enabled: true },
        api: { ...STAGE_API, corsAllowOrigins: ['https://app.example.com'] },
      }),
    );
    for (const app of [withExplorer, variant]) {
      const origins = flatten(app.environmentOf('search-memories').CORS_ALLOW_ORIGINS).split(',');
      expect(origins).toContain(explorerOrigin);
      // Preflight admits it too.
      const preflights = app
        .ofType('AWS::ApiGateway::Method')
        .filter(([, m]) => m.Properties.HttpMethod === 'OPTIONS')
        .map(([, m]) => JSON.stringify(m.Properties.Integration));
      expect(preflights.length).toBeGreaterThan(0);
      expect(preflights.every((text) => text.includes(distributionId))).toBe(true);
    }
    expect(flatten(variant.environmentOf('search-memories').CORS_ALLOW_ORIGINS).split(',')).toEqual([
      'https://app.example.com',
      explorerOrigin,
    ]);
  });

  it('deploys the built files with a config.json naming the data API, and prints the URL', () => {
    const [, deployment] = only(withExplorer.ofType('Custom::CDKBucketDeployment'));
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    expect(deployment.Properties.Prune).toBe(true);
    expect(JSON.stringify(deployment.Properties.SourceMarkers)).toContain('execute-api');
    expect(JSON.stringify(deployment.Properties.DistributionPaths)).toContain('/*');
    const outputs = withExplorer.service.toJSON().Outputs as Record<string, Json>;
    expect(flatten(outputs.ExplorerUrl.Value)).toMatch(/^https:\/\/<.+\.DomainName>\/$/);
  });

  it('has no unacknowledged cdk-nag finding', () => {
    const report = new AwsSolutionsChecks().validateScope(withExplorer.app);
    expect(
      report.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
      ),
    ).toEqual([]);
  });
});
