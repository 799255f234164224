/**
 * A local fake of AWS Secrets Manager for the operations the service uses, so that the production
 * `@aws-sdk/client-secrets-manager` client runs unchanged against it (reach it with `endpoint`, or
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`, which the SDK reads itself).
 *
 * Wire protocol (awsJson1_1, as the SDK's AwsJson1_1Protocol speaks it):
 *
 * - `POST /` with `X-Amz-Target: secretsmanager.<Operation>` and
 *   `Content-Type: application/x-amz-json-1.1`; the body is the operation's input as JSON (member
 *   names as modelled: `SecretId`, `SecretString`, …); the answer is `application/x-amz-json-1.1`.
 * - Timestamps (`CreatedDate`, `LastChangedDate`) are epoch seconds; `SecretBinary` is base64.
 * - Errors: HTTP 400 (500 for `InternalServiceError`), body `{"__type": "<Name>", "Message": …}`
 *   (the SDK reads `__type` first; it also accepts `message`), plus `x-amzn-ErrorType: <Name>`.
 * - Requests need an `Authorization: AWS4-HMAC-SHA256 …` header (not verified); without one the
 *   answer is 400 `MissingAuthenticationTokenException`, as AWS's JSON services answer.
 *
 * Operations:
 *
 * - `CreateSecret {Name, ClientRequestToken?, Description?, SecretString?|SecretBinary?}` → `{ARN, Name,
 *   VersionId?}`; the ARN is `arn:aws:secretsmanager:<region>:000000000000:secret:<Name>-<6 random
 *   characters>`; the first value becomes `AWSCURRENT`. An existing name: `ResourceExistsException`.
 * - `PutSecretValue {SecretId, ClientRequestToken?, SecretString?|SecretBinary?, VersionStages?}` →
 *   `{ARN, Name, VersionId, VersionStages}`; the new version takes `AWSCURRENT` (the old one
 *   `AWSPREVIOUS`). The token is the version id: a repeat with the same value is a no-op, with another
 *   value `ResourceExistsException`.
 * - `GetSecretValue {SecretId, VersionId?, VersionStage?}` → `{ARN, Name, VersionId, SecretString |
 *   SecretBinary, VersionStages, CreatedDate}`.
 * - `DescribeSecret {SecretId}` → `{ARN, Name, Description?, CreatedDate, LastChangedDate,
 *   VersionIdsToStages}`.
 * - `SecretId` may be the name, the full ARN, or the ARN without its random suffix (a partial ARN).
 *   Unknown: 400 `ResourceNotFoundException` "Secrets Manager can't find the specified secret."; no
 *   version under the asked stage: "… can't find the specified secret value for staging label: …".
 * - Other targets: 400 `UnknownOperationException`.
 *
 * Not reproduced: signature checks, KMS, rotation, replication, resource policies, tags, deletion,
 * ListSecrets/BatchGetSecretValue, the secret-name character rules beyond a basic check.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenHttp } from './http-kit.js';

export interface SecretsManagerFakeOptions {
  readonly port?: number;
  readonly host?: string;
  readonly region?: string;
}

export interface SecretsManagerFake {
  readonly url: string;
  /** A region and dummy credentials that the client can sign with. */
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Requests served, by operation (refused ones included). */
  readonly requests: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

const ACCOUNT_ID = '000000000000';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_SECRET_BYTES = 65_536;
const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

interface SecretVersion {
  readonly id: string;
  readonly secretString: string | undefined;
  readonly secretBinary: string | undefined;
  readonly createdDate: number;
  stages: string[];
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly createdDate: number;
  lastChangedDate: number;
  readonly versions: Map<string, SecretVersion>;
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const notFound = () =>
  new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const invalidParameter = (message: string) => new ServiceError('InvalidParameterException', message);

type Operation = (input: Record<string, unknown>) => unknown;

export async function startSecretsManagerFake(
  options: SecretsManagerFakeOptions = {},
): Promise<SecretsManagerFake> {
  const region = options.region ?? 'us-east-1';
  const secrets = new Map<string, Secret>();
  const requests: Record<string, number> = {};
  const now = () => Math.floor(Date.now() / 1000);

  const find = (secretId: unknown): Secret => {
    if (typeof secretId !== 'string' || secretId.length === 0) {
      throw invalidParameter('Invalid parameter: SecretId is required');
    }
    for (const secret of secrets.values()) {
      if (secret.name === secretId || secret.arn === secretId) return secret;
      // A partial ARN: the full one without `-XXXXXX`.
      if (secretId.startsWith('arn:') && secret.arn.slice(0, -7) === secretId) return secret;
    }
    throw notFound();
  };

  const addVersion = (secret: Secret, input: Record<string, unknown>, stages: string[]): SecretVersion => {
    const value = secretValueOf(input);
    const token = input.ClientRequestToken ?? randomUUID();
    if (typeof token !== 'string' || token.length < 32 || token.length > 64) {
      throw invalidParameter('ClientRequestToken must be 32 to 64 characters');
    }
    const existing = secret.versions.get(token);
    if (existing) {
      if (existing.secretString === value.secretString && existing.secretBinary === value.secretBinary) {
        return existing;
      }
      throw new ServiceError(
        'ResourceExistsException',
        `You can't modify an existing version, you can only create a new version.`,
      );
    }
    for (const stage of stages) {
      for (const other of secret.versions.values()) {
        if (!other.stages.includes(stage)) continue;
        other.stages = other.stages.filter((s) => s !== stage);
        if (stage === 'AWSCURRENT') {
          for (const previous of secret.versions.values()) {
            previous.stages = previous.stages.filter((s) => s !== 'AWSPREVIOUS');
          }
          other.stages.push('AWSPREVIOUS');
        }
      }
    }
    const version: SecretVersion = { id: token, ...value, createdDate: now(), stages: [...stages] };
    secret.versions.set(token, version);
    secret.lastChangedDate = version.createdDate;
    return version;
  };

  const operations: Record<string, Operation> = {
    CreateSecret: (input) => {
      const name = input.Name;
      if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
        throw invalidParameter(
          'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
        );
      }
      if ([...secrets.values()].some((secret) => secret.name === name)) {
        throw new ServiceError(
          'ResourceExistsException',
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const suffix = Array.from(
        randomBytes(6),
        (byte) => SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length],
      ).join('');
      const stamp = now();
      const secret: Secret = {
        arn: `arn:aws:secretsmanager:${region}:${ACCOUNT_ID}:secret:${name}-${suffix}`,
        name,
        description: typeof input.Description === 'string' ? input.Description : undefined,
        createdDate: stamp,
        lastChangedDate: stamp,
        versions: new Map(),
      };
      const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
      const version = hasValue ? addVersion(secret, input, ['AWSCURRENT']) : undefined;
      secrets.set(secret.arn, secret);
      return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.id } : {}) };
    },

    PutSecretValue: (input) => {
      const secret = find(input.SecretId);
      const stages = input.VersionStages ?? ['AWSCURRENT'];
      if (!Array.isArray(stages) || !stages.every((stage) => typeof stage === 'string')) {
        throw invalidParameter('VersionStages must be a list of strings');
      }
      const version = addVersion(secret, input, stages as string[]);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages };
    },

    GetSecretValue: (input) => {
      const secret = find(input.SecretId);
      let version: SecretVersion | undefined;
      if (typeof input.VersionId === 'string') {
        version = secret.versions.get(input.VersionId);
        if (!version) {
          throw new ServiceError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`,
          );
        }
      } else {
        const stage = typeof input.VersionStage === 'string' ? input.VersionStage : 'AWSCURRENT';
        version = [...secret.versions.values()].find((candidate) => candidate.stages.includes(stage));
        if (!version) {
          throw new ServiceError(
            'ResourceNotFoundException',
            `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
          );
        }
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
        ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
        VersionStages: version.stages,
        CreatedDate: version.createdDate,
      };
    },

    DescribeSecret: (input) => {
      const secret = find(input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.description !== undefined ? { Description: secret.description } : {}),
        CreatedDate: secret.createdDate,
        LastChangedDate: secret.lastChangedDate,
        VersionIdsToStages: Object.fromEntries(
          [...secret.versions.values()].filter((v) => v.stages.length > 0).map((v) => [v.id, v.stages]),
        ),
      };
    },
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readAll(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operationName = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
    requests[operationName || '(none)'] = (requests[operationName || '(none)'] ?? 0) + 1;
    try {
      if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
        throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      const operation = req.method === 'POST' && req.url === '/' ? operations[operationName] : undefined;
      if (!operation) throw new ServiceError('UnknownOperationException', `Unknown operation ${target}`);
      let input: unknown;
      try {
        input = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        throw new ServiceError('SerializationException', 'Malformed request body');
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        throw new ServiceError('SerializationException', 'Malformed request body');
      }
      reply(res, 200, operation(input as Record<string, unknown>));
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : new ServiceError('InternalServiceError', 'An error occurred on the server side.', 500);
      reply(res, failure.status, { __type: failure.type, Message: failure.message }, failure.type);
    }
  };

  const listening = await listenHttp(serve, options);
  return {
    ...listening,
    region,
    credentials: { accessKeyId: 'AKIDLOCALSECRETS000', secretAccessKey: 'local-secrets-manager-fake-secret' },
    requests,
  };
}

function secretValueOf(input: Record<string, unknown>): {
  secretString: string | undefined;
  secretBinary: string | undefined;
} {
  const { SecretString: secretString, SecretBinary: secretBinary } = input;
  if (secretString !== undefined && secretBinary !== undefined) {
    throw invalidParameter('You must provide either SecretString or SecretBinary, but not both.');
  }
  if (secretString === undefined && secretBinary === undefined) {
    throw invalidParameter('You must provide either SecretString or SecretBinary.');
  }
  if (secretString !== undefined && typeof secretString !== 'string')
    throw invalidParameter('SecretString must be a string');
  if (secretBinary !== undefined && typeof secretBinary !== 'string')
    throw invalidParameter('SecretBinary must be base64');
  const size =
    secretString !== undefined
      ? Buffer.byteLength(secretString)
      : Buffer.from(secretBinary as string, 'base64').length;
  if (size > MAX_SECRET_BYTES)
    throw invalidParameter(`The secret value exceeds the ${MAX_SECRET_BYTES} byte limit.`);
  return {
    secretString: secretString as string | undefined,
    secretBinary: secretBinary as string | undefined,
  };
}

function reply(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(payload)),
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(payload);
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
