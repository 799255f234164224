import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SecretsManagerFake,
  startSecretsManagerFake,
} from '../../dev/local-stack/secrets-manager-fake.js';
import { loadUpstashCredentials } from '../../lib/adapters/secrets/upstash-secret.js';
import { ConfigError } from '../../lib/config/runtime-config.js';
import { DependencyUnavailableError } from '../../lib/domain/errors.js';

/** A token that would be easy to spot in any message. */
const TOKEN = `AX${randomBytes(24).toString('base64url')}SECRET`;
const URL_VALUE = 'https://eu1-sharp-mole-12345.upstash.io';

let fake: SecretsManagerFake;
let client: SecretsManagerClient;
const savedEnv = { ...process.env };

beforeAll(async () => {
  fake = await startSecretsManagerFake({ region: 'eu-central-1' });
  // As in the local stack: the SDK finds the endpoint and credentials in the environment.
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = fake.url;
  process.env.AWS_ACCESS_KEY_ID = fake.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = fake.credentials.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  client = new SecretsManagerClient({ region: fake.region, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await fake?.stop();
  process.env = savedEnv;
});

/** Creates a secret with this text and returns its ARN. */
async function secretHolding(secretString: string): Promise<string> {
  const created = await client.send(
    new CreateSecretCommand({
      Name: `agent-memory/upstash-${randomBytes(4).toString('hex')}`,
      SecretString: secretString,
    }),
  );
  return created.ARN!;
}

/** Loads, expecting a failure; returns it. */
async function failure(secretId: string): Promise<Error> {
  const error = await loadUpstashCredentials({ secretId, region: fake.region }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  // Whatever went wrong, the token never reaches a message.
  expect(message).not.toContain(TOKEN);
  expect(JSON.stringify(error)).not.toContain(TOKEN);
  return error as Error;
}

describe('loadUpstashCredentials against the Secrets Manager fake', () => {
  it('reads the URL and token of a good secret, by ARN and by name', async () => {
    const arn = await secretHolding(JSON.stringify({ url: URL_VALUE, token: TOKEN }));
    const name = arn.split(':secret:')[1]!.slice(0, -7);

    const byArn = await loadUpstashCredentials({ secretId: arn, region: fake.region });
    const byName = await loadUpstashCredentials({ secretId: name, region: fake.region });

    expect(byArn).toEqual({ url: URL_VALUE, token: TOKEN });
    expect(byName).toEqual(byArn);
  });

  it('reads the current version after put-secret-value replaced the placeholder', async () => {
    const arn = await secretHolding('{"url":"","token":""}');

    await client.send(
      new PutSecretValueCommand({
        SecretId: arn,
        SecretString: JSON.stringify({ url: URL_VALUE, token: TOKEN }),
      }),
    );

    await expect(loadUpstashCredentials({ secretId: arn, region: fake.region })).resolves.toEqual({
      url: URL_VALUE,
      token: TOKEN,
    });
  });

  it('tells the operator how to fill the empty placeholder', async () => {
    const arn = await secretHolding('{"url":"","token":""}');

    const error = await failure(arn);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('placeholder');
    expect(error.message).toContain(`aws secretsmanager put-secret-value --secret-id ${arn}`);
  });

  it('reports a missing secret as a configuration error naming it', async () => {
    const missing = `arn:aws:secretsmanager:${fake.region}:000000000000:secret:agent-memory/nope-AbCdEf`;

    const error = await failure(missing);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`secret ${missing} does not exist`);
  });

  it('reports malformed JSON without quoting it', async () => {
    const arn = await secretHolding(`{"url": "${URL_VALUE}", "token": "${TOKEN}"`);

    const error = await failure(arn);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('is not JSON');
  });

  it.each([
    ['an ftp URL', { url: 'ftp://example.com', token: TOKEN }, /url must be the https URL/],
    // The token would cross the network in clear text (security review 2026-12, finding 15).
    [
      'a plain http URL off loopback',
      { url: 'http://eu1.upstash.io', token: TOKEN },
      /url must be the https URL/,
    ],
    ['no URL', { token: TOKEN }, /url must be/],
    ['a blank token', { url: URL_VALUE, token: '   ' }, /token must be the non-empty Upstash REST token/],
    ['a token that is not a string', { url: URL_VALUE, token: 42 }, /token must be/],
    ['an array', [URL_VALUE, TOKEN], /is not valid/],
  ])('refuses a secret with %s, naming the field and not the value', async (_, json, message) => {
    const arn = await secretHolding(JSON.stringify(json));

    const error = await failure(arn);

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(message);
  });

  it('accepts the local stack http URL', async () => {
    const arn = await secretHolding(JSON.stringify({ url: 'http://127.0.0.1:8079', token: TOKEN }));

    await expect(loadUpstashCredentials({ secretId: arn, region: fake.region })).resolves.toEqual({
      url: 'http://127.0.0.1:8079',
      token: TOKEN,
    });
  });

  it('reports an unreachable Secrets Manager as a retryable dependency failure', async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = 'http://127.0.0.1:9';
    try {
      const error = await failure('any-secret');

      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect((error as DependencyUnavailableError).retryable).toBe(true);
    } finally {
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = fake.url;
    }
  });
});

describe('the Secrets Manager fake speaks awsJson1_1 as the SDK expects', () => {
  it('gives ARNs with the 6-character suffix and moves AWSCURRENT on put', async () => {
    const name = `agent-memory/versions-${randomBytes(3).toString('hex')}`;
    const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: 'one' }));
    const put = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two' }));

    const current = await client.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }),
    );
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));

    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:${fake.region}:000000000000:secret:${name}-[A-Za-z0-9]{6}$`),
    );
    expect(current).toMatchObject({
      SecretString: 'two',
      VersionId: put.VersionId,
      VersionStages: ['AWSCURRENT'],
    });
    expect(current.CreatedDate).toBeInstanceOf(Date);
    expect(previous).toMatchObject({ SecretString: 'one', VersionId: created.VersionId });
    expect(described.VersionIdsToStages).toEqual({
      [created.VersionId!]: ['AWSPREVIOUS'],
      [put.VersionId!]: ['AWSCURRENT'],
    });
  });

  it('finds a secret by its partial ARN (without the suffix)', async () => {
    const arn = await secretHolding('x');

    const value = await client.send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }));

    expect(value.ARN).toBe(arn);
  });

  it('raises the modelled exceptions', async () => {
    const name = `agent-memory/dup-${randomBytes(3).toString('hex')}`;
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    const empty = await client.send(new CreateSecretCommand({ Name: `${name}-empty` }));

    const duplicate = await client
      .send(new CreateSecretCommand({ Name: name, SecretString: 'y' }))
      .catch((e: unknown) => e);
    const missing = await client
      .send(new GetSecretValueCommand({ SecretId: 'no/such/secret' }))
      .catch((e: unknown) => e);
    const valueless = await client
      .send(new GetSecretValueCommand({ SecretId: empty.ARN }))
      .catch((e: unknown) => e);

    expect(duplicate).toBeInstanceOf(ResourceExistsException);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as Error).message).toBe("Secrets Manager can't find the specified secret.");
    expect(missing).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    expect(valueless).toBeInstanceOf(ResourceNotFoundException);
    expect((valueless as Error).message).toContain('staging label: AWSCURRENT');
  });

  it('refuses unsigned requests', async () => {
    const response = await fetch(fake.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'secretsmanager.GetSecretValue',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{"SecretId":"x"}',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
