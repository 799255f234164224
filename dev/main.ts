import { startLocalStack } from './local-stack/local-stack.js';

/**
 * `npm run dev`: the memory API on localhost, backed by the local stack. Reads PORT, DEV_API_KEY
 * and DEV_STORE_ID; prints what it uses; stops everything on SIGINT/SIGTERM.
 */
const port = Number(process.env.PORT ?? 8787);
const storeId = process.env.DEV_STORE_ID ?? 'dev-store';
const apiKey = process.env.DEV_API_KEY ?? 'dev-api-key-change-me';

const log = (line: string) => process.stderr.write(`[dev] ${line}\n`);

const stack = await startLocalStack({ port, onProgress: log, seed: { storeId, apiKey } });

log(`memory API ready at ${stack.apiUrl}`);
log(`  PORT=${port} DEV_STORE_ID=${storeId} DEV_API_KEY=${apiKey}`);
log(`  try: curl -H "Authorization: Bearer ${apiKey}" ${stack.apiUrl}/v1/stores/${storeId}/health`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
