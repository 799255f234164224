import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, resolve } from 'node:path';
import { buildExplorer, EXPLORER_DIST, SITE_FILES } from './build.js';
import type { ExplorerConfig } from './config.js';
import { originOf, securityHeaders } from './security-headers.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

export interface ExplorerServerOptions {
  /** The data API the page talks to (its origin goes into the CSP's connect-src). */
  readonly apiUrl: string;
  /** Store offered in the connect form. */
  readonly storeId?: string;
  readonly port?: number;
  readonly host?: string;
  /** Build the bundle first (default true); false serves what `dist/explorer` holds. */
  readonly build?: boolean;
}

export interface ExplorerServer {
  readonly url: string;
  /** The page's origin, which the data API must allow (CORS_ALLOW_ORIGINS). */
  readonly origin: string;
  stop(): Promise<void>;
}

/**
 * Serves the explorer as CloudFront does: the built files with the same security headers (strict
 * CSP, nosniff, frame deny) and a `config.json` naming the API. Local and plain HTTP, so no HSTS.
 */
export async function startExplorerServer(options: ExplorerServerOptions): Promise<ExplorerServer> {
  if (options.build ?? true) buildExplorer();
  const files = new Map<string, Buffer>();
  // The only files served: no directory listing, no path from the request ever reaches the file system.
  for (const file of SITE_FILES) files.set(`/${file}`, await readFile(resolve(EXPLORER_DIST, file)));
  const config: ExplorerConfig = {
    apiUrl: options.apiUrl,
    ...(options.storeId ? { storeId: options.storeId } : {}),
  };
  files.set('/config.json', Buffer.from(JSON.stringify(config)));
  files.set('/', files.get('/index.html')!);
  const headers = securityHeaders(originOf(options.apiUrl));

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const body = files.get(path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !body) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, {
        ...headers,
        'content-type': 'text/plain',
      });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(path === '/' ? '/index.html' : path)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://${host}:${port}`;
  return {
    url: `${origin}/`,
    origin,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
