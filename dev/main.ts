import { newApiKeyToken } from '../lib/domain/api-key.js';
import { startDevEnvironment } from './dev-environment.js';

/**
 * `npm run dev`: the memory API, the admin API and the memory explorer on localhost, backed by the
 * local stack. Reads PORT, EXPLORER_PORT, DEV_API_KEY (a service token; a fresh one is minted when
 * unset) and DEV_STORE_ID; prints what it uses; stops everything on SIGINT/SIGTERM.
 */
const port = Number(process.env.PORT ?? 8787);
const storeId = process.env.DEV_STORE_ID ?? 'dev-store';
const apiKey = process.env.DEV_API_KEY ?? newApiKeyToken().token;

const log = (line: string) => process.stderr.write(`[dev] ${line}\n`);

const explorerPort = Number(process.env.EXPLORER_PORT ?? (port === 0 ? 0 : port + 1));
const { stack, explorer, stop } = await startDevEnvironment({
  port,
  explorerPort,
  onProgress: log,
  seed: { storeId, apiKey },
});

log(`memory API ready at ${stack.apiUrl}`);
log(`  PORT=${port} DEV_STORE_ID=${storeId} DEV_API_KEY=${apiKey}`);
log(`  try: curl -H "Authorization: Bearer ${apiKey}" ${stack.apiUrl}/v1/stores/${storeId}/health`);
log(`  MCP (Streamable HTTP, same key header): ${stack.apiUrl}/v1/stores/${storeId}/mcp`);
log(`admin API (SigV4) at ${stack.adminUrl}; for the CLI in another shell:`);
log(
  `  export AGENT_MEMORY_ADMIN_URL=${stack.adminUrl} AWS_REGION=${stack.region} ` +
    `AWS_ACCESS_KEY_ID=${stack.adminCredentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${stack.adminCredentials.secretAccessKey}`,
);
log('  npm run admin -- stores list');
log(`memory explorer at ${explorer.url} (store ${storeId}; paste DEV_API_KEY into its key field)`);

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
