import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisInstance, startRedis } from '../../dev/local-stack/redis-server.js';
import { startUpstashRestServer, type UpstashRestServer } from '../../dev/local-stack/upstash/server.js';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';

// The RedisRoundTrips metric counts what `onRequest` reports; the emulator counts the HTTP requests
// it received. They must agree, for single commands, pipelines and scripts alike.
let redis: RedisInstance;
let upstash: UpstashRestServer;

beforeAll(async () => {
  redis = await startRedis();
  upstash = await startUpstashRestServer({ redisUrl: redis.url, token: 'test-token' });
});
afterAll(async () => {
  await upstash?.stop();
  await redis?.stop();
});

describe('createUpstashRedis onRequest', () => {
  it('reports each HTTP request to Upstash once, a pipeline or a script being one', async () => {
    // Arrange
    let reported = 0;
    const client = createUpstashRedis({
      url: upstash.url,
      token: upstash.token,
      onRequest: () => {
        reported += 1;
      },
    });
    upstash.resetStats();

    // Act
    await client.set('round-trips:a', '1');
    await client.get('round-trips:a');
    const pipeline = client.pipeline();
    pipeline.incr('round-trips:b');
    pipeline.incr('round-trips:b');
    pipeline.get('round-trips:b');
    await pipeline.exec();
    await client.eval('return redis.call("GET", KEYS[1])', ['round-trips:b'], []);

    // Assess
    expect(upstash.stats.httpRequests).toBe(4);
    expect(reported).toBe(upstash.stats.httpRequests);
  });
});
