/**
 * `npm run deploy:local`: deploys both stacks to LocalStack, started in Docker through
 * testcontainers, and prints the API URLs. Needs a Docker engine (not available in this repository's
 * CI); LocalStack keeps running until Ctrl+C.
 *
 * What runs: `cdk bootstrap` and `cdk deploy --all` from this repository, with the AWS SDK pointed at
 * LocalStack (`AWS_ENDPOINT_URL`, plus `AWS_ENDPOINT_URL_S3` on LocalStack's S3 host name so asset
 * uploads can use virtual-hosted bucket addresses) and LocalStack's dummy credentials. Every other
 * `AWS_*` variable is dropped from the CDK's environment, so a profile or session in the shell cannot
 * send the deployment to a real account.
 *
 * Limits: the community image emulates API Gateway, Lambda, SQS, SNS, Secrets Manager, CloudWatch and
 * EventBridge, not Bedrock; the Upstash secret holds its empty placeholder until you put real
 * credentials (`awslocal secretsmanager put-secret-value …`), so functions stop at cold start until then.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedLocalStackContainer } from '@testcontainers/localstack';
import { LOCALSTACK_IMAGE } from '../dev/local-stack/sqs.js';
import { isMainModule } from './main-module.js';

/** LocalStack's fixed account id and the region the stacks are deployed to. */
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const OUTPUTS_FILE = join('cdk.out', 'local-outputs.json');

/** Context for every CDK command: the LocalStack environment. */
const CDK_CONTEXT = [
  '-c',
  `account=${ACCOUNT}`,
  '-c',
  `region=${REGION}`,
  // Plain exports/imports between the two stacks: LocalStack's CloudFormation engine may not know
  // Fn::GetStackOutput, which the project's default (weak references) uses.
  '-c',
  '@aws-cdk/core:defaultCrossStackReferences=strong',
];

async function main(): Promise<void> {
  const localstack = await startLocalstack();
  const stop = async () => {
    await localstack.stop().catch(() => undefined);
  };
  try {
    const env = cdkEnvironment(localstack);
    console.log(`LocalStack at ${env.AWS_ENDPOINT_URL}`);
    await run('npx', ['cdk', 'bootstrap', `aws://${ACCOUNT}/${REGION}`, ...CDK_CONTEXT], env);
    await run(
      'npx',
      [
        'cdk',
        'deploy',
        '--all',
        '--require-approval',
        'never',
        '--outputs-file',
        OUTPUTS_FILE,
        ...CDK_CONTEXT,
      ],
      env,
    );
    printUrls(localstack.getPort());
  } catch (error) {
    await stop();
    throw error;
  }
  console.log('\nLocalStack keeps running; press Ctrl+C to stop it (the deployment goes with it).');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
}

async function startLocalstack(): Promise<StartedLocalStackContainer> {
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  try {
    return await new LocalstackContainer(LOCALSTACK_IMAGE)
      // LocalStack runs each Lambda function in a sibling container, through the host's engine.
      .withBindMounts([{ source: '/var/run/docker.sock', target: '/var/run/docker.sock' }])
      .start();
  } catch (error) {
    // testcontainers' message when no engine answers (no Docker, or a stopped one).
    if (error instanceof Error && /container runtime strategy/i.test(error.message)) {
      throw new DockerUnavailableError();
    }
    throw error;
  }
}

class DockerUnavailableError extends Error {
  constructor() {
    super(
      'deploy:local needs a running Docker engine (LocalStack runs in a container) and none is reachable. ' +
        'Start Docker (or set DOCKER_HOST) and try again. Without Docker, `npm run dev` runs the service ' +
        'locally and `npx cdk synth -c skipBundling=true` checks the stacks.',
    );
    this.name = 'DockerUnavailableError';
  }
}

/** The CDK's environment: no inherited AWS settings, LocalStack's endpoint and dummy credentials. */
function cdkEnvironment(localstack: StartedLocalStackContainer): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );
  const host = localstack.getHost();
  const port = localstack.getPort();
  const local = host === 'localhost' || host === '127.0.0.1';
  return {
    ...inherited,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ENDPOINT_URL: local ? `http://localhost.localstack.cloud:${port}` : localstack.getConnectionUri(),
    // `s3.localhost.localstack.cloud` and its subdomains resolve to 127.0.0.1, so bucket-in-host
    // addresses reach LocalStack; a remote engine gets its plain address instead.
    AWS_ENDPOINT_URL_S3: local
      ? `http://s3.localhost.localstack.cloud:${port}`
      : localstack.getConnectionUri(),
  };
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.slice(0, 2).join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

/**
 * Prints every `…Url` output of the deployed stacks, in the form LocalStack serves API Gateway stages:
 * `http://<api id>.execute-api.localhost.localstack.cloud:<port>/<stage>/`.
 */
function printUrls(port: number): void {
  const outputs = JSON.parse(readFileSync(OUTPUTS_FILE, 'utf8')) as Record<string, Record<string, string>>;
  console.log('\nDeployed to LocalStack:');
  for (const [stack, values] of Object.entries(outputs)) {
    for (const [name, value] of Object.entries(values)) {
      if (!/Url$/.test(name)) continue;
      const api = /^https:\/\/([a-z0-9]+)\.execute-api\.[^/]+\/([^/]+)\//.exec(value);
      const url = api ? `http://${api[1]}.execute-api.localhost.localstack.cloud:${port}/${api[2]}/` : value;
      console.log(`  ${stack} ${name}: ${url}`);
    }
  }
}

if (isMainModule(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof DockerUnavailableError ? error.message : error);
    process.exit(1);
  });
}
