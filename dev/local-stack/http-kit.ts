/**
 * What every local HTTP emulator shares: a loopback server (`listenHttp`) and a body reader
 * (`readBody`). The API Gateway emulators (api-gateway/), the Secrets Manager fake and any other
 * local server use these instead of their own copies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Serves `serve` on a loopback port (0 = any free one); a request that throws gets a bare 500. */
export async function listenHttp(
  serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  options: { readonly port?: number; readonly host?: string },
): Promise<{ url: string; stop(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const payload = JSON.stringify({ message: 'Internal server error' });
      res.writeHead(500, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(payload)),
        'x-amzn-requestid': 'unknown',
      });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The request body; with `maxBytes`, `too-large` as soon as it passes the limit (reading stops
 * there). The Upstash and Bedrock fakes keep their own readers for now: they pause or drain an
 * oversized body instead, so their 413 still reaches a client that is still sending.
 */
export async function readBody(req: IncomingMessage): Promise<Buffer>;
export async function readBody(
  req: IncomingMessage,
  options: { readonly maxBytes: number },
): Promise<Buffer | 'too-large'>;
export async function readBody(
  req: IncomingMessage,
  options: { readonly maxBytes?: number } = {},
): Promise<Buffer | 'too-large'> {
  const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
