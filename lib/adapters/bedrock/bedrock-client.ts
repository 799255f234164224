import type { BedrockRuntimeClient, BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { NodeHttpHandler } from '@smithy/node-http-handler';

/*
 * No value import of the SDK here: bundlers hoist static imports of the (external) SDK to the top of
 * every bundle that includes this file, and loading a client costs ~75 ms of cold start. Both the
 * client and the HTTP handler are loaded inside `createBedrockRuntimeClient`.
 */

export interface BedrockClientConfig {
  readonly region: string;
  /** A local fake's endpoint (`dev/local-stack/bedrock/server.ts`). Unset in AWS; the SDK also honours `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`. */
  readonly endpoint?: string;
  /** Static credentials (a fake's dummy ones). Unset: the default provider chain. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per call, the first included. Default 3. */
  readonly maxAttempts?: number;
}

/** Connect and socket-idle limits of the HTTP/1.1 handler, in milliseconds. */
export const BEDROCK_HTTP_HANDLER_OPTIONS = {
  connectionTimeout: 2_000,
  requestTimeout: 15_000,
  // Without it the handler only logs a warning when the limit passes and the call hangs on.
  throwOnRequestTimeout: true,
} as const;

/**
 * The options behind `createBedrockRuntimeClient`, for callers that load the SDK themselves (lazily).
 *
 * Pass an HTTP/1.1 handler (`new NodeHttpHandler(BEDROCK_HTTP_HANDLER_OPTIONS)` from
 * `@smithy/node-http-handler`). Without one, this client's SDK default is its HTTP/2 handler with
 * `disableConcurrentStreams: true` (chosen for the bidirectional-streaming operations), which opens
 * a new connection, TLS handshake included, for every request: costly for Titan's one text per call.
 * HTTP/1.1 keep-alive reuses connections, and it is what the local fake speaks.
 */
export function bedrockRuntimeClientOptions(
  config: BedrockClientConfig,
  requestHandler?: NodeHttpHandler,
): BedrockRuntimeClientConfig {
  return {
    region: config.region,
    // A small retry budget (3 attempts in all, throttling included) so a sick model fails a request
    // quickly instead of holding it; callers see TooManyRequestsError / DependencyUnavailableError.
    maxAttempts: config.maxAttempts ?? 3,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(requestHandler ? { requestHandler } : {}),
  };
}

/**
 * A Bedrock Runtime client over HTTP/1.1 keep-alive with a small retry budget. Loads the SDK on first
 * call (later calls hit the module cache), so importing this module costs nothing; usable both in
 * functions and in dev/tests (`createBedrockRuntimeClient({ region, endpoint: fake.url, credentials })`).
 */
export async function createBedrockRuntimeClient(config: BedrockClientConfig): Promise<BedrockRuntimeClient> {
  const [{ BedrockRuntimeClient }, { NodeHttpHandler }] = await Promise.all([
    import('@aws-sdk/client-bedrock-runtime'),
    import('@smithy/node-http-handler'),
  ]);
  return new BedrockRuntimeClient(
    bedrockRuntimeClientOptions(config, new NodeHttpHandler(BEDROCK_HTTP_HANDLER_OPTIONS)),
  );
}
