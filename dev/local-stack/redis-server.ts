import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const execFileAsync = promisify(execFile);
const ENSURE_SCRIPT = fileURLToPath(new URL('../../scripts/ensure-redis.sh', import.meta.url));

/** A Redis 8 server the local stack can use; `stop` ends it if this process started it. */
export interface RedisInstance {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** True when this process spawned the server (false for an external `REDIS_URL`). */
  readonly owned: boolean;
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  /** Use this server instead of starting one. Defaults to `process.env.REDIS_URL`. */
  readonly url?: string;
  /** Called with progress lines (the first build of Redis takes about two minutes). */
  readonly onProgress?: (line: string) => void;
}

/**
 * Returns a Redis >= 8 to talk to: `REDIS_URL` when set, otherwise a throwaway server on a free
 * loopback port, with no persistence, started from the binary `scripts/ensure-redis.sh` finds or builds.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisInstance> {
  const external = options.url ?? process.env.REDIS_URL;
  if (external) {
    const parsed = new URL(external);
    return {
      url: external,
      host: parsed.hostname,
      port: Number(parsed.port || 6379),
      owned: false,
      stop: async () => {},
    };
  }
  const binary = await redisServerBinary(options.onProgress);
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    await waitForPing('127.0.0.1', port, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${port}: ${(error as Error).message}\n${stderr}`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    owned: true,
    stop: () => stopChild(child),
  };
}

/** Path of a redis-server >= 8, building and caching it on first use. */
export async function redisServerBinary(onProgress?: (line: string) => void): Promise<string> {
  const run = execFileAsync('bash', [ENSURE_SCRIPT], { maxBuffer: 1 << 20, timeout: 15 * 60_000 });
  run.child.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) onProgress?.(line.trim());
  });
  const { stdout } = await run;
  const path = stdout.trim().split('\n').pop();
  if (!path) throw new Error('scripts/ensure-redis.sh printed no redis-server path');
  return path;
}

async function waitForPing(
  host: string,
  port: number,
  child: ChildProcess,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    if (await pingOnce(host, port)) return;
    if (Date.now() > deadline) throw new Error('no PONG within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function pingOnce(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
