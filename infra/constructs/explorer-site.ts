import { resolve } from 'node:path';
import { DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildExplorer } from '../../explorer/build.js';
import { contentSecurityPolicy, HSTS_SECONDS } from '../../explorer/security-headers.js';
import { acknowledgeWildcardResource } from '../nag.js';

export interface ExplorerSiteProps {
  /**
   * The data API's origin (`https://{id}.execute-api.{region}.amazonaws.com`, tokens allowed): the
   * only place the page may connect to besides itself (CSP `connect-src`).
   */
  readonly apiOrigin: string;
  /** The data API's base URL, written into the site's `config.json`. */
  readonly apiUrl: string;
  /** What happens to the bucket when the stack goes. Default: destroy (the files are rebuilt on deploy). */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The memory explorer as a static site: a private, encrypted S3 bucket (all public access blocked,
 * TLS only) read by CloudFront through origin access control, with a response headers policy that
 * carries the explorer's strict Content-Security-Policy (explorer/security-headers.ts, the same as
 * the local server's), HSTS, nosniff, frame deny and no referrer. The files are built by esbuild at
 * synthesis (local bundling, no Docker) and copied with `config.json` naming the data API.
 */
export class ExplorerSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly responseHeadersPolicy: ResponseHeadersPolicy;
  /** `https://{distribution domain}`: the origin the data API must allow (CORS). */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ExplorerSiteProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      autoDeleteObjects: false,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds the three public files of a static page and is read only by CloudFront (origin access control); there is nothing to audit per object read.',
    });

    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Agent Memory explorer: strict CSP, HSTS, nosniff, frame deny',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(props.apiOrigin),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Agent Memory explorer',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'The page holds no data (it is the same for everyone); who may read memories is decided by the API key at the data API.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static files only; the data API the page calls has its own per-IP WAF rule in production stages (api.waf). A CloudFront web ACL must live in us-east-1, another stack.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Access logs of three static files say nothing; the data API logs every call the page makes (access logs without bodies).',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate allows TLS 1.0 viewers for old clients; the minimum protocol applies with a custom domain and certificate, which a stage may add.',
      },
    );
    this.origin = `https://${this.distribution.distributionDomainName}`;

    const site = new BucketDeployment(this, 'Files', {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(resolve(import.meta.dirname, '../../explorer'), {
          bundling: {
            // esbuild in this process (tryBundle always succeeds): the image is never pulled.
            image: DockerImage.fromRegistry('scratch'),
            local: {
              tryBundle(outputDir) {
                buildExplorer(outputDir);
                return true;
              },
            },
          },
        }),
        Source.jsonData('config.json', { apiUrl: props.apiUrl }),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 256,
    });
    acknowledgeDeploymentHandler(this, site, this.bucket);
  }
}

/** The bucket deployment's handler is CDK's own (a singleton per stack): acknowledged with reasons. */
function acknowledgeDeploymentHandler(scope: Construct, site: BucketDeployment, bucket: Bucket): void {
  const stack = Stack.of(scope);
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (!handler) throw new Error("CDK's bucket-deployment handler was not found: its construct id changed");
  const copies =
    "CDK's bucket-deployment handler copies the built files from the CDK asset bucket into the explorer bucket at deploy time (CDK generates this grant)";
  Validations.of(handler).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's bucket-deployment handler writes its own logs with AWSLambdaBasicExecutionRole; it runs only at deploy time.",
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        "The runtime of CDK's bucket-deployment handler is chosen by aws-cdk-lib and follows CDK upgrades.",
    },
    ...['s3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:Abort*', 's3:DeleteObject*'].map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: copies,
    })),
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudfront:CreateInvalidation and GetInvalidation take no resource narrower than * in the handler CDK generates.',
    },
  );
  acknowledgeWildcardResource(handler, `${bucket.bucketArn}/*`, copies);
  acknowledgeWildcardResource(
    handler,
    `arn:${stack.partition}:s3:::${(stack.synthesizer as { bucketName?: string }).bucketName ?? ''}/*`,
    copies,
  );
  void site;
}
