import { redisServerBinary } from '../../dev/local-stack/redis-server.js';

/**
 * Makes sure a Redis 8 binary exists before any test file starts one (the first build takes about
 * two minutes; later runs find it cached). Skipped when REDIS_URL points at a server.
 */
export default async function setup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  await redisServerBinary((line) => process.stderr.write(`${line}\n`));
}
