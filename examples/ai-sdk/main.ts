import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createAgentMemory } from '@agent-memory/ai-sdk';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { generateText, isStepCount, streamText } from 'ai';

/**
 * `npm run example:ai-sdk`: a travel agent on Amazon Bedrock through the Vercel AI SDK, with Agent
 * Memory as automatic memory (the wrapped model) and as tools. Two conversations: in the first the
 * traveller mentions their trip and diet; the conversation is promoted to long-term memory; the
 * second, a new session, is answered with what was learnt.
 *
 * It needs AWS credentials with access to a Bedrock model, and says what it needs (exit code 1)
 * when there are none. The memory service is AGENT_MEMORY_URL/_STORE_ID/_API_KEY when set,
 * otherwise the local stack started in this process (as `npm run example` does).
 */

const print = (line: string) => process.stdout.write(`${line}\n`);
const OWNER = 'traveller-1';
const REGION = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
/** Amazon Nova Lite: on-demand in us-east-1 and several other regions; any Converse chat model with tool use works. */
const MODEL_ID = process.env.BEDROCK_MODEL_ID ?? 'amazon.nova-lite-v1:0';

export const MISSING_CREDENTIALS = `npm run example:ai-sdk calls Amazon Bedrock and found no AWS credentials. Set one of:
  - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary credentials)
  - AWS_PROFILE, a profile of ~/.aws/config (e.g. after \`aws sso login --profile <name>\`)
  - AWS_BEARER_TOKEN_BEDROCK, a Bedrock API key
and optionally AWS_REGION (default us-east-1) and BEDROCK_MODEL_ID (default amazon.nova-lite-v1:0);
the account needs model access to that model in that region.
The memory service is AGENT_MEMORY_URL, AGENT_MEMORY_STORE_ID and AGENT_MEMORY_API_KEY when set,
otherwise the local stack started in this process (no AWS needed for it).
Without AWS, \`npx vitest run --project ai-sdk\` runs the same integration with the AI SDK's mock model.`;

/** How the Bedrock provider will authenticate, or undefined when nothing is configured. */
function awsCredentials(): 'environment' | 'provider-chain' | undefined {
  const env = process.env;
  if (env.AWS_BEARER_TOKEN_BEDROCK || (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY))
    return 'environment';
  const files = [
    env.AWS_CONFIG_FILE,
    env.AWS_SHARED_CREDENTIALS_FILE,
    join(homedir(), '.aws', 'credentials'),
  ];
  if (
    env.AWS_PROFILE ||
    env.AWS_WEB_IDENTITY_TOKEN_FILE ||
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI ||
    env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI ||
    files.some((file) => file && existsSync(file))
  ) {
    return 'provider-chain';
  }
  return undefined;
}

/**
 * The Bedrock model, with everything it needs resolved now: the local stack, started later in this
 * process, points `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` at its Bedrock fake and sets fake AWS keys for
 * its emulators, and the provider would otherwise read those at request time.
 */
async function bedrockModel(source: 'environment' | 'provider-chain') {
  const env = process.env;
  const settings = {
    region: REGION,
    baseURL: env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME ?? `https://bedrock-runtime.${REGION}.amazonaws.com`,
  };
  if (env.AWS_BEARER_TOKEN_BEDROCK) {
    return createAmazonBedrock({ ...settings, apiKey: env.AWS_BEARER_TOKEN_BEDROCK })(MODEL_ID);
  }
  if (source === 'environment' && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return createAmazonBedrock({
      ...settings,
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    })(MODEL_ID);
  }
  // Profiles, SSO, web identity and container credentials: the AWS SDK's own resolution, once.
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  const credentials = await fromNodeProviderChain()();
  return createAmazonBedrock({
    ...settings,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
  })(MODEL_ID);
}

async function run(model: Awaited<ReturnType<typeof bedrockModel>>) {
  const memory = createAgentMemory();
  const failures: string[] = [];
  const onError = (failure: { phase: string; error: unknown }) =>
    failures.push(
      `${failure.phase}: ${failure.error instanceof Error ? failure.error.message : String(failure.error)}`,
    );
  const system =
    'You are a travel agent. Use the memory tools to save lasting facts about the traveller ' +
    '(destinations, diet, preferences) and to look up what you know. Answer in two or three sentences.';

  const first = `trip-${Date.now().toString(36)}`;
  const scope = { ownerId: OWNER, sessionId: first };
  const userTurn = "I'm going to Tokyo and Kyoto next month. Also, I'm a vegetarian.";
  print(`1. Conversation ${first}, on ${MODEL_ID} with memory tools and automatic memory`);
  print(`   traveller: ${userTurn}`);
  const answer = await generateText({
    model: memory.wrap(model, { ...scope, onError }),
    tools: memory.tools(scope),
    system,
    prompt: userTurn,
    stopWhen: isStepCount(4),
  });
  for (const call of answer.steps.flatMap((step) => step.toolCalls)) {
    print(`   (tool ${call.toolName} ${JSON.stringify(call.input)})`);
  }
  print(`   agent: ${answer.text}`);
  await memory.flush();

  print('2. The conversation is promoted to long-term memory (extraction runs in the background)');
  await memory.client.promoteSessionNow(first);
  for (let waited = 0; waited < 60_000; waited += 500) {
    const status = await memory.client.getPromotionStatus(first);
    if (status.pendingEvents === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const known = await memory.client.searchLongTermMemory({ filter: { ownerId: { eq: OWNER } }, limit: 20 });
  for (const item of known.items) print(`   memory: ${item.text}`);

  const second = `dinner-${Date.now().toString(36)}`;
  const question = 'Where should I eat tonight in Kyoto?';
  print(`3. A new conversation (${second}), streamed; the memories are recalled before the call`);
  print(`   traveller: ${question}`);
  const streamed = streamText({
    model: memory.wrap(model, { ownerId: OWNER, sessionId: second, onError }),
    system,
    prompt: question,
  });
  process.stdout.write('   agent: ');
  for await (const delta of streamed.textStream) process.stdout.write(delta);
  process.stdout.write('\n');
  await memory.flush();
  const recorded = await memory.client.getSessionMemory(second);
  print(`4. Session ${second} now holds ${recorded.events.length} events (the question and the answer)`);
  if (failures.length > 0) print(`Memory problems (the answers went ahead without): ${failures.join('; ')}`);
}

async function main(): Promise<void> {
  const credentials = awsCredentials();
  if (!credentials) {
    process.stderr.write(`${MISSING_CREDENTIALS}\n`);
    process.exitCode = 1;
    return;
  }
  let model: Awaited<ReturnType<typeof bedrockModel>>;
  try {
    model = await bedrockModel(credentials);
  } catch (error) {
    process.stderr.write(
      `${MISSING_CREDENTIALS}\n\nResolving the AWS credentials failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
    return;
  }
  if (process.env.AGENT_MEMORY_URL) {
    print(`Using the memory service at ${process.env.AGENT_MEMORY_URL}`);
    await run(model);
    return;
  }
  print('AGENT_MEMORY_URL is not set: starting the local stack (as `npm run dev` does) in this process…');
  process.env.LOG_LEVEL ??= 'warn';
  const { startLocalStack } = await import('../../dev/local-stack/local-stack.js');
  const { newApiKeyToken } = await import('../../lib/domain/api-key.js');
  const storeId = 'ai-sdk-example';
  const apiKey = newApiKeyToken().token;
  const stack = await startLocalStack({
    seed: { storeId, apiKey },
    onProgress: (line) => print(`  ${line}`),
  });
  try {
    process.env.AGENT_MEMORY_URL = stack.apiUrl;
    process.env.AGENT_MEMORY_STORE_ID = storeId;
    process.env.AGENT_MEMORY_API_KEY = apiKey;
    print(`Local memory API at ${stack.apiUrl}, store ${storeId}\n`);
    await run(model);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`example failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
