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
 * - `VECTOR.*` commands are emulated on vector sets, see `vector-commands.ts`.
 *
 * Connections: single commands and pipelines share one ioredis connection (Redis runs them in
 * arrival order; other requests may interleave, as on Upstash). Transactions and requests with a
 * blocking command take a pooled connection of their own, so neither `MULTI` state nor a `BLPOP`
 * can hold up other requests. Commands that would change a shared connection's state (`SELECT`,
 * `SUBSCRIBE`, `MULTI`, `WATCH`, ...) are refused: over REST each command stands alone.
 *
 * Faults (tests only): {@link UpstashRestServer.failNext} makes the next matching requests answer a
 * 5xx, hang, run slowly or lose their connection before or after the commands ran; without it the
 * emulator behaves exactly as described above. See faults.ts.
 *
 * The parts: request.ts (body and command forms), encoding.ts (JSON and base64 results),
 * connections.ts (the Redis side), faults.ts, vector-commands.ts and vector-library.ts (`VECTOR.*`).
 *
 * Not emulated: Server-Sent-Events `subscribe`/`psubscribe`, read-only tokens, rate limits, and
 * integers beyond 2^53 (ioredis parses integer replies into JS numbers).
 */

import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Outcome, prepare, RedisConnections } from './connections.js';
import { type CommandArg, commandFromJson, MalformedCommandError, toJsonResult } from './encoding.js';
import { FaultQueue, type UpstashFault, type UpstashFaultOptions } from './faults.js';
import { commandFromPath, HttpError, MAX_BODY_BYTES, parseJson, readBody } from './request.js';

export type { UpstashFault, UpstashFaultOptions } from './faults.js';

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
