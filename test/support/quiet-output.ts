/**
 * Routes writes to process.stdout and process.stderr through `console`, so that vitest's
 * `silent: 'passed-only'` (vitest.config.ts) holds them back unless their test fails.
 *
 * vitest only intercepts `console`; the service's JSON logs (lib/observability/logger.ts) write to
 * the streams directly, and Powertools Logger writes through its own `Console` built on them, so
 * without this every request of an end-to-end test printed its log lines. Tests that read the logs
 * (log-secrets, config-at-init) replace `write` themselves and restore this one afterwards.
 */
function routeThroughConsole(stream: NodeJS.WriteStream, log: (text: string) => void): void {
  const original = stream.write.bind(stream);
  let inside = false;
  const write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    // A console that itself ends on this stream (vitest's interception switched off) writes as before.
    if (inside)
      return original(chunk as string, encodingOrCallback as BufferEncoding, callback as () => void);
    inside = true;
    try {
      const encoding =
        typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : 'utf8';
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(encoding);
      log(text.endsWith('\n') ? text.slice(0, -1) : text);
    } finally {
      inside = false;
    }
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') queueMicrotask(() => done());
    return true;
  };
  stream.write = write as typeof stream.write;
}

routeThroughConsole(process.stdout, (text) => console.log(text));
routeThroughConsole(process.stderr, (text) => console.error(text));
