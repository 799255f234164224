/**
 * A local emulator of the Upstash Redis REST API in front of a real Redis 8 server, so that the
 * production `@upstash/redis` client runs unchanged in tests and in `npm run dev`.
 *
 * Protocol, as `@upstash/redis` 1.39 speaks it (pkg/http.ts, pkg/pipeline.ts, pkg/auto-pipeline.ts):
 *
 * - `POST /` with a JSON array `["SET","k","v"]` runs one command and answers `{"result": ...}`;
 *   a Redis error answers HTTP 400 `{"error": "ERR ..."}` (the client throws `UpstashError` with
 *   the text and the command). Numbers and booleans arrive unquoted and are sent as their text.
 * - `POST /pipeline` with an array of commands answers 200 with one `{"result"}` or `{"error"}`
 *   per command; a failing command does not stop the others. The client's auto-pipelining (on by
 *   default) sends almost every command this way, so one HTTP request usually carries many commands.
 * - `POST /multi-exec` runs the commands in one `MULTI`/`EXEC` on a connection of its own, so no
 *   other request interleaves; a runtime error is that command's `{"error"}`, while a transaction
 *   that Redis refuses to run (`EXECABORT`) is a single 400 `{"error"}`.
 * - The URL-path form also works: `GET /set/k/v`, with a `POST`/`PUT` body appended as the last
 *   argument (binary-safe) and query parameters other than `_token` appended as `name value`.
 * - Auth is `Authorization: Bearer <token>` or `?_token=<token>`; otherwise 401 `{"error":"Unauthorized"}`.
 * - `Upstash-Encoding: base64` base64-encodes every string in the result, at any depth, except a
 *   top-level `"OK"` (see {@link toJsonResult}); without it strings are UTF-8 text.
 * - `upstash-sync-token`: the client (readYourWrites, on by default) sends the last token it saw and
 *   stores the one in each response. A single Redis has nothing to wait for, so the emulator issues
 *   a sequence number per executed request, only so that the client's round trip works as in production.
 * - Replies stay RESP2 (no `HELLO 3`), which is what Upstash returns: `HGETALL` is a flat array,
 *   doubles are strings.
 * - `VECTOR.*` commands are emulated on vector sets, see `upstash-vector-commands.ts`.
 *
 * Connections: single commands and pipelines share one ioredis connection (Redis runs them in
 * arrival order; other requests may interleave, as on Upstash). Transactions and requests with a
 * blocking command take a pooled connection of their own, so neither `MULTI` state nor a `BLPOP`
 * can hold up other requests. Commands that would change a shared connection's state (`SELECT`,
 * `SUBSCRIBE`, `MULTI`, `WATCH`, ...) are refused: over REST each command stands alone.
 *
 * Faults (tests only): {@link UpstashRestServer.failNext} makes the next matching requests answer a
 * 5xx, hang, run slowly or lose their connection before or after the commands ran; without it the
 * emulator behaves exactly as described above.
 *
 * Not emulated: Server-Sent-Events `subscribe`/`psubscribe`, read-only tokens, rate limits, and
 * integers beyond 2^53 (ioredis parses integer replies into JS numbers).
 */

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command, Pipeline, Redis } from 'ioredis';
import {
  type CommandArg,
  commandFromJson,
  MalformedCommandError,
  type RedisReply,
  toJsonResult,
} from './upstash-encoding.js';
import {
  isVectorCommand,
  translateVectorCommand,
  VECTOR_LIBRARY_SOURCE,
  VectorCommandError,
} from './upstash-vector-commands.js';

/** A running emulator. */
export interface UpstashRestServer {
  /** Base URL to give `@upstash/redis` as `url`, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The token requests must present. */
  readonly token: string;
  /**
   * Counters for benchmarks: `httpRequests` counts HTTP requests received (round trips, including
   * rejected ones); `commands` counts client commands executed against Redis (a pipeline of five
   * commands is one request and five commands; the emulator's own housekeeping is not counted).
   */
  readonly stats: { httpRequests: number; commands: number };
  /** Sets both counters to zero. */
  resetStats(): void;
  /** Requests that a {@link failNext} fault was applied to, since the start. */
  readonly faultsInjected: number;
  /**
   * The next `count` (default 1) requests that carry a command matching `command` (any request if
   * unset) get `fault` instead of the normal answer. Faults queue in call order; a request takes the
   * first one that matches it. Requests refused before that (auth, body size, parse) take none.
   */
  failNext(fault: UpstashFault, options?: UpstashFaultOptions): void;
  /** Forgets faults not applied yet; returns how many were left. */
  clearFaults(): number;
  /** Closes the HTTP server, its keep-alive sockets and all Redis connections. */
  stop(): Promise<void>;
}

/**
 * Seam for later fault injection: runs before a request is authenticated or executed. Returning
 * `true` means the hook has answered (or destroyed) the request itself and it must not be executed.
 */
export type BeforeRequestHook = (
  request: IncomingMessage,
  response: ServerResponse,
) => boolean | Promise<boolean>;

/**
 * What an injected fault does to a request, as an outage of the real endpoint would look to the client:
 * - `status`: answer `status` (500, 503, …) with an `{"error"}` body; nothing runs.
 * - `hang`: hold the request `ms` without running it, then destroy the socket (a hung endpoint; the
 *   client's own timeout usually fires first).
 * - `slow`: wait `ms`, then run the commands and answer normally.
 * - `drop`: destroy the socket. `before-execute`: nothing runs. `before-response`: the commands ran
 *   but not one byte of the answer is sent, so the client cannot tell and may retry.
 *   `mid-response`: the commands ran; headers and half the body are sent (a pipeline's answer cut
 *   part-way through its results).
 */
export type UpstashFault =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'hang'; readonly ms: number }
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'drop'; readonly stage: 'before-execute' | 'before-response' | 'mid-response' };

export interface UpstashFaultOptions {
  /** How many matching requests get the fault; default 1. */
  readonly count?: number;
  /**
   * Only requests with a matching command (any of a pipeline's): a string is a command name,
   * case-insensitive (`EVALSHA`); a RegExp is tested against `NAME arg1 arg2 …` of each command.
   */
  readonly command?: string | RegExp;
}

export interface UpstashRestServerOptions {
  /** The Redis to forward commands to, e.g. `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** Token that clients must send as `Authorization: Bearer <token>` or `?_token=`. */
  token: string;
  /** Port to listen on; default: a free port chosen by the OS. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** See {@link BeforeRequestHook}. */
  beforeRequest?: BeforeRequestHook;
}

/** Requests larger than this are refused with 413; generous for development data. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

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
type Prepared =
  | { readonly kind: 'call'; readonly name: string; readonly args: CommandArg[]; readonly vector: boolean }
  | { readonly kind: 'refused'; readonly error: string };

type Outcome = { readonly result: RedisReply } | { readonly error: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Starts the emulator; resolves once it listens and its Redis connection is ready. */
export async function startUpstashRestServer(options: UpstashRestServerOptions): Promise<UpstashRestServer> {
  const redis = new RedisConnections(options.redisUrl);
  try {
    await redis.start();
  } catch (error) {
    // ioredis would otherwise keep reconnecting and hold the process open.
    await redis.stop();
    throw new Error(
      `Upstash REST emulator could not use Redis at ${options.redisUrl}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }

  const stats = { httpRequests: 0, commands: 0 };
  let faultsInjected = 0;
  let syncSequence = 0;
  const faults = new FaultQueue();
  const expectedToken = Buffer.from(options.token);

  const isAuthorized = (request: IncomingMessage, url: URL): boolean => {
    const header = request.headers.authorization;
    const bearer = header && /^bearer\s+(.+)$/i.exec(header.trim())?.[1];
    const candidates = [bearer, url.searchParams.get('_token')];
    return candidates.some((candidate) => {
      if (!candidate) return false;
      const given = Buffer.from(candidate);
      return given.length === expectedToken.length && timingSafeEqual(given, expectedToken);
    });
  };

  const respond = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const json = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
      'upstash-sync-token': String(syncSequence),
      ...headers,
    });
    response.end(json);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    stats.httpRequests++;
    if (options.beforeRequest && (await options.beforeRequest(request, response))) return;

    const method = request.method ?? 'GET';
    if (!['GET', 'HEAD', 'POST', 'PUT'].includes(method)) {
      request.resume();
      respond(response, 405, { error: 'Method not allowed' });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!isAuthorized(request, url)) {
      request.resume();
      respond(response, 401, { error: 'Unauthorized' });
      return;
    }
    const body = await readBody(request);
    if (body === undefined) {
      // The rest of the upload is never read: answer, then drop the connection it is still arriving on.
      response.once('finish', () => request.destroy());
      respond(
        response,
        413,
        { error: `Request body exceeds ${MAX_BODY_BYTES} bytes` },
        { connection: 'close' },
      );
      return;
    }
    const base64 = String(request.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const encode = (outcome: Outcome) =>
      'error' in outcome ? { error: outcome.error } : { result: toJsonResult(outcome.result, base64) };

    const { pathname } = url;
    const batch = pathname === '/pipeline' || pathname === '/multi-exec';
    let commands: CommandArg[][];
    if (batch) {
      const parsed = parseJson(body);
      if (!Array.isArray(parsed) || parsed.length === 0) {
        throw new HttpError(400, 'ERR request body must be a non-empty JSON array of commands');
      }
      commands = parsed.map((command) => commandFromJson(command));
    } else {
      commands = [pathname === '/' ? commandFromJson(parseJson(body)) : commandFromPath(url, body)];
    }

    const fault = faults.take(commands);
    if (fault) {
      faultsInjected++;
      if (fault.kind === 'status') {
        respond(response, fault.status, { error: `ERR injected fault: HTTP ${fault.status}` });
        return;
      }
      if (fault.kind === 'hang') {
        await faults.sleep(fault.ms);
        response.destroy();
        return;
      }
      if (fault.kind === 'drop' && fault.stage === 'before-execute') {
        response.destroy();
        return;
      }
      if (fault.kind === 'slow') await faults.sleep(fault.ms);
    }
    // A drop after execution: the commands run, then the answer is lost in whole or in part.
    const answer: typeof respond =
      fault?.kind === 'drop'
        ? (res, status, payload) => {
            if (fault.stage === 'before-response') {
              res.destroy();
              return;
            }
            const json = Buffer.from(JSON.stringify(payload));
            res.writeHead(status, {
              'content-type': 'application/json',
              'content-length': json.length,
              'upstash-sync-token': String(syncSequence),
            });
            res.write(json.subarray(0, Math.floor(json.length / 2)), () => res.destroy());
          }
        : respond;

    const prepared = commands.map(prepare);
    syncSequence++;
    if (pathname === '/pipeline') {
      const outcomes = await redis.runPipeline(prepared, stats);
      answer(response, 200, outcomes.map(encode));
      return;
    }
    if (pathname === '/multi-exec') {
      const transaction = await redis.runTransaction(prepared, stats);
      if ('aborted' in transaction) answer(response, 400, { error: transaction.aborted });
      else answer(response, 200, transaction.outcomes.map(encode));
      return;
    }
    const [outcome] = await redis.runPipeline(prepared, stats);
    const encoded = encode(outcome!);
    answer(response, 'error' in encoded ? 400 : 200, encoded);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
      } else if (error instanceof HttpError || error instanceof MalformedCommandError) {
        respond(response, error instanceof HttpError ? error.status : 400, { error: error.message });
      } else {
        respond(response, 500, { error: `ERR emulator failure: ${(error as Error).message}` });
      }
    });
  });

  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token: options.token,
    stats,
    resetStats() {
      stats.httpRequests = 0;
      stats.commands = 0;
    },
    get faultsInjected() {
      return faultsInjected;
    },
    failNext(fault, faultOptions) {
      faults.add(fault, faultOptions);
    },
    clearFaults() {
      return faults.clear();
    },
    async stop() {
      faults.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() alone waits for idle keep-alive sockets to time out, which would hold the process open.
      server.closeAllConnections();
      await Promise.all([closed, redis.stop()]);
    },
  };
}

/** Faults waiting for a matching request, and the timers of faults in progress (cleared on stop). */
class FaultQueue {
  private readonly pending: Array<{ fault: UpstashFault; command?: string | RegExp; remaining: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  add(fault: UpstashFault, options: UpstashFaultOptions = {}): void {
    const remaining = options.count ?? 1;
    if (!Number.isInteger(remaining) || remaining < 1) throw new Error('count must be a positive integer');
    this.pending.push({ fault, command: options.command, remaining });
  }

  clear(): number {
    const left = this.pending.reduce((sum, entry) => sum + entry.remaining, 0);
    this.pending.length = 0;
    return left;
  }

  /** The first pending fault that matches one of the request's commands, consuming one use of it. */
  take(commands: readonly CommandArg[][]): UpstashFault | undefined {
    const index = this.pending.findIndex((entry) => matches(entry.command, commands));
    if (index < 0) return undefined;
    const entry = this.pending[index]!;
    if (--entry.remaining === 0) this.pending.splice(index, 1);
    return entry.fault;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Cancels sleeping faults: their requests never finish, and no timer holds the process open. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending.length = 0;
  }
}

function matches(pattern: string | RegExp | undefined, commands: readonly CommandArg[][]): boolean {
  if (pattern === undefined) return true;
  return commands.some((command) => {
    if (typeof pattern === 'string') return String(command[0]).toUpperCase() === pattern.toUpperCase();
    const text = command.map((arg, i) => (i === 0 ? String(arg).toUpperCase() : String(arg))).join(' ');
    return pattern.test(text);
  });
}

/** Checks a command against what REST can run and rewrites `VECTOR.*` into its Redis form. */
function prepare(command: CommandArg[]): Prepared {
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
 * Reads the body, or returns undefined once it passes {@link MAX_BODY_BYTES}. An oversized body is
 * paused rather than destroyed, so that the 413 can still be written on its socket.
 */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.off('data', onData);
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks, size)));
    request.once('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new HttpError(400, 'ERR empty request body');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'ERR request body is not valid JSON');
  }
}

/**
 * The URL-path form: `/set/k/v` is `SET k v`; a non-empty body is appended as the last argument,
 * byte for byte; then each query parameter except `_token` as `name` and, if not empty, `value`.
 */
function commandFromPath(url: URL, body: Buffer): CommandArg[] {
  const segments = url.pathname.slice(1).split('/');
  if (segments.at(-1) === '') segments.pop();
  let command: CommandArg[];
  try {
    command = segments.map((segment) => decodeURIComponent(segment));
  } catch {
    throw new HttpError(400, 'ERR malformed percent-encoding in the URL path');
  }
  if (command.length === 0 || command[0] === '') throw new HttpError(400, 'ERR no command in the URL path');
  if (body.length > 0) command.push(body);
  for (const [name, value] of url.searchParams) {
    if (name === '_token') continue;
    command.push(name);
    if (value !== '') command.push(value);
  }
  return command;
}

/**
 * The Redis side: one shared connection plus a pool of dedicated ones, all speaking RESP2 through
 * ioredis with buffer replies.
 *
 * Commands are sent as raw `Command` objects with upper-cased names: ioredis keys its reply
 * transformers by the lower-case name (it would turn `hgetall` into an object and `Buffer` keys into
 * strings), so this keeps every reply exactly as Redis sent it.
 */
class RedisConnections {
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
