import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Static AWS credentials, or a provider of them (e.g. one from `@aws-sdk/credential-providers`). */
export type AwsCredentials =
  | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
  | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>);

export interface SignedFetchInput {
  readonly url: string | URL;
  readonly method: string;
  /** Sent as is; with a body and no `content-type` header, `application/json` is assumed. */
  readonly body?: string;
  /** Extra headers, signed too. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly region: string;
  /** Default: the SDK's default provider chain (environment, SSO, shared files, container, instance). */
  readonly credentials?: AwsCredentials;
  /** SigV4 service name; `execute-api` for an API Gateway API with IAM authorization. */
  readonly service?: string;
  /** The signing time; default now. (API Gateway refuses signatures more than 5 minutes off.) */
  readonly signingDate?: Date;
}

export interface SignedFetchResponse {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A request ready to send: the URL as signed, and the headers with `authorization` and `x-amz-*`. */
export interface SignedRequest {
  readonly url: string;
  readonly method: string;
  /** Lower-cased names, `host` left out (fetch sets it from the URL, to the signed value). */
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/**
 * `fetch` with an AWS Signature Version 4, for the admin API (API Gateway with IAM authorization).
 * Returns whatever the server answers; only a network failure throws.
 */
export async function signedFetch(input: SignedFetchInput): Promise<SignedFetchResponse> {
  const signed = await signRequest(input);
  const response = await fetch(signed.url, {
    method: signed.method,
    headers: signed.headers,
    ...(signed.body !== undefined ? { body: signed.body } : {}),
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

/**
 * Signs a request with SigV4 (HMAC-SHA256) without sending it.
 *
 * The query string is rewritten with SigV4's own encoding (RFC 3986: `%20` for a space, `%2B` for a
 * plus, keys sorted), so the pairs on the wire are spelled as they were signed and no server can read
 * `+` or `*` differently from the signer. A repeated key keeps its values' order (the signature
 * sorts them itself; the receiving function may care). The path is kept as the URL spells it
 * (WHATWG percent-encoding); SigV4 encodes it once more for the canonical request, as AWS expects of
 * every service but S3. Signed headers: `host`, `x-amz-date`, `x-amz-content-sha256` (the body's
 * SHA-256), `x-amz-security-token` with temporary credentials, `content-type` and the caller's own.
 */
export async function signRequest(input: SignedFetchInput): Promise<SignedRequest> {
  const url = new URL(input.url);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const previous = query[name];
    query[name] =
      previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  if (input.body !== undefined && headers['content-type'] === undefined) {
    headers['content-type'] = 'application/json';
  }
  const request = new HttpRequest({
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    method: input.method.toUpperCase(),
    path: url.pathname,
    query,
    headers,
    ...(input.body !== undefined ? { body: input.body } : {}),
  });
  const signer = new SignatureV4({
    service: input.service ?? 'execute-api',
    region: input.region,
    credentials: input.credentials ?? (await defaultCredentials()),
    // @smithy/hash-node's Hash (node:crypto) bound to SHA-256: the hash class the SDK's signers use.
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(request, input.signingDate ? { signingDate: input.signingDate } : {});
  const search = canonicalQueryString(query);
  const { host: _host, ...sendHeaders } = signed.headers;
  return {
    url: `${url.origin}${url.pathname}${search ? `?${search}` : ''}`,
    method: signed.method,
    headers: sendHeaders,
    body: input.body,
  };
}

/** The query as SigV4 encodes it: RFC 3986 percent-encoding, encoded keys sorted, values in their order. */
function canonicalQueryString(query: Readonly<Record<string, string | string[]>>): string {
  return (
    Object.keys(query)
      .map((name) => [name, rfc3986(name)] as const)
      // Code-unit order, as SigV4 sorts (not locale order).
      .sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([name, encoded]) => {
        const values = query[name]!;
        return (Array.isArray(values) ? values : [values]).map((value) => `${encoded}=${rfc3986(value)}`);
      })
      .join('&')
  );
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

async function defaultCredentials(): Promise<AwsCredentials> {
  // Loaded only when no credentials are given: the provider chain pulls in SSO, STS and INI support.
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain();
}
