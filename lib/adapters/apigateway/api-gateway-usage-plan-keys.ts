import type { APIGatewayClient, APIGatewayClientConfig } from '@aws-sdk/client-api-gateway';
import * as z from 'zod';
import { ENV } from '../../config/env-names.js';
import { ConfigError } from '../../config/runtime-config.js';
import { ConflictError, DependencyUnavailableError, ValidationError } from '../../domain/errors.js';
import type { UsagePlanKeys } from '../../ports/usage-plan-keys.js';
import { lazy } from '../decorators/lazy.js';

/*
 * No value import of the SDK here: bundlers hoist static imports of the (external) SDK into every
 * bundle that includes this file, and only the admin function ever calls API Gateway. The client is
 * loaded on first use.
 */
type ApiGatewaySdk = typeof import('@aws-sdk/client-api-gateway');
const loadSdk = lazy((): Promise<ApiGatewaySdk> => import('@aws-sdk/client-api-gateway'));

/** API Gateway errors that say "not now": the call may succeed later. */
const UNAVAILABLE_ERRORS = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ServiceUnavailableException',
]);

export interface ApiGatewayUsagePlanKeysOptions {
  /** API Gateway usage plan id by tier name. */
  readonly planIds: Readonly<Record<string, string>>;
  /** The tier a key joins when the caller names none; one of `planIds`' tiers. */
  readonly defaultTier: string;
  /** The client, or a factory called once on first use. */
  readonly client: APIGatewayClient | (() => Promise<APIGatewayClient>);
}

/**
 * {@link UsagePlanKeys} over the API Gateway management API. A key is created enabled with the
 * service key's token as its value, then attached to its tier's usage plan; removal disables the key
 * first (so metering stops even if the delete fails) and then deletes it.
 *
 * Errors: an unknown tier is a ValidationError naming the allowed tiers; throttling, 5xx and network
 * failures are DependencyUnavailableError (retryable); a value API Gateway already holds is a
 * ConflictError; a value API Gateway refuses is a ValidationError; a configured plan id that API
 * Gateway does not know is a ConfigError naming ENV.usagePlanIds. Messages never carry key values.
 */
export class ApiGatewayUsagePlanKeys implements UsagePlanKeys {
  readonly tiers: readonly string[];
  readonly defaultTier: string;
  private readonly planIds: Readonly<Record<string, string>>;
  private readonly client: () => Promise<APIGatewayClient>;

  constructor(options: ApiGatewayUsagePlanKeysOptions) {
    this.planIds = { ...options.planIds };
    this.tiers = Object.keys(this.planIds);
    if (this.tiers.length === 0) throw new Error('at least one usage plan tier is required');
    if (!Object.hasOwn(this.planIds, options.defaultTier)) {
      throw new Error(`default tier ${options.defaultTier} is not one of: ${this.tiers.join(', ')}`);
    }
    this.defaultTier = options.defaultTier;
    const source = options.client;
    this.client = lazy(async () => (typeof source === 'function' ? source() : source));
  }

  async createKey(input: {
    readonly name: string;
    readonly value: string;
    readonly tier: string;
  }): Promise<string> {
    const usagePlanId = this.planIdOf(input.tier);
    const [sdk, client] = await Promise.all([loadSdk(), this.client()]);
    let keyId: string | undefined;
    try {
      const created = await client.send(
        new sdk.CreateApiKeyCommand({
          name: input.name,
          // Never the value: descriptions show up in the console and in GetApiKeys.
          description: `Agent Memory service key, ${input.tier} tier`,
          enabled: true,
          value: input.value,
        }),
      );
      keyId = created.id;
    } catch (error) {
      // Values are 238-bit random tokens, so a conflict means an earlier attempt of this very call
      // created the key and its answer was lost (the SDK retried): adopt that key.
      if (errorName(error) !== 'ConflictException') throw toDomainError(error, 'creating an API key');
      keyId = await this.findKeyByValue(client, sdk, input.name, input.value);
      if (!keyId) throw toDomainError(error, 'creating an API key');
    }
    if (!keyId) throw new DependencyUnavailableError('API Gateway answered CreateApiKey without a key id');
    try {
      await client.send(new sdk.CreateUsagePlanKeyCommand({ usagePlanId, keyId, keyType: 'API_KEY' }));
    } catch (error) {
      // Best effort: a key in no plan cannot be used for metering, so a failed clean-up leaves an
      // orphan that API Gateway refuses (INVALID_API_KEY), never a key that works.
      await client.send(new sdk.DeleteApiKeyCommand({ apiKey: keyId })).catch(() => undefined);
      if (errorName(error) === 'NotFoundException') {
        throw new ConfigError(
          `${ENV.usagePlanIds} maps tier ${input.tier} to usage plan ${usagePlanId}, which API Gateway does not know`,
        );
      }
      throw toDomainError(error, `attaching an API key to the ${input.tier} usage plan`);
    }
    return keyId;
  }

  async removeKey(gatewayKeyId: string): Promise<void> {
    const [sdk, client] = await Promise.all([loadSdk(), this.client()]);
    try {
      await client.send(
        new sdk.UpdateApiKeyCommand({
          apiKey: gatewayKeyId,
          patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }],
        }),
      );
      await client.send(new sdk.DeleteApiKeyCommand({ apiKey: gatewayKeyId }));
    } catch (error) {
      if (errorName(error) === 'NotFoundException') return;
      throw toDomainError(error, 'removing an API key');
    }
  }

  private async findKeyByValue(
    client: APIGatewayClient,
    sdk: Awaited<ReturnType<typeof loadSdk>>,
    name: string,
    value: string,
  ): Promise<string | undefined> {
    try {
      const found = await client.send(
        new sdk.GetApiKeysCommand({ nameQuery: name, includeValues: true, limit: 10 }),
      );
      return found.items?.find((key) => key.value === value && key.name === name)?.id;
    } catch {
      return undefined;
    }
  }

  private planIdOf(tier: string): string {
    if (!Object.hasOwn(this.planIds, tier)) {
      throw new ValidationError(`unknown usage plan tier ${JSON.stringify(tier)}`, [
        { field: 'tier', rule: 'enum', message: `must be one of: ${this.tiers.join(', ')}` },
      ]);
    }
    return this.planIds[tier]!;
  }
}

/**
 * The API Gateway client of the admin function: a small retry budget (3 attempts in all) and bounded
 * connect time. The endpoint is API Gateway's unless the SDK finds `AWS_ENDPOINT_URL_API_GATEWAY`
 * (or `AWS_ENDPOINT_URL`) in the environment, which is how the local stack points it at its fake.
 */
export async function createApiGatewayClient(
  config: Pick<APIGatewayClientConfig, 'region' | 'endpoint' | 'credentials' | 'maxAttempts'>,
): Promise<APIGatewayClient> {
  const { APIGatewayClient } = await loadSdk();
  return new APIGatewayClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    ...config,
  });
}

const planIdsSchema = z.record(
  z.string().regex(/^[\w-]{1,64}$/, 'tier names are 1-64 letters, digits, _ or -'),
  z.string().regex(/^[a-z0-9]{1,32}$/, 'usage plan ids are lowercase letters and digits'),
);

const envSchema = z
  .object({
    [ENV.usagePlanIds]: z
      .string({ message: 'is required: a JSON object of tier name -> usage plan id' })
      .transform((text, context) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          context.addIssue({
            code: 'custom',
            message: 'must be a JSON object of tier name -> usage plan id',
          });
          return z.NEVER;
        }
        const plans = planIdsSchema.safeParse(parsed);
        if (!plans.success) {
          for (const issue of plans.error.issues) {
            context.addIssue({ code: 'custom', message: `${issue.path.join('.')}: ${issue.message}` });
          }
          return z.NEVER;
        }
        if (Object.keys(plans.data).length === 0) {
          context.addIssue({ code: 'custom', message: 'must name at least one tier' });
          return z.NEVER;
        }
        return plans.data;
      }),
    [ENV.defaultUsagePlan]: z.string({ message: 'is required: the tier a key joins by default' }).min(1),
    [ENV.region]: z.string({ message: 'is required' }).min(1),
  })
  .superRefine((values, context) => {
    if (!Object.hasOwn(values[ENV.usagePlanIds], values[ENV.defaultUsagePlan])) {
      context.addIssue({
        code: 'custom',
        path: [ENV.defaultUsagePlan],
        message: `must be one of the tiers in ${ENV.usagePlanIds}: ${Object.keys(values[ENV.usagePlanIds]).join(', ')}`,
      });
    }
  });

/**
 * The admin function's {@link UsagePlanKeys}: plans from `USAGE_PLAN_IDS` (JSON, tier -> plan id),
 * the default tier from `DEFAULT_USAGE_PLAN`, the region from `AWS_REGION`. Checks the environment
 * now (ConfigError naming each bad variable, never its value) and loads the SDK on first use;
 * credentials come from the default provider chain, the endpoint from the SDK's own
 * `AWS_ENDPOINT_URL_API_GATEWAY` support.
 */
export function usagePlanKeysFromEnv(env: NodeJS.ProcessEnv = process.env): ApiGatewayUsagePlanKeys {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return new ApiGatewayUsagePlanKeys({
    planIds: values[ENV.usagePlanIds],
    defaultTier: values[ENV.defaultUsagePlan],
    client: () => createApiGatewayClient({ region: values[ENV.region] }),
  });
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

/** Maps an SDK failure to the domain taxonomy; anything else is returned as it is. */
function toDomainError(error: unknown, action: string): unknown {
  const name = errorName(error);
  const sdkError = error as {
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    retryAfterSeconds?: string;
  };
  // The SDK gives every failure `$metadata`; one without an HTTP status never got an answer (network).
  const unanswered = sdkError?.$metadata !== undefined && sdkError.$metadata.httpStatusCode === undefined;
  if (UNAVAILABLE_ERRORS.has(name) || sdkError?.$fault === 'server' || unanswered) {
    const retryAfter = Number(sdkError?.retryAfterSeconds);
    return new DependencyUnavailableError(
      `API Gateway is unavailable (${name}) while ${action}`,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      { cause: error },
    );
  }
  if (name === 'ConflictException') {
    return new ConflictError(`API Gateway already holds an API key with this value (${action})`);
  }
  if (name === 'BadRequestException' && error instanceof Error) {
    // API Gateway's own wording ("API Key value should be at least 20 characters"); it names rules, not values.
    return new ValidationError(`API Gateway refused the request while ${action}: ${error.message}`);
  }
  // Credentials, permissions, a wrong endpoint: a deployment fault, not the caller's; keep the SDK error.
  return error;
}
