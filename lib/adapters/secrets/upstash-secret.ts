import * as z from 'zod';
import { ConfigError, isAllowedUpstashUrl, UPSTASH_URL_RULE } from '../../config/runtime-config.js';
import { DependencyUnavailableError } from '../../domain/errors.js';

/** Secrets Manager errors that say "not now": the read may succeed later. */
const UNAVAILABLE_ERRORS = new Set([
  'InternalServiceError',
  'ThrottlingException',
  'TooManyRequestsException',
]);

/**
 * The secret's JSON. Issues are reported by field name and rule only: zod's own messages are not
 * used, so nothing of the value can reach a message.
 */
const upstashSecretSchema = z.object({
  url: z.url({ protocol: /^https?$/ }).refine(isAllowedUpstashUrl),
  token: z.string().trim().min(1),
});

const FIELD_RULES: Record<string, string> = {
  url: UPSTASH_URL_RULE,
  token: 'must be the non-empty Upstash REST token',
};

/**
 * Reads the Upstash REST URL and token from a Secrets Manager secret holding
 * `{"url": "https://…", "token": "…"}` (SecretString, AWSCURRENT).
 *
 * The SDK is imported here, not at module scope, so functions that never read the secret do not pay
 * for loading it. The endpoint is Secrets Manager's unless the SDK finds
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` (or `AWS_ENDPOINT_URL`) in the environment.
 *
 * Errors never carry the secret's contents: a missing, unreadable, malformed or placeholder secret is
 * a ConfigError that says what to fix; throttling, 5xx and network failures are a (retryable)
 * DependencyUnavailableError.
 */
export async function loadUpstashCredentials(input: {
  readonly secretId: string;
  readonly region: string;
}): Promise<{ readonly url: string; readonly token: string }> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({
    region: input.region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
  });
  let secretString: string | undefined;
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: input.secretId }));
    secretString = output.SecretString;
  } catch (error) {
    throw readError(error, input.secretId);
  } finally {
    client.destroy();
  }
  if (secretString === undefined) {
    throw new ConfigError(
      `secret ${input.secretId} holds no SecretString; store the Upstash credentials as JSON text (${putHint(input.secretId)})`,
    );
  }
  return parseUpstashSecret(secretString, input.secretId);
}

/** Validates the secret's text; exported for callers that obtained it some other way. */
export function parseUpstashSecret(secretString: string, secretId: string): { url: string; token: string } {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    // Not the parser's message: it quotes the text it choked on.
    throw new ConfigError(
      `secret ${secretId} is not JSON; it must hold {"url": …, "token": …} (${putHint(secretId)})`,
    );
  }
  if (isPlaceholder(json)) {
    throw new ConfigError(
      `secret ${secretId} still holds the empty placeholder written at deploy time; ${putHint(secretId)}`,
    );
  }
  const parsed = upstashSecretSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '(root)')))];
    const problems = fields.map((field) => `${field} ${FIELD_RULES[field] ?? 'is invalid'}`);
    throw new ConfigError(`secret ${secretId} is not valid: ${problems.join('; ')} (${putHint(secretId)})`);
  }
  return parsed.data;
}

function putHint(secretId: string): string {
  return (
    `run: aws secretsmanager put-secret-value --secret-id ${secretId} ` +
    `--secret-string '{"url":"https://<database>.upstash.io","token":"<REST token>"}'`
  );
}

function isPlaceholder(json: unknown): boolean {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false;
  const { url, token } = json as Record<string, unknown>;
  const blank = (value: unknown) => value === undefined || (typeof value === 'string' && value.trim() === '');
  return blank(url) && blank(token);
}

function readError(error: unknown, secretId: string): Error {
  const name = error instanceof Error ? error.name : 'unknown error';
  const sdkError = error as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  const unanswered = sdkError?.$metadata !== undefined && sdkError.$metadata.httpStatusCode === undefined;
  if (UNAVAILABLE_ERRORS.has(name) || sdkError?.$fault === 'server' || unanswered) {
    return new DependencyUnavailableError(`Secrets Manager is unavailable (${name})`, undefined, {
      cause: error,
    });
  }
  switch (name) {
    case 'ResourceNotFoundException':
      return new ConfigError(
        `secret ${secretId} does not exist or has no current value; create it, then ${putHint(secretId)}`,
      );
    case 'AccessDeniedException':
      return new ConfigError(
        `this function's role may not read secret ${secretId} (secretsmanager:GetSecretValue)`,
      );
    case 'DecryptionFailure':
      return new ConfigError(
        `secret ${secretId} cannot be decrypted with its KMS key by this function's role`,
      );
    case 'InvalidRequestException':
      return new ConfigError(
        `secret ${secretId} cannot be read now (${name}); is it scheduled for deletion?`,
      );
    default:
      return new ConfigError(`secret ${secretId} cannot be read (${name})`);
  }
}
