import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../../lib/config/env-names.js';
import type { MemoryFunction } from './memory-function.js';

export interface BedrockModelAccessProps {
  /** The embedding model: bound as `EMBEDDING_*`, invoked on exactly its foundation-model ARN. */
  readonly embedding: {
    readonly provider: 'bedrock-titan' | 'bedrock-cohere';
    readonly modelId: string;
    readonly dimensions: number;
  };
  /**
   * The Converse model of extraction and summaries: a cross-region inference profile id and the
   * regions it routes to.
   */
  readonly extraction: { readonly inferenceProfileId: string; readonly modelRegions: readonly string[] };
  /**
   * Region of the embedding model and of the inference profile.
   * @default - the stack's region
   */
  readonly region?: string;
}

/**
 * The stage's Bedrock models, and access to them per function: each grant binds the model's
 * settings and `bedrock:InvokeModel` on exact ARNs together (never `bedrock:*`, never a wildcard),
 * so a function never knows a model it may not call, or the reverse. Holds no resources.
 */
export class BedrockModelAccess extends Construct {
  private readonly props: BedrockModelAccessProps;

  constructor(scope: Construct, id: string, props: BedrockModelAccessProps) {
    super(scope, id);
    this.props = props;
  }

  /** The `embedding` need: the model's settings and InvokeModel on its foundation-model ARN. */
  grantEmbedding(fn: MemoryFunction): void {
    const stack = Stack.of(this);
    this.bindEmbeddingSettings(fn);
    fn.lambda.addToRolePolicy(
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: [
          `arn:${stack.partition}:bedrock:${this.region}::foundation-model/${this.props.embedding.modelId}`,
        ],
      }),
    );
  }

  /**
   * The `extraction` need. Converse through a cross-region inference profile needs the profile and
   * the foundation model in each region it routes to; exactly those ARNs, nothing wider.
   */
  grantExtraction(fn: MemoryFunction): void {
    const stack = Stack.of(this);
    const { inferenceProfileId, modelRegions } = this.props.extraction;
    const modelId = inferenceProfileId.slice(inferenceProfileId.indexOf('.') + 1);
    fn.lambda.addToRolePolicy(
      new PolicyStatement({
        actions: ['bedrock:InvokeModel'],
        resources: [
          `arn:${stack.partition}:bedrock:${this.region}:${stack.account}:inference-profile/${inferenceProfileId}`,
          ...modelRegions.map(
            (region) => `arn:${stack.partition}:bedrock:${region}::foundation-model/${modelId}`,
          ),
        ],
      }),
    );
    this.bindExtractionSettings(fn);
  }

  /** The `model-ids` need: both models' settings, shown to operators; no grant (never called). */
  bindModelIds(fn: MemoryFunction): void {
    this.bindEmbeddingSettings(fn);
    this.bindExtractionSettings(fn);
  }

  private get region(): string {
    return this.props.region ?? Stack.of(this).region;
  }

  private bindEmbeddingSettings(fn: MemoryFunction): void {
    const { provider, modelId, dimensions } = this.props.embedding;
    fn.lambda.addEnvironment(ENV.embeddingProvider, provider);
    fn.lambda.addEnvironment(ENV.embeddingModelId, modelId);
    fn.lambda.addEnvironment(ENV.embeddingDimensions, String(dimensions));
  }

  private bindExtractionSettings(fn: MemoryFunction): void {
    fn.lambda.addEnvironment(ENV.extractionProvider, 'bedrock');
    fn.lambda.addEnvironment(ENV.extractionModelId, this.props.extraction.inferenceProfileId);
  }
}
