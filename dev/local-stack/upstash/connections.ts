import { Command, Pipeline, Redis } from 'ioredis';
import type { CommandArg, RedisReply } from './encoding.js';
import { isVectorCommand, translateVectorCommand, VectorCommandError } from './vector-commands.js';
import { VECTOR_LIBRARY_SOURCE } from './vector-library.js';

/** Idle dedicated connections kept for transactions and blocking commands. */
const MAX_IDLE_DEDICATED = 8;

/** Commands that hold their connection until data arrives. */
const BLOCKING_COMMANDS = new Set([
  'BLPOP',
  'BRPOP',
  'BRPOPLPUSH',
  'BLMOVE',
  'BLMPOP',
  'BZPOPMIN',
  'BZPOPMAX',
  'BZMPOP',
  'WAIT',
  'WAITAOF',
]);

/** Commands that change connection state or the protocol; meaningless when each command stands alone. */
const REFUSED_COMMANDS = new Set([
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'UNSUBSCRIBE',
  'PUNSUBSCRIBE',
  'SUNSUBSCRIBE',
  'MONITOR',
  'HELLO',
  'AUTH',
  'SELECT',
  'QUIT',
  'RESET',
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'UNWATCH',
  'SYNC',
  'PSYNC',
  'REPLCONF',
]);
const REFUSED_CLIENT_SUBCOMMANDS = new Set(['REPLY', 'TRACKING', 'CACHING']);

/** A client command ready for Redis, or already failed before reaching it. */
export type Prepared =
  | { readonly kind: 'call'; readonly name: string; readonly args: CommandArg[]; readonly vector: boolean }
  | { readonly kind: 'refused'; readonly error: string };

export type Outcome = { readonly result: RedisReply } | { readonly error: string };

/** Checks a command against what REST can run and rewrites `VECTOR.*` into its Redis form. */
export function prepare(command: CommandArg[]): Prepared {
  const name = String(command[0]).toUpperCase();
  const refused = (error: string): Prepared => ({ kind: 'refused', error });
  if (
    REFUSED_COMMANDS.has(name) ||
    (name === 'CLIENT' && REFUSED_CLIENT_SUBCOMMANDS.has(String(command[1] ?? '').toUpperCase()))
  ) {
    return refused(`ERR Command is not available over the REST API: '${name}'`);
  }
  if (isVectorCommand(name)) {
    try {
      const translated = translateVectorCommand(command);
      return { kind: 'call', name: translated.name, args: translated.args, vector: true };
    } catch (error) {
      if (error instanceof VectorCommandError) return refused(error.message);
      throw error;
    }
  }
  return { kind: 'call', name, args: command.slice(1), vector: false };
}

function isBlocking(prepared: Prepared): boolean {
  if (prepared.kind !== 'call') return false;
  if (BLOCKING_COMMANDS.has(prepared.name)) return true;
  return (
    (prepared.name === 'XREAD' || prepared.name === 'XREADGROUP') &&
    prepared.args.some((arg) => String(arg).toUpperCase() === 'BLOCK')
  );
}

/**
 * The Redis side: one shared connection plus a pool of dedicated ones, all speaking RESP2 through
 * ioredis with buffer replies.
 *
 * Commands are sent as raw `Command` objects with upper-cased names: ioredis keys its reply
 * transformers by the lower-case name (it would turn `hgetall` into an object and `Buffer` keys into
 * strings), so this keeps every reply exactly as Redis sent it.
 */
export class RedisConnections {
  private readonly shared: Redis;
  private readonly idle: Redis[] = [];
  private readonly all = new Set<Redis>();
  private stopping = false;

  constructor(private readonly url: string) {
    this.shared = this.connect();
  }

  async start(): Promise<void> {
    await this.shared.connect();
    await this.loadVectorLibrary(this.shared);
  }

  /** Runs commands in order on the shared connection (or a dedicated one if any may block). */
  async runPipeline(prepared: Prepared[], stats: { commands: number }): Promise<Outcome[]> {
    const dedicated = prepared.some(isBlocking) ? this.acquire() : undefined;
    const connection = dedicated ?? this.shared;
    let healthy = true;
    try {
      const calls = prepared.filter((item) => item.kind === 'call');
      stats.commands += calls.length;
      const replies = await send(connection, calls);
      const outcomes: Outcome[] = [];
      let next = 0;
      for (const item of prepared) {
        outcomes.push(item.kind === 'call' ? replies[next++]! : { error: item.error });
      }
      await this.retryMissingVectorLibrary(connection, prepared, outcomes);
      return outcomes;
    } catch (error) {
      healthy = false;
      throw error;
    } finally {
      if (dedicated) this.release(dedicated, healthy);
    }
  }

  /**
   * Runs commands in one MULTI/EXEC on a dedicated connection. Commands refused before reaching
   * Redis abort the transaction the way a queue-time error does in Redis.
   */
  async runTransaction(
    prepared: Prepared[],
    stats: { commands: number },
  ): Promise<{ outcomes: Outcome[] } | { aborted: string }> {
    const refused = prepared.find((item) => item.kind === 'refused');
    if (refused) return { aborted: execAbort(refused.error) };
    const calls = prepared.filter((item) => item.kind === 'call');
    // The vector function could have been removed (FUNCTION FLUSH) since it was loaded, and a
    // transaction cannot be retried, so it reloads the library inside the same MULTI.
    const withVectors = calls.some((call) => call.vector);
    const preamble = withVectors ? [libraryLoadCall()] : [];
    const connection = this.acquire();
    let healthy = true;
    try {
      stats.commands += calls.length;
      const replies = await send(connection, [
        { name: 'MULTI', args: [] },
        ...preamble,
        ...calls,
        { name: 'EXEC', args: [] },
      ]);
      const exec = replies.at(-1)!;
      if ('error' in exec) {
        const queueError = replies.slice(1, -1).find((reply) => 'error' in reply);
        return {
          aborted: execAbort(queueError && 'error' in queueError ? queueError.error : undefined, exec.error),
        };
      }
      const results = (exec.result as RedisReply[]).slice(preamble.length);
      return {
        outcomes: results.map((result) => (result instanceof Error ? { error: result.message } : { result })),
      };
    } catch (error) {
      healthy = false;
      throw error;
    } finally {
      this.release(connection, healthy);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.all].map((connection) => disconnect(connection)));
  }

  /**
   * The vector library can vanish under a running emulator (FUNCTION FLUSH). Reload it and rerun
   * the affected commands; in a pipeline they then run after the commands that followed them,
   * acceptable for a case that only a deliberate flush causes.
   */
  private async retryMissingVectorLibrary(connection: Redis, prepared: Prepared[], outcomes: Outcome[]) {
    const missing = prepared.flatMap((item, index) => {
      const outcome = outcomes[index]!;
      return item.kind === 'call' &&
        item.vector &&
        'error' in outcome &&
        /function not found/i.test(outcome.error)
        ? [index]
        : [];
    });
    if (missing.length === 0) return;
    await this.loadVectorLibrary(connection);
    const replies = await send(
      connection,
      missing.map((index) => prepared[index] as Extract<Prepared, { kind: 'call' }>),
    );
    missing.forEach((index, i) => {
      outcomes[index] = replies[i]!;
    });
  }

  private async loadVectorLibrary(connection: Redis): Promise<void> {
    const [outcome] = await send(connection, [libraryLoadCall()]);
    if (outcome && 'error' in outcome) throw new Error(`could not load the vector library: ${outcome.error}`);
  }

  private connect(): Redis {
    const connection = new Redis(this.url, {
      lazyConnect: true,
      connectionName: 'upstash-rest-emulator',
      // Fail requests fast while Redis is down instead of queueing them for 20 reconnects.
      maxRetriesPerRequest: 1,
    });
    // Errors surface through the failing commands; the listener stops ioredis from logging each one.
    connection.on('error', () => {});
    this.all.add(connection);
    connection.once('end', () => this.all.delete(connection));
    return connection;
  }

  private acquire(): Redis {
    if (this.stopping) throw new Error('the emulator is stopping');
    return this.idle.pop() ?? this.connect();
  }

  private release(connection: Redis, healthy: boolean): void {
    if (healthy && !this.stopping && this.idle.length < MAX_IDLE_DEDICATED && connection.status === 'ready') {
      this.idle.push(connection);
    } else {
      void disconnect(connection);
    }
  }
}

function libraryLoadCall(): { name: string; args: CommandArg[] } {
  return { name: 'FUNCTION', args: ['LOAD', 'REPLACE', VECTOR_LIBRARY_SOURCE] };
}

function execAbort(...causes: (string | undefined)[]): string {
  const cause = causes.find((text) => text !== undefined && !text.startsWith('EXECABORT'));
  const base = 'EXECABORT Transaction discarded because of previous errors.';
  return cause ? `${base} ${cause}` : base;
}

/**
 * Sends commands as one pipelined write and settles each into a result or a Redis error. Errors
 * other than Redis replies (connection loss) reject, and the request answers 500.
 */
async function send(
  connection: Redis,
  calls: readonly { name: string; args: CommandArg[] }[],
): Promise<Outcome[]> {
  const commands = calls.map((call) => new Command(call.name, call.args, { replyEncoding: null }));
  if (commands.length === 1) {
    connection.sendCommand(commands[0]!);
  } else if (commands.length > 1) {
    const pipeline = new Pipeline(connection);
    for (const command of commands) pipeline.sendCommand(command);
    // Each command's own promise carries its outcome; the pipeline's promise only repeats them.
    pipeline.exec().catch(() => {});
  }
  return Promise.all(
    commands.map((command) =>
      (command.promise as Promise<RedisReply>).then(
        (result): Outcome => ({ result }),
        (error: Error): Outcome => {
          if (error.name === 'ReplyError') return { error: error.message };
          throw error;
        },
      ),
    ),
  );
}

async function disconnect(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  // Between reconnect attempts there is no socket to close, so ioredis emits no 'end'; disconnect()
  // still cancels the next attempt.
  if (connection.status === 'reconnecting') {
    connection.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
  connection.disconnect();
  await ended;
}
