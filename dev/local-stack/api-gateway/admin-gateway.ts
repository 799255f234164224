import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { type AdminRouteDefinition, adminApi } from '../../../functions/catalog.js';
import { listenHttp } from '../http-kit.js';
import { lambdaContext } from '../lambda-context.js';
import type { ProxyHandler } from './data-api.js';
import { answerFromIntegration, INTEGRATION_TIMEOUT_MS, receiveRoutedRequest, send } from './integration.js';
import { ACCOUNT_ID, compilePath, proxyEventOf } from './proxy-events.js';

export interface LocalAdminGatewayOptions {
  /** The admin API's routes (`adminApi.routes` of functions/catalog.ts). */
  readonly routes: readonly AdminRouteDefinition[];
  /** The one function behind every route, as on AWS. */
  readonly handler: ProxyHandler;
  /** The only IAM credentials this gateway accepts (a local admin user). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The region requests must be signed for. */
  readonly region: string;
  readonly port?: number;
  readonly host?: string;
  readonly stage?: string;
}

export interface LocalAdminGateway {
  readonly url: string;
  stop(): Promise<void>;
}

/** The IAM user behind the local credentials, as it appears in `requestContext.identity`. */
export const LOCAL_ADMIN_USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/local-admin`;
const LOCAL_ADMIN_USER_ID = 'AIDALOCALADMIN000000';
const SERVICE = 'execute-api';
/** How far a request's X-Amz-Date may be from the gateway's clock, as AWS allows. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** API Gateway's own answers when IAM authorization fails: 403, `x-amzn-ErrorType`, `{"message"}`. */
const DENIALS = {
  missingToken: ['MissingAuthenticationTokenException', 'Missing Authentication Token'],
  invalidToken: ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
  mismatch: [
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  ],
} as const;

class Denied extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const incomplete = (message: string) => new Denied('IncompleteSignatureException', message);
const invalidSignature = (message: string) => new Denied('InvalidSignatureException', message);

/**
 * A local stand-in for the admin REST API, whose every method uses IAM authorization on AWS. Each
 * request must carry a valid SigV4 signature (service `execute-api`, this gateway's region) made with
 * the one set of credentials it knows; the signature is recomputed with @smithy/signature-v4 over
 * the received method, path, query, signed headers and body (hashed here, whatever
 * `x-amz-content-sha256` claims) and compared in constant time. Refusals are API Gateway's: 403 with
 * `{"message": …}` and `x-amzn-ErrorType` (missing token, incomplete or invalid signature,
 * expired or future date beyond 5 minutes, unknown access key). A path or method the API does not
 * have is a 404 problem body, like the data-plane gateway's.
 *
 * An accepted request becomes a REST (v1) proxy event (`resource` is the route's path,
 * `requestContext.identity` the IAM caller, `authorizer` null) for the one admin handler.
 */
export async function startLocalAdminGateway(options: LocalAdminGatewayOptions): Promise<LocalAdminGateway> {
  const stage = options.stage ?? 'local';
  const compiled = options.routes.map((route) => ({ route, ...compilePath(route.path) }));
  const signer = new SignatureV4({
    service: SERVICE,
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
    // The payload hash is always computed from the received body, never taken from a header.
    applyChecksum: false,
  });

  const verify = async (req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer) => {
    const authorization = req.headers.authorization;
    if (!authorization) throw new Denied(...DENIALS.missingToken);
    const parts = parseAuthorization(authorization);
    const amzDate = req.headers['x-amz-date'];
    if (typeof amzDate !== 'string') {
      throw incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    }
    const signingDate = parseAmzDate(amzDate);
    const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator] = parts.credential.split('/');
    if (
      accessKeyId !== options.credentials.accessKeyId ||
      req.headers['x-amz-security-token'] !== undefined
    ) {
      throw new Denied(...DENIALS.invalidToken);
    }
    checkClock(signingDate, amzDate);
    if (terminator !== 'aws4_request' || scopeDate !== amzDate.slice(0, 8)) {
      throw invalidSignature(
        `Credential should be scoped to a valid date: ${amzDate.slice(0, 8)}/<region>/${SERVICE}/aws4_request.`,
      );
    }
    if (scopeRegion !== options.region)
      throw invalidSignature('Credential should be scoped to a valid region.');
    if (scopeService !== SERVICE) {
      throw invalidSignature(`Credential should be scoped to correct service: '${SERVICE}'.`);
    }
    if (!parts.signedHeaders.includes('host')) {
      throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }

    const signedHeaders: Record<string, string> = {};
    for (const name of parts.signedHeaders) {
      const value = req.headers[name];
      if (value !== undefined) signedHeaders[name] = Array.isArray(value) ? value.join(',') : value;
    }
    if ('x-amz-content-sha256' in signedHeaders) {
      signedHeaders['x-amz-content-sha256'] = createHash('sha256').update(body).digest('hex');
    }
    const query = parseQuery(rawQuery);
    if (!query) throw new Denied(...DENIALS.mismatch);
    const expected = await signer.sign(
      new HttpRequest({
        method: (req.method ?? 'GET').toUpperCase(),
        hostname: signedHeaders.host ?? '',
        path: rawPath,
        query,
        headers: signedHeaders,
        ...(body.length > 0 ? { body } : {}),
      }),
      { signingDate, signableHeaders: new Set(parts.signedHeaders) },
    );
    const expectedSignature =
      /Signature=([0-9a-f]{64})$/.exec(expected.headers.authorization ?? '')?.[1] ?? '';
    const given = Buffer.from(parts.signature);
    const wanted = Buffer.from(expectedSignature);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
      throw new Denied(...DENIALS.mismatch);
    return { accessKeyId };
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const received = await receiveRoutedRequest(req, res, compiled);
    if (!received) return;
    const { requestId, url, method, body, route, pathParameters } = received;
    // SigV4 covers the path and query as sent, before any decoding.
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const rawPath = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const rawQuery = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1);

    let caller: { accessKeyId: string };
    try {
      caller = await verify(req, rawPath, rawQuery, body);
    } catch (error) {
      if (!(error instanceof Denied)) throw error;
      return send(res, requestId, 403, { message: error.message }, { 'x-amzn-errortype': error.errorType });
    }

    const event = proxyEventOf({
      req,
      url,
      method,
      route: { name: route.operation, path: route.path },
      stage,
      requestId,
      pathParameters,
      body,
      identity: {
        accessKey: caller.accessKeyId,
        accountId: ACCOUNT_ID,
        caller: LOCAL_ADMIN_USER_ID,
        user: LOCAL_ADMIN_USER_ID,
        userArn: LOCAL_ADMIN_USER_ARN,
      },
      authorizer: null,
    });
    await answerFromIntegration(res, requestId, () =>
      options.handler(event, lambdaContext(adminApi.name, INTEGRATION_TIMEOUT_MS, options.region)),
    );
  };

  return listenHttp(serve, options);
}

/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`, or IncompleteSignature naming what is missing. */
function parseAuthorization(header: string): {
  credential: string;
  signedHeaders: string[];
  signature: string;
} {
  const [algorithm, ...rest] = header.trim().split(/\s+/);
  const fields = new Map<string, string>();
  if (algorithm === 'AWS4-HMAC-SHA256') {
    for (const part of rest.join('').split(',')) {
      const equals = part.indexOf('=');
      if (equals > 0) fields.set(part.slice(0, equals), part.slice(equals + 1));
    }
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    // API Gateway also echoes the header back; the echo is left out here (it may carry a bearer token).
    throw incomplete(missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' '));
  }
  return {
    credential: fields.get('Credential')!,
    signedHeaders: fields.get('SignedHeaders')!.toLowerCase().split(';'),
    signature: fields.get('Signature')!,
  };
}

function parseAmzDate(value: string): Date {
  const parts = AMZ_DATE.exec(value);
  const date = parts
    ? new Date(Date.UTC(+parts[1]!, +parts[2]! - 1, +parts[3]!, +parts[4]!, +parts[5]!, +parts[6]!))
    : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw incomplete(
      `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  return date;
}

/** AWS's wording for a signing time outside the allowed skew. */
function checkClock(signingDate: Date, amzDate: string): void {
  const now = Date.now();
  const basic = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  if (signingDate.getTime() < now - MAX_CLOCK_SKEW_MS) {
    throw invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${basic(now - MAX_CLOCK_SKEW_MS)} (${basic(now)} - 5 min.)`,
    );
  }
  if (signingDate.getTime() > now + MAX_CLOCK_SKEW_MS) {
    throw invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${basic(now + MAX_CLOCK_SKEW_MS)} (${basic(now)} + 5 min.)`,
    );
  }
}

/**
 * The raw query as SigV4 reads it: percent-decoding only (`+` stays a plus), repeated keys kept in
 * order. `undefined` when a percent-escape is malformed.
 */
function parseQuery(raw: string): Record<string, string | string[]> | undefined {
  const query: Record<string, string | string[]> = {};
  try {
    for (const pair of raw.split('&')) {
      if (pair === '') continue;
      const equals = pair.indexOf('=');
      const name = decodeURIComponent(equals < 0 ? pair : pair.slice(0, equals));
      const value = equals < 0 ? '' : decodeURIComponent(pair.slice(equals + 1));
      const previous = query[name];
      query[name] =
        previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
  } catch {
    return undefined;
  }
  return query;
}
