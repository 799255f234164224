import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../lib/adapters/sqs/sqs-client.js';

/** Pinned LocalStack community image (the last 4.x line that starts without an auth token). */
export const LOCALSTACK_IMAGE = 'localstack/localstack:4.9.2';

const DEFAULT_REGION = 'us-east-1';
/** Both emulators accept any credentials; these are LocalStack's conventional ones. */
const DUMMY_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export type LocalSqsPreference = 'auto' | 'fauxqs' | 'localstack';

export interface QueuePair {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export interface QueuePairOptions {
  /** Receives before SQS moves a message to the DLQ. Default 3. */
  readonly maxReceiveCount?: number;
  /** The main queue's visibility timeout. Default 30. */
  readonly visibilityTimeoutSeconds?: number;
}

/** An SQS endpoint for tests and `npm run dev`. */
export interface LocalSqs {
  readonly kind: 'fauxqs' | 'localstack';
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** The stack's own SQS client (one per stack; destroyed by `stop`), for tests and tools. */
  client(): SQSClient;
  /** Creates `<name>-dlq`, then `<name>` redriving to it. Idempotent for the same options. */
  createQueuePair(name: string, options?: QueuePairOptions): Promise<QueuePair>;
  /** Closes the emulator (server closed or container stopped). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a local SQS. `auto` (the default, or `AGENT_MEMORY_SQS=auto|fauxqs|localstack`) tries LocalStack
 * in a container and falls back to fauxqs in this process when there is no container runtime at all;
 * any other LocalStack failure is thrown, not hidden. An explicit `fauxqs` or `localstack` wins over the env.
 */
export async function startLocalSqs(options: { prefer?: LocalSqsPreference } = {}): Promise<LocalSqs> {
  const prefer = resolvePreference(options.prefer);
  if (prefer === 'fauxqs') return startFauxqs();
  if (prefer === 'localstack') return startLocalstack();
  try {
    return await startLocalstack();
  } catch (error) {
    if (!isNoContainerRuntime(error)) throw error;
    return startFauxqs();
  }
}

function resolvePreference(explicit: LocalSqsPreference | undefined): LocalSqsPreference {
  if (explicit && explicit !== 'auto') return explicit;
  const fromEnv = process.env.AGENT_MEMORY_SQS?.trim();
  if (!fromEnv) return 'auto';
  if (fromEnv === 'auto' || fromEnv === 'fauxqs' || fromEnv === 'localstack') return fromEnv;
  throw new Error(`AGENT_MEMORY_SQS must be auto, fauxqs or localstack, not ${JSON.stringify(fromEnv)}`);
}

/** What testcontainers throws, within milliseconds, when no Docker/Podman socket answers. */
function isNoContainerRuntime(error: unknown): boolean {
  return error instanceof Error && /could not find a working container runtime strategy/i.test(error.message);
}

async function startFauxqs(): Promise<LocalSqs> {
  const { buildApp } = await import('fauxqs');
  // buildApp rather than startFauxqs: the latter always binds 0.0.0.0; this stays on loopback, and
  // port 0 lets the OS pick a free port with no window for another process to take it.
  const app = buildApp({ logger: false, defaultRegion: DEFAULT_REGION });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return makeLocalSqs('fauxqs', address, () => app.close());
}

async function startLocalstack(): Promise<LocalSqs> {
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  const container = await new LocalstackContainer(LOCALSTACK_IMAGE)
    .withEnvironment({ SERVICES: 'sqs' })
    .start();
  return makeLocalSqs('localstack', container.getConnectionUri(), async () => {
    await container.stop();
  });
}

function makeLocalSqs(kind: LocalSqs['kind'], endpoint: string, close: () => Promise<unknown>): LocalSqs {
  const credentials = { ...DUMMY_CREDENTIALS };
  let client: SQSClient | undefined;
  let stopped: Promise<void> | undefined;
  const adminClient = () => {
    if (stopped) throw new Error(`the local SQS (${kind}) has been stopped`);
    client ??= createSqsClient({ region: DEFAULT_REGION, endpoint, credentials });
    return client;
  };
  return {
    kind,
    endpoint,
    region: DEFAULT_REGION,
    credentials,
    client: adminClient,
    async createQueuePair(name, pairOptions = {}) {
      const sqs = adminClient();
      const maxReceiveCount = pairOptions.maxReceiveCount ?? 3;
      const visibilityTimeout = pairOptions.visibilityTimeoutSeconds ?? 30;
      const dlq = await createQueue(sqs, `${name}-dlq`, { MessageRetentionPeriod: String(14 * 24 * 3600) });
      const queue = await createQueue(sqs, name, {
        VisibilityTimeout: String(visibilityTimeout),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
      });
      return { queueUrl: queue.url, queueArn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn };
    },
    stop() {
      stopped ??= (async () => {
        client?.destroy();
        await close();
      })();
      return stopped;
    },
  };
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const url = created.QueueUrl;
  if (!url) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  const described = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = described.Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes ${name} returned no QueueArn`);
  return { url, arn };
}
