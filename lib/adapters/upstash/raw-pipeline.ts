import type { Redis } from '@upstash/redis';
import { redisCall } from './redis-call.js';
import type { LuaScript } from './scripts/generated.js';

export type WireCommand = [name: string, ...args: (string | number)[]];
export interface WireReply {
  readonly result?: unknown;
  readonly error?: string;
}

/**
 * Raw commands (any name, replies as sent) through the client's own `Pipeline` (`POST /pipeline`).
 *
 * Why the private `Pipeline.chain` (architecture review 2026-12, 2.3): @upstash/redis 1.39.0 has no
 * public way to put a command the pipeline lacks into one. Its `Pipeline` has a method per command
 * but none for `VECTOR.*` (only `redis.vector.*`, one HTTP request each), and the exported command
 * classes (`VectorQueryCommand`, ...) enter a pipeline only through `chain`. The alternatives cost
 * more: our own `fetch` to `/pipeline` would drop the client's retry budget, per-request time limit
 * and base64 response decoding (redis-client.ts), and sending each vector command alone would
 * turn a search's one request into one per partition. So `chain` stays, checked at run time below
 * and covered by the vector and keyword index tests (a client upgrade that drops it fails them).
 * Commands sent by several adapters in the same tick share one HTTP request: a search's vector
 * queries and its keyword script go together (the client's auto-pipelining does not take
 * `VECTOR.*`, and keeps reads and writes apart). Each sender gets its own replies, in order, each
 * with its own result or error.
 */
export class RawPipeline {
  private pending: Array<{
    commands: WireCommand[];
    resolve: (replies: WireReply[]) => void;
    reject: (error: unknown) => void;
  }> = [];

  constructor(private readonly redis: Redis) {}

  send(commands: WireCommand[]): Promise<WireReply[]> {
    if (this.pending.length === 0) queueMicrotask(() => this.flush());
    return new Promise((resolve, reject) => this.pending.push({ commands, resolve, reject }));
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const pipeline = this.redis.pipeline() as unknown as ClientPipeline;
    if (typeof pipeline.chain !== 'function') {
      // Pipeline.chain is private in the client's typings; an upgrade that drops it fails here, loudly.
      const error = new Error('@upstash/redis Pipeline has no chain(): raw commands cannot be pipelined');
      for (const sender of batch) sender.reject(error);
      return;
    }
    for (const { commands } of batch) {
      for (const command of commands) pipeline.chain({ command, deserialize: (raw) => raw });
    }
    pipeline.exec({ keepErrors: true }).then(
      (replies) => {
        let at = 0;
        for (const sender of batch) {
          sender.resolve(replies.slice(at, at + sender.commands.length));
          at += sender.commands.length;
        }
      },
      (error: unknown) => {
        for (const sender of batch) sender.reject(error);
      },
    );
  }
}

const shared = new WeakMap<Redis, RawPipeline>();

/** The one batcher of a client, so every adapter built on it shares requests. */
export function rawPipeline(redis: Redis): RawPipeline {
  let batcher = shared.get(redis);
  if (!batcher) {
    batcher = new RawPipeline(redis);
    shared.set(redis, batcher);
  }
  return batcher;
}

/**
 * Runs a script through the raw pipeline (so it shares a request with the tick's other raw
 * commands): `EVALSHA` with the script's pinned SHA-1, then `EVAL` once if Redis lacks the script
 * (`NOSCRIPT`, once per Redis after a restart or flush). Transport failures become retryable
 * errors (redis-call.ts); the script's own reply, result or error, is the caller's to read.
 */
export async function evalPipelined(
  raw: RawPipeline,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
  what: string,
): Promise<WireReply> {
  const command = (name: string, body: string): WireCommand => [name, body, keys.length, ...keys, ...args];
  let [reply] = await redisCall(what, () => raw.send([command('EVALSHA', script.sha1)]));
  if (reply?.error !== undefined && /NOSCRIPT/.test(reply.error)) {
    [reply] = await redisCall(what, () => raw.send([command('EVAL', script.source)]));
  }
  return reply ?? { error: 'no reply' };
}

/**
 * The runtime surface of the client's `Pipeline` used for raw commands: `chain` queues anything
 * with a `command` (the JSON array sent) and a `deserialize`; `exec({ keepErrors: true })` answers
 * `{ result, error }` per command instead of throwing on the first error.
 */
interface ClientPipeline {
  chain(command: { command: WireCommand; deserialize: (raw: unknown) => unknown }): unknown;
  exec(options: { keepErrors: true }): Promise<WireReply[]>;
}
