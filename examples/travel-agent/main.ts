import { AgentMemory } from '../../sdk/src/index.js';
import { runTravelAgent } from './travel-agent.js';

/**
 * `npm run example`: the travel-agent conversation end to end. Against a running `npm run dev`
 * (or a deployment) when AGENT_MEMORY_URL, AGENT_MEMORY_API_KEY and AGENT_MEMORY_STORE_ID are set;
 * otherwise it starts the same local stack in this process first, so one command is enough.
 */
/** The walk-through, on this terminal (not a log: see runTravelAgent). */
const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  if (process.env.AGENT_MEMORY_URL) {
    print(`Using the API at ${process.env.AGENT_MEMORY_URL}`);
    await runTravelAgent(new AgentMemory(), print);
    return;
  }
  print('AGENT_MEMORY_URL is not set: starting the local stack (as `npm run dev` does) in this process…');
  // The in-process functions log each promotion job; the example prints its own account instead.
  process.env.LOG_LEVEL ??= 'warn';
  const { startLocalStack } = await import('../../dev/local-stack/local-stack.js');
  const { newApiKeyToken } = await import('../../lib/domain/api-key.js');
  const storeId = 'travel-example';
  const apiKey = newApiKeyToken().token;
  const stack = await startLocalStack({
    seed: { storeId, apiKey },
    onProgress: (line) => print(`  ${line}`),
  });
  try {
    print(`Local API at ${stack.apiUrl}, store ${storeId}\n`);
    await runTravelAgent(new AgentMemory({ serverURL: stack.apiUrl, apiKey, storeId }), print);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`example failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
