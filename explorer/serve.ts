import { parseArgs } from 'node:util';
import { startExplorerServer } from './server.js';

/**
 * `npm run explorer -- --url <data API URL> [--store <storeId>] [--port 8788]`: the explorer on
 * localhost against any deployment. The deployment must allow the printed origin
 * (stage config `api.corsAllowOrigins`, or `CORS_ALLOW_ORIGINS`).
 */
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    store: { type: 'string' },
    port: { type: 'string', default: '8788' },
  },
});
const apiUrl = values.url ?? process.env.AGENT_MEMORY_URL;
if (!apiUrl) {
  process.stderr.write('usage: npm run explorer -- --url <data API URL> [--store <storeId>] [--port 8788]\n');
  process.exit(2);
}
const server = await startExplorerServer({
  apiUrl,
  port: Number(values.port),
  ...((values.store ?? process.env.AGENT_MEMORY_STORE_ID)
    ? { storeId: values.store ?? process.env.AGENT_MEMORY_STORE_ID }
    : {}),
});
process.stderr.write(`[explorer] ${server.url} (API ${apiUrl})\n`);
process.stderr.write(
  `[explorer] the API must allow the origin ${server.origin} (CORS_ALLOW_ORIGINS / api.corsAllowOrigins)\n`,
);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
