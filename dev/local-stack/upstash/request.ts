import type { IncomingMessage } from 'node:http';
import type { CommandArg } from './encoding.js';

/* Reading an HTTP request into commands: the body (bounded), the JSON forms and the URL-path form. */

/** Requests larger than this are refused with 413; generous for development data. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the body, or returns undefined once it passes {@link MAX_BODY_BYTES}. An oversized body is
 * paused rather than destroyed, so that the 413 can still be written on its socket.
 */
export function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
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

export function parseJson(body: Buffer): unknown {
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
export function commandFromPath(url: URL, body: Buffer): CommandArg[] {
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
