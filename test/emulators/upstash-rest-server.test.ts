import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { errors, Redis } from '@upstash/redis';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/local-stack/free-port.js';
import { type RedisInstance, startRedis } from '../../dev/local-stack/redis-server.js';
import { startUpstashRestServer, type UpstashRestServer } from '../../dev/local-stack/upstash/server.js';

let redisServer: RedisInstance;
let emulator: UpstashRestServer;
/** Direct connection to the Redis behind the emulator, to check what actually got stored. */
let direct: IORedis;

beforeAll(async () => {
  redisServer = await startRedis();
  emulator = await startUpstashRestServer({ redisUrl: redisServer.url, token: 'test-token' });
  direct = new IORedis(redisServer.url);
}, 300_000);

afterAll(async () => {
  direct?.disconnect();
  await emulator?.stop();
  await redisServer?.stop();
});

type Encoding = 'base64' | false;

interface ClientOptions {
  responseEncoding?: Encoding;
  automaticDeserialization?: boolean;
  enableAutoPipelining?: boolean;
  token?: string;
  /** Per-request limit (default 5 s). */
  timeoutMs?: number;
}

/** The client as production builds it (lib/adapters/upstash/redis-client.ts), aimed at the emulator. */
function client(options: ClientOptions = {}): Redis {
  return new Redis({
    url: emulator.url,
    token: options.token ?? emulator.token,
    responseEncoding: options.responseEncoding ?? 'base64',
    automaticDeserialization: options.automaticDeserialization ?? false,
    enableAutoPipelining: options.enableAutoPipelining ?? true,
    enableTelemetry: false,
    retry: false,
    signal: () => AbortSignal.timeout(options.timeoutMs ?? 5_000),
  });
}

/** A key prefix of its own for each test. */
function prefix(): string {
  return `t:${randomUUID()}:`;
}

interface RawResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Talks to the emulator without the client, to check the wire format itself. */
async function raw(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; auth?: boolean } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== false) headers.authorization = `Bearer ${emulator.token}`;
  const body =
    init.body === undefined || typeof init.body === 'string' || init.body instanceof Uint8Array
      ? (init.body as string | Uint8Array | undefined)
      : JSON.stringify(init.body);
  const response = await fetch(`${emulator.url}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? undefined : JSON.parse(text),
    headers: response.headers,
  };
}

const TRICKY_STRINGS = [
  'plain',
  'héllo wörld',
  '日本語テキスト',
  'emoji 😀👍🏽 family 👨‍👩‍👧',
  'nul\u0000inside',
  'line1\nline2\r\nline3',
  'tab\tand\\backslash',
  '"double" and \'single\' quotes',
  '{"looks":"like json","n":[1,2]}',
  '[1,2,3]',
  'T0s=',
  'aGVsbG8gd29ybGQ=',
  'OK',
  '123',
  '-0',
  '1.50',
  '1e3',
  '007',
  'true',
  'false',
  'null',
  '',
  '  padded  ',
];

describe.each<Encoding>(['base64', false])(
  '@upstash/redis against the emulator (responseEncoding: %s)',
  (encoding) => {
    const redis = () => client({ responseEncoding: encoding });

    it('round-trips strings that are not safe as text, JSON, base64 or numbers', async () => {
      const r = redis();
      const p = prefix();
      await Promise.all(TRICKY_STRINGS.map((value, i) => r.set(`${p}${i}`, value)));
      const single = await Promise.all(TRICKY_STRINGS.map((_, i) => r.get(`${p}${i}`)));
      expect(single).toEqual(TRICKY_STRINGS);
      const many = await r.mget(...TRICKY_STRINGS.map((_, i) => `${p}${i}`));
      expect(many).toEqual(TRICKY_STRINGS);
      // What reached Redis is the UTF-8 bytes of the string, not an encoded form.
      expect(await direct.getBuffer(`${p}3`)).toEqual(Buffer.from(TRICKY_STRINGS[3]!, 'utf8'));
    });

    it('keeps integers as numbers, doubles as strings and nil as null', async () => {
      const r = redis();
      const p = prefix();
      expect(await r.set(`${p}n`, 41)).toBe('OK');
      expect(await r.incr(`${p}n`)).toBe(42);
      expect(await r.incrby(`${p}n`, -50)).toBe(-8);
      expect(await r.get(`${p}n`)).toBe('-8');
      expect(await r.incrbyfloat(`${p}f`, 1.25)).toBe('1.25');
      expect(await r.get(`${p}missing`)).toBeNull();
      expect(await r.hget(`${p}missing`, 'field')).toBeNull();
      expect(await r.mget(`${p}n`, `${p}missing`, `${p}f`)).toEqual(['-8', null, '1.25']);
      expect(await r.exists(`${p}n`, `${p}missing`)).toBe(1);
    });

    it('returns HGETALL as the flat RESP2 array and keeps hash values verbatim', async () => {
      const r = redis();
      const key = `${prefix()}h`;
      expect(await r.hset(key, { a: '1', b: 'OK', c: 'ünïcode', d: '{"x":1}' })).toBe(4);
      const flat = (await r.hgetall(key)) as unknown as string[];
      const pairs = new Map<string, string>();
      for (let i = 0; i < flat.length; i += 2) pairs.set(flat[i]!, flat[i + 1]!);
      expect(pairs).toEqual(new Map(Object.entries({ a: '1', b: 'OK', c: 'ünïcode', d: '{"x":1}' })));
      expect(await r.hget(key, 'c')).toBe('ünïcode');
      expect(await r.hincrby(key, 'a', 2)).toBe(3);
      expect(await r.hdel(key, 'b', 'nope')).toBe(1);
      expect(await r.hlen(key)).toBe(3);
    });

    it('runs sorted sets, lists, expiry and TTL', async () => {
      const r = redis();
      const p = prefix();
      expect(
        await r.zadd(
          `${p}z`,
          { score: 2, member: 'two' },
          { score: 1, member: 'one' },
          { score: 3, member: '3' },
        ),
      ).toBe(3);
      expect(await r.zrange(`${p}z`, 0, -1)).toEqual(['one', 'two', '3']);
      expect(await r.zrange(`${p}z`, 0, 1, { withScores: true })).toEqual(['one', '1', 'two', '2']);
      expect(await r.zscore(`${p}z`, 'two')).toBe('2');
      expect(await r.zrank(`${p}z`, '3')).toBe(2);

      expect(await r.rpush(`${p}l`, 'a', 'b', 'c')).toBe(3);
      expect(await r.lpush(`${p}l`, 'z')).toBe(4);
      expect(await r.lrange(`${p}l`, 0, -1)).toEqual(['z', 'a', 'b', 'c']);
      expect(await r.lpop(`${p}l`)).toBe('z');
      expect(await r.llen(`${p}l`)).toBe(3);

      await r.set(`${p}e`, 'v');
      expect(await r.ttl(`${p}e`)).toBe(-1);
      expect(await r.expire(`${p}e`, 100)).toBe(1);
      const ttl = await r.ttl(`${p}e`);
      expect(ttl).toBeGreaterThan(95);
      expect(ttl).toBeLessThanOrEqual(100);
      expect(await r.ttl(`${p}none`)).toBe(-2);
      await r.set(`${p}px`, 'v', { px: 50 });
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await r.get(`${p}px`)).toBeNull();
    });

    it('answers a pipeline per command, a failing command in the middle included', async () => {
      const r = redis();
      const p = prefix();
      await r.set(`${p}str`, 'x');
      const pipeline = r.pipeline();
      pipeline.set(`${p}a`, 'one');
      pipeline.incr(`${p}counter`);
      pipeline.lpush(`${p}str`, 'boom');
      pipeline.get(`${p}a`);
      pipeline.incr(`${p}counter`);
      const results = await pipeline.exec({ keepErrors: true });
      expect(results.map((entry) => entry.result)).toEqual(['OK', 1, undefined, 'one', 2]);
      expect(results[2]!.error).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
      expect(results.filter((entry) => entry.error !== undefined)).toHaveLength(1);

      const failing = r.pipeline().get(`${p}a`).lpush(`${p}str`, 'boom');
      await expect(failing.exec()).rejects.toThrow(/Command 2 \[ lpush \] failed: WRONGTYPE/);
    });

    it('runs multi() atomically and reports runtime errors per command', async () => {
      const r = redis();
      const p = prefix();
      await r.set(`${p}str`, 'x');
      expect(await r.multi().set(`${p}a`, 'v').incr(`${p}n`).get(`${p}a`).exec()).toEqual(['OK', 1, 'v']);

      const results = await r
        .multi()
        .incr(`${p}n`)
        .lpush(`${p}str`, 'boom')
        .incr(`${p}n`)
        .exec({ keepErrors: true });
      expect(results.map((entry) => entry.result)).toEqual([2, undefined, 3]);
      expect(results[1]!.error).toMatch(/^WRONGTYPE/);
    });

    it('runs scripts with EVALSHA and falls back to EVAL after NOSCRIPT', async () => {
      const r = redis();
      const p = prefix();
      const script = r.createScript<unknown>(
        `redis.call('SET', KEYS[1], ARGV[1])
       return {1, {ARGV[1], {'nested', 2, redis.call('GET', KEYS[1])}}, redis.call('PING'), false, 'ok'}`,
      );
      const expected = [1, ['é😀', ['nested', 2, 'é😀']], 'PONG', null, 'ok'];
      expect(await script.eval([`${p}k`], ['é😀'])).toEqual(expected);
      expect(await script.exec([`${p}k`], ['é😀'])).toEqual(expected);

      await r.scriptFlush();
      emulator.resetStats();
      expect(await script.exec([`${p}k`], ['é😀'])).toEqual(expected);
      // The first EVALSHA met NOSCRIPT, so the client had to send EVAL in a second request.
      expect(emulator.stats.httpRequests).toBe(2);
      emulator.resetStats();
      expect(await script.exec([`${p}k`], ['é😀'])).toEqual(expected);
      expect(emulator.stats.httpRequests).toBe(1);

      // A status reply nested in an array must still decode to "OK".
      expect(await r.eval(`return {redis.call('SET', KEYS[1], 'v')}`, [`${p}s`], [])).toEqual(['OK']);
    });

    it('turns Redis errors into UpstashError with the Redis message, pipelined or not', async () => {
      const p = prefix();
      await redis().set(`${p}str`, 'x');
      const pipelined = redis().lpush(`${p}str`, 'y');
      await expect(pipelined).rejects.toBeInstanceOf(errors.UpstashError);
      await expect(pipelined).rejects.toThrow(
        'Command failed: WRONGTYPE Operation against a key holding the wrong kind of value',
      );

      const direct = client({ responseEncoding: encoding, enableAutoPipelining: false }).lpush(
        `${p}str`,
        'y',
      );
      await expect(direct).rejects.toBeInstanceOf(errors.UpstashError);
      await expect(direct).rejects.toThrow(
        /^WRONGTYPE Operation against a key holding the wrong kind of value, command was:/,
      );
      await expect(redis().eval('return redis.error_reply("ERR custom failure")', [], [])).rejects.toThrow(
        'ERR custom failure',
      );
    });

    it('rejects a wrong token with Unauthorized', async () => {
      const r = client({ responseEncoding: encoding, token: 'wrong-token' });
      await expect(r.get('anything')).rejects.toThrow(/Unauthorized/);
    });
  },
);

describe('@upstash/redis with automatic deserialization (the client default)', () => {
  it('parses numbers and JSON the way the client does against Upstash', async () => {
    const r = client({ automaticDeserialization: true });
    const p = prefix();
    await r.set(`${p}obj`, { a: 1, list: ['x', 'ü'] });
    expect(await r.get(`${p}obj`)).toEqual({ a: 1, list: ['x', 'ü'] });
    await r.set(`${p}num`, 12);
    expect(await r.get(`${p}num`)).toBe(12);
    await r.hset(`${p}h`, { count: 3, name: 'ann' });
    expect(await r.hgetall(`${p}h`)).toEqual({ count: 3, name: 'ann' });
    expect(await r.zrange(`${p}missing`, 0, -1)).toEqual([]);
    expect(await r.get(`${p}missing`)).toBeNull();
  });
});

describe('concurrency', () => {
  it('never interleaves concurrent transactions, not even with writers on other connections', async () => {
    // Thirty 1 MB transactions take turns on the server: on a busy 2-core runner the last ones wait
    // longer than the default 5 s. Atomicity is the point here, not speed.
    const r = client({ timeoutMs: 25_000 });
    const key = `${prefix()}counter`;
    let stop = false;
    let interfering = 0;
    const interfere = async () => {
      while (!stop) {
        await Promise.all(Array.from({ length: 100 }, () => direct.incr(key)));
        interfering += 100;
      }
    };
    const interference = Promise.all([interfere(), interfere(), interfere()]);
    // A large value in the middle makes each transaction span many socket reads on the Redis side,
    // which is where another connection's commands would slip in without MULTI.
    const filler = 'x'.repeat(1024 * 1024);
    const transactions = Array.from({ length: 30 }, () =>
      r.multi().incr(key).set(`${key}:filler`, filler).get(key).incr(key).exec(),
    );
    const results = (await Promise.all(transactions).finally(() => {
      // Also on failure: the writers must not outlive the test (afterAll closes their connection).
      stop = true;
    })) as [number, 'OK', string, number][];
    await interference;
    for (const [first, , read, second] of results) {
      expect(read).toBe(String(first));
      expect(second).toBe(first + 1);
    }
    expect(interfering).toBeGreaterThan(0);
    expect(await r.get(key)).toBe(String(60 + interfering));
  });

  it('does not let a blocking command hold up other requests', async () => {
    // The client has no BLPOP method; the REST API still takes it as a plain command.
    const other = client();
    const p = prefix();
    const popped = raw('/', { body: ['BLPOP', `${p}queue`, 5] });
    let poppedSettled = false;
    const settled = () => {
      poppedSettled = true;
    };
    popped.then(settled, settled);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.set(`${p}k`, 'v');
    expect(await other.get(`${p}k`)).toBe('v');
    // Answered while the BLPOP still blocks: it is the push below that ends it, with the job (had the
    // other requests waited behind it, it would have timed out with nothing before the push).
    expect(poppedSettled).toBe(false);
    await other.rpush(`${p}queue`, 'job');
    expect((await popped).body).toEqual({ result: [`${p}queue`, 'job'] });
  });
});

describe('wire format', () => {
  it('answers a single command with {result}, base64-encoding strings except a top-level OK', async () => {
    const key = `${prefix()}k`;
    const base64 = { 'upstash-encoding': 'base64' };
    expect(await raw('/', { body: ['SET', key, 'héllo'], headers: base64 })).toMatchObject({
      status: 200,
      body: { result: 'OK' },
    });
    expect((await raw('/', { body: ['GET', key], headers: base64 })).body).toEqual({
      result: Buffer.from('héllo').toString('base64'),
    });
    expect((await raw('/', { body: ['GET', key] })).body).toEqual({ result: 'héllo' });
    const nested = await raw('/', {
      body: ['EVAL', "return {redis.call('SET', KEYS[1], 'v'), 7, false, {'x'}}", 1, key],
      headers: base64,
    });
    expect(nested.body).toEqual({ result: ['T0s=', 7, null, ['eA==']] });
    expect((await raw('/', { body: ['EXISTS', key, key] })).body).toEqual({ result: 2 });
  });

  it('answers a Redis error with 400 and {error}', async () => {
    const response = await raw('/', { body: ['INCR', 'a', 'b'] });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: "ERR wrong number of arguments for 'incr' command" });
    const unknown = await raw('/', { body: ['NOSUCHCOMMAND'] });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: string }).error).toMatch(/^ERR unknown command 'NOSUCHCOMMAND'/);
  });

  it('accepts JSON numbers and booleans as arguments', async () => {
    const key = `${prefix()}k`;
    expect((await raw('/', { body: ['SET', key, 12.5] })).body).toEqual({ result: 'OK' });
    expect((await raw('/', { body: ['INCRBYFLOAT', key, 1] })).body).toEqual({ result: '13.5' });
    expect((await raw('/', { body: ['SET', key, true] })).body).toEqual({ result: 'OK' });
    expect((await raw('/', { body: ['GET', key] })).body).toEqual({ result: 'true' });
  });

  it('refuses malformed bodies and commands that need connection state', async () => {
    for (const body of ['not json', '{"a":1}', '[]', '[1, [2]]', '']) {
      const response = await raw('/', { method: 'POST', body });
      expect(response.status, body).toBe(400);
      expect(typeof (response.body as { error: unknown }).error, body).toBe('string');
    }
    expect((await raw('/pipeline', { body: [['PING'], 'PING'] })).status).toBe(400);
    expect((await raw('/pipeline', { body: [] })).status).toBe(400);
    for (const command of [
      ['SELECT', '1'],
      ['SUBSCRIBE', 'ch'],
      ['MULTI'],
      ['WATCH', 'k'],
      ['CLIENT', 'REPLY', 'OFF'],
    ]) {
      const response = await raw('/', { body: command });
      expect(response.status, command[0]).toBe(400);
      expect((response.body as { error: string }).error, command[0]).toMatch(
        /not available over the REST API/,
      );
    }
    // The shared connection is still on database 0 and in normal mode.
    const key = `${prefix()}k`;
    await raw('/', { body: ['SET', key, 'v'] });
    expect(await direct.get(key)).toBe('v');
  });

  it('answers a pipeline with one entry per command', async () => {
    const key = `${prefix()}k`;
    const response = await raw('/pipeline', {
      body: [
        ['SET', key, 'v'],
        ['LPUSH', key, 'x'],
        ['SELECT', '2'],
        ['GET', key],
      ],
      headers: { 'upstash-encoding': 'base64' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      { result: 'OK' },
      { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
      { error: "ERR Command is not available over the REST API: 'SELECT'" },
      { result: 'dg==' },
    ]);
  });

  it('answers an aborted transaction with a single 400 error and applies nothing', async () => {
    const key = `${prefix()}k`;
    const response = await raw('/multi-exec', {
      body: [
        ['SET', key, 'v'],
        ['SET', key],
        ['INCR', key],
      ],
    });
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toMatch(
      /^EXECABORT Transaction discarded because of previous errors\. ERR wrong number of arguments for 'set'/,
    );
    expect(await direct.exists(key)).toBe(0);
    const refused = await raw('/multi-exec', {
      body: [
        ['SET', key, 'v'],
        ['WATCH', key],
      ],
    });
    expect(refused.status).toBe(400);
    expect(await direct.exists(key)).toBe(0);
  });

  it('accepts the token as the _token query parameter and the URL-path command form', async () => {
    const key = `${prefix()}path key/é`;
    const token = `_token=${emulator.token}`;
    const set = await raw(`/set/${encodeURIComponent(key)}/${encodeURIComponent('a/b c')}?${token}`, {
      auth: false,
    });
    expect(set).toMatchObject({ status: 200, body: { result: 'OK' } });
    expect((await raw(`/get/${encodeURIComponent(key)}?${token}`, { auth: false })).body).toEqual({
      result: 'a/b c',
    });

    // A POST body is appended byte for byte as the last argument, query parameters after it.
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x0a, 0x41]);
    const post = await raw(`/set/${encodeURIComponent(key)}?EX=100&${token}`, { auth: false, body: bytes });
    expect(post).toMatchObject({ status: 200, body: { result: 'OK' } });
    expect(await direct.getBuffer(key)).toEqual(bytes);
    expect(await direct.ttl(key)).toBeGreaterThan(90);
    const asBase64 = await raw(`/get/${encodeURIComponent(key)}`, {
      headers: { 'upstash-encoding': 'base64' },
    });
    expect(asBase64.body).toEqual({ result: bytes.toString('base64') });
    // Without base64, bytes that are not UTF-8 cannot survive JSON text.
    expect((await raw(`/get/${encodeURIComponent(key)}`)).body).toEqual({ result: '\ufffd\u0000\ufffd\nA' });
  });

  it('answers 401 for a missing or wrong token in either place', async () => {
    const body = ['PING'];
    for (const attempt of [
      raw('/', { body, auth: false }),
      raw('/', { body, auth: false, headers: { authorization: 'Bearer nope' } }),
      raw('/', { body, auth: false, headers: { authorization: emulator.token } }),
      raw('/ping?_token=nope', { auth: false }),
      raw('/ping?_token=', { auth: false }),
      raw('/pipeline?_token=nope', { body: [body], auth: false }),
    ]) {
      expect(await attempt).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
    }
    expect(
      await raw('/ping', { auth: false, headers: { authorization: `bearer ${emulator.token}` } }),
    ).toMatchObject({
      status: 200,
      body: { result: 'PONG' },
    });
  });

  it('refuses other HTTP methods with 405', async () => {
    expect(await raw('/', { method: 'DELETE' })).toMatchObject({
      status: 405,
      body: { error: 'Method not allowed' },
    });
    expect((await raw('/', { method: 'PATCH', body: ['PING'] })).status).toBe(405);
  });

  it.each([
    ['announced by Content-Length', false],
    ['streamed in chunks', true],
  ])('answers 413 to a body over 64 MB %s', async (_, chunked) => {
    const url = new URL(emulator.url);
    // The server answers 413 and closes while the client still writes; on a busy machine the reset
    // can reach the client before the answer does. Such an attempt proves nothing: try again.
    const attempt = () =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest({
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: {
            authorization: `Bearer ${emulator.token}`,
            ...(chunked ? {} : { 'content-length': String(65 * 1024 * 1024) }),
          },
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
          request.destroy();
        });
        // Once the server stops reading, the socket is closed under the remaining writes.
        request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        const writeMore = (remaining: number) => {
          if (remaining === 0 || request.destroyed) return;
          if (request.write(chunk)) setImmediate(() => writeMore(remaining - 1));
          else request.once('drain', () => writeMore(remaining - 1));
        };
        writeMore(chunked ? 70 : 1);
      });
    let status = 0;
    for (let tries = 0; tries < 5 && status === 0; tries++) {
      status = await attempt().catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return 0;
        throw error;
      });
    }
    expect(status).toBe(413);
    // The emulator keeps serving.
    expect((await raw('/', { body: ['PING'] })).body).toEqual({ result: 'PONG' });
  });

  it('issues an upstash-sync-token that the client stores and sends back', async () => {
    const r = client();
    expect(r.readYourWritesSyncToken).toBe('');
    await r.set(`${prefix()}k`, 'v');
    const first = r.readYourWritesSyncToken;
    expect(first).toMatch(/^\d+$/);
    await r.get(`${prefix()}k`);
    expect(Number(r.readYourWritesSyncToken)).toBeGreaterThan(Number(first));
  });
});

describe('stats', () => {
  it('counts HTTP requests and commands', async () => {
    const r = client({ enableAutoPipelining: false });
    const p = prefix();
    emulator.resetStats();
    expect(emulator.stats).toEqual({ httpRequests: 0, commands: 0 });
    const pipeline = r.pipeline();
    for (let i = 0; i < 5; i++) pipeline.set(`${p}${i}`, i);
    await pipeline.exec();
    expect(emulator.stats).toEqual({ httpRequests: 1, commands: 5 });
    await r.get(`${p}0`);
    await r.multi().get(`${p}1`).get(`${p}2`).exec();
    expect(emulator.stats).toEqual({ httpRequests: 3, commands: 8 });
    await client({ token: 'wrong' })
      .get(`${p}0`)
      .catch(() => undefined);
    expect(emulator.stats.httpRequests).toBe(4);
    expect(emulator.stats.commands).toBe(8);
    emulator.resetStats();
    expect(emulator.stats).toEqual({ httpRequests: 0, commands: 0 });
  });

  it('batches the auto-pipelined commands of one tick into one request', async () => {
    const r = client();
    const p = prefix();
    emulator.resetStats();
    await Promise.all([r.set(`${p}a`, '1'), r.set(`${p}b`, '2'), r.incr(`${p}c`)]);
    expect(emulator.stats).toEqual({ httpRequests: 1, commands: 3 });
  });
});

describe('stop', () => {
  /** Ids of the Redis connections the emulators have open. */
  const emulatorConnections = async () => {
    const list = String(await direct.client('LIST'));
    return new Set(
      list
        .split('\n')
        .filter((line) => line.includes('name=upstash-rest-emulator'))
        .map((line) => /\bid=(\d+)/.exec(line)![1]!),
    );
  };

  it('fails to start, and lets go of Redis, when Redis cannot be reached', async () => {
    const unreachable = `redis://127.0.0.1:${await freePort()}`;
    await expect(startUpstashRestServer({ redisUrl: unreachable, token: 't' })).rejects.toThrow(
      `Upstash REST emulator could not use Redis at ${unreachable}`,
    );
  });

  it('closes keep-alive sockets and Redis connections so the process can exit', async () => {
    const before = await emulatorConnections();
    const own = await startUpstashRestServer({ redisUrl: redisServer.url, token: 't' });
    const r = new Redis({ url: own.url, token: 't', retry: false, enableTelemetry: false });
    await r.set(`${prefix()}k`, 'v');
    await r.multi().get(`${prefix()}k`).exec();
    const owned = [...(await emulatorConnections())].filter((id) => !before.has(id));
    // The shared connection plus one dedicated to the transaction.
    expect(owned).toHaveLength(2);

    // An idle keep-alive connection, as a client pool keeps one between requests: stop() must close
    // it rather than wait for it to time out, or the process could not exit.
    const idle = connect(Number(new URL(own.url).port), '127.0.0.1');
    // A reset instead of a clean close is fine too: either way the server let go of it.
    idle.on('error', () => {});
    const idleClosed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    const answered = new Promise<string>((resolve) => idle.once('data', (data) => resolve(data.toString())));
    idle.write(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\n' +
        'Connection: keep-alive\r\nContent-Length: 8\r\n\r\n["PING"]',
    );
    expect(await answered).toMatch(/^HTTP\/1\.1 200/);

    await own.stop();
    // Settles only if the server closed the idle socket (else the test's timeout fails it).
    await idleClosed;
    await expect(r.get('k')).rejects.toThrow();
    await expect
      .poll(async () => {
        const open = await emulatorConnections();
        return owned.filter((id) => open.has(id));
      })
      .toEqual([]);
  });
});
