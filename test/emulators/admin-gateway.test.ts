import { createHash, createHmac } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_ADMIN_USER_ARN,
  type LocalAdminGateway,
  startLocalAdminGateway,
} from '../../dev/local-stack/api-gateway/admin-gateway.js';
import { adminApi } from '../../functions/catalog.js';
import {
  type SignedFetchInput,
  signedFetch,
  signRequest,
} from '../../lib/adapters/admin-client/signed-fetch.js';

const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'AKIDLOCALADMINTEST01', secretAccessKey: 'local-admin-secret-for-tests' };
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

let gateway: LocalAdminGateway;
const seen: Array<{ event: APIGatewayProxyEvent; context: Context }> = [];

beforeAll(async () => {
  gateway = await startLocalAdminGateway({
    routes: adminApi.routes,
    credentials: CREDENTIALS,
    region: REGION,
    // Echoes what the one admin function would receive.
    handler: async (event, context) => {
      seen.push({ event, context });
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resource: event.resource,
          path: event.path,
          httpMethod: event.httpMethod,
          pathParameters: event.pathParameters,
          queryStringParameters: event.queryStringParameters,
          multiValueQueryStringParameters: event.multiValueQueryStringParameters,
          body: event.body,
          identity: event.requestContext.identity,
          authorizer: event.requestContext.authorizer,
          functionName: context.functionName,
        }),
      };
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
});

const signed = (input: Omit<SignedFetchInput, 'region' | 'credentials'> & Partial<SignedFetchInput>) =>
  signedFetch({ region: REGION, credentials: CREDENTIALS, ...input });

describe('local admin gateway: signed requests', () => {
  it('delivers a signed request to the handler as a REST proxy event with the IAM caller', async () => {
    // Act
    const response = await signed({
      url: `${gateway.url}/v1/api-keys/key%20one/rotate?gracePeriodSeconds=3600`,
      method: 'POST',
      body: JSON.stringify({ reason: 'rotation', nested: { list: [1, 'two', null] } }),
    });

    // Assess
    expect(response.status).toBe(200);
    const echo = JSON.parse(response.body);
    expect(echo).toMatchObject({
      resource: '/v1/api-keys/{keyId}/rotate',
      path: '/v1/api-keys/key%20one/rotate',
      httpMethod: 'POST',
      pathParameters: { keyId: 'key one' },
      queryStringParameters: { gracePeriodSeconds: '3600' },
      authorizer: null,
      functionName: adminApi.name,
    });
    expect(JSON.parse(echo.body)).toEqual({ reason: 'rotation', nested: { list: [1, 'two', null] } });
    expect(echo.identity).toMatchObject({
      accessKey: CREDENTIALS.accessKeyId,
      accountId: '000000000000',
      userArn: LOCAL_ADMIN_USER_ARN,
      apiKey: null,
    });
    expect(echo.identity.caller).toMatch(/^AIDA/);
    expect(echo.identity.user).toBe(echo.identity.caller);
    expect(echo.identity.sourceIp).toBeTruthy();
    expect(response.headers['x-amzn-requestid']).toBeTruthy();
  });

  it('signs query strings with reserved, unicode and repeated parameters', async () => {
    // Prepare: values that form-encoding and RFC 3986 spell differently
    const tricky = "a b+c/d?e&f=g ~!*'() é☃ 100%";
    const url = new URL(`${gateway.url}/v1/stores`);
    url.searchParams.append('name', tricky);
    url.searchParams.append('tag', 'x');
    url.searchParams.append('tag', 'a=b');
    url.searchParams.append('empty', '');

    // Act
    const response = await signed({ url, method: 'GET' });

    // Assess
    expect(response.status).toBe(200);
    const echo = JSON.parse(response.body);
    expect(echo.resource).toBe('/v1/stores');
    expect(echo.queryStringParameters).toEqual({ name: tricky, tag: 'a=b', empty: '' });
    expect(echo.multiValueQueryStringParameters.tag).toEqual(['x', 'a=b']);
  });

  it('signs a GET without a body and a DELETE with path parameters', async () => {
    const list = await signed({ url: `${gateway.url}/v1/detectors`, method: 'GET' });
    const removal = await signed({ url: `${gateway.url}/v1/stores/store-1`, method: 'DELETE' });

    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toMatchObject({
      resource: '/v1/detectors',
      body: null,
      pathParameters: null,
    });
    expect(removal.status).toBe(200);
    expect(JSON.parse(removal.body)).toMatchObject({
      resource: '/v1/stores/{storeId}',
      httpMethod: 'DELETE',
      pathParameters: { storeId: 'store-1' },
    });
  });

  it('answers a path the API does not have with a 404 problem body', async () => {
    const response = await signed({ url: `${gateway.url}/v1/nothing-here`, method: 'GET' });

    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({
      type: '/errors/resource-not-found',
      title: 'Resource not found',
      status: 404,
      detail: 'No such route',
    });
  });
});

describe('local admin gateway: refusals, as API Gateway IAM authorization words them', () => {
  it('refuses a request without a signature', async () => {
    const count = seen.length;

    const response = await fetch(`${gateway.url}/v1/stores`);

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(seen.length).toBe(count);
  });

  it('refuses a bearer token on an IAM route', async () => {
    const response = await fetch(`${gateway.url}/v1/stores`, {
      headers: { authorization: 'Bearer am_secret' },
    });

    expect(response.status).toBe(403);
    const body = (await response.json()) as { message: string };
    expect(body.message).toContain("Authorization header requires 'Credential' parameter.");
    expect(body.message).not.toContain('am_secret');
  });

  it('refuses a tampered body', async () => {
    // Prepare
    const count = seen.length;
    const request = await signRequest({
      url: `${gateway.url}/v1/stores`,
      method: 'POST',
      body: JSON.stringify({ name: 'store-a' }),
      region: REGION,
      credentials: CREDENTIALS,
    });

    // Act
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: JSON.stringify({ name: 'store-b' }),
    });

    // Assess
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: SIGNATURE_MISMATCH });
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(seen.length).toBe(count);
  });

  it('refuses a tampered query string or a changed signed header', async () => {
    const request = await signRequest({
      url: `${gateway.url}/v1/stores?limit=10`,
      method: 'GET',
      headers: { accept: 'application/json' },
      region: REGION,
      credentials: CREDENTIALS,
    });

    const query = await fetch(request.url.replace('limit=10', 'limit=1000'), { headers: request.headers });
    const header = await fetch(request.url, { headers: { ...request.headers, accept: 'text/html' } });
    const untouched = await fetch(request.url, { headers: request.headers });

    expect(query.status).toBe(403);
    expect(await query.json()).toEqual({ message: SIGNATURE_MISMATCH });
    expect(header.status).toBe(403);
    expect(untouched.status).toBe(200);
  });

  it('refuses a signature made with the wrong secret', async () => {
    const response = await signed({
      url: `${gateway.url}/v1/stores`,
      method: 'GET',
      credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
    });

    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ message: SIGNATURE_MISMATCH });
  });

  it('refuses an unknown access key', async () => {
    const response = await signed({
      url: `${gateway.url}/v1/stores`,
      method: 'GET',
      credentials: { accessKeyId: 'AKIDSOMEONEELSE00000', secretAccessKey: CREDENTIALS.secretAccessKey },
    });

    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({
      message: 'The security token included in the request is invalid.',
    });
    expect(response.headers['x-amzn-errortype']).toBe('UnrecognizedClientException');
  });

  it('refuses a signature older or newer than five minutes', async () => {
    const stale = await signed({
      url: `${gateway.url}/v1/stores`,
      method: 'GET',
      signingDate: new Date(Date.now() - 6 * 60 * 1000),
    });
    const future = await signed({
      url: `${gateway.url}/v1/stores`,
      method: 'GET',
      signingDate: new Date(Date.now() + 6 * 60 * 1000),
    });
    const slightlyOff = await signed({
      url: `${gateway.url}/v1/stores`,
      method: 'GET',
      signingDate: new Date(Date.now() - 4 * 60 * 1000),
    });

    expect(stale.status).toBe(403);
    expect(JSON.parse(stale.body).message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
    );
    expect(future.status).toBe(403);
    expect(JSON.parse(future.body).message).toMatch(/^Signature not yet current: /);
    expect(slightlyOff.status).toBe(200);
  });

  it('refuses a signature for another region or service', async () => {
    const region = await signed({ url: `${gateway.url}/v1/stores`, method: 'GET', region: 'us-east-1' });
    const service = await signed({ url: `${gateway.url}/v1/stores`, method: 'GET', service: 'apigateway' });

    expect(region.status).toBe(403);
    expect(JSON.parse(region.body).message).toBe('Credential should be scoped to a valid region.');
    expect(service.status).toBe(403);
    expect(JSON.parse(service.body).message).toBe(
      "Credential should be scoped to correct service: 'execute-api'.",
    );
  });
});

/**
 * SigV4 written out from AWS's documentation (canonical request, string to sign, derived key), apart
 * from @smithy/signature-v4, so that the client and the gateway (which share that library) are also
 * checked against the published algorithm and not only against each other.
 */
function referenceSignature(input: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  secretAccessKey: string;
  scope: string;
  amzDate: string;
}): string {
  const encode = (text: string) =>
    encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const url = new URL(input.url);
  // Every service but S3: the path as sent, each segment encoded once more.
  const path = url.pathname.split('/').map(encode).join('/');
  const pairs = url.search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=').map((part) => encode(decodeURIComponent(part))) as [string, string]);
  pairs.sort(([ka, va], [kb, vb]) => (ka === kb ? (va < vb ? -1 : 1) : ka < kb ? -1 : 1));
  const names = Object.keys(input.headers).sort();
  const canonical = [
    input.method,
    path,
    pairs.map(([key, value]) => `${key}=${value ?? ''}`).join('&'),
    ...names.map((name) => `${name}:${input.headers[name]!.trim()}`),
    '',
    names.join(';'),
    createHash('sha256').update(input.body).digest('hex'),
  ].join('\n');
  const toSign = [
    'AWS4-HMAC-SHA256',
    input.amzDate,
    input.scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer | string = `AWS4${input.secretAccessKey}`;
  for (const part of input.scope.split('/')) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('signRequest follows AWS Signature Version 4', () => {
  it('the reference reproduces the AWS test suite vector get-vanilla', () => {
    const signature = referenceSignature({
      method: 'GET',
      url: 'https://example.amazonaws.com/',
      headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
      body: '',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      scope: '20150830/us-east-1/service/aws4_request',
      amzDate: '20150830T123600Z',
    });

    expect(signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  it('signs an escaped path, a tricky query and a JSON body as the reference does', async () => {
    // Prepare
    const url = new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/v1/stores/store%20%C3%A9');
    url.searchParams.append('q', "a b+c/d?e&f=g ~!*'()");
    url.searchParams.append('a', '2');
    url.searchParams.append('a', '1');
    const body = JSON.stringify({ name: 'x', unicode: 'é☃' });

    // Act
    const request = await signRequest({
      url,
      method: 'PATCH',
      body,
      region: REGION,
      credentials: CREDENTIALS,
      signingDate: new Date('2024-02-29T23:59:30Z'),
    });

    // Assess
    const authorization = request.headers.authorization!;
    const [, scope, signedHeaders, signature] =
      /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\S+), SignedHeaders=(\S+), Signature=([0-9a-f]{64})$/.exec(
        authorization,
      )!;
    expect(scope).toBe(`20240229/${REGION}/execute-api/aws4_request`);
    expect(signedHeaders).toBe('content-type;host;x-amz-content-sha256;x-amz-date');
    const headers: Record<string, string> = { host: url.host };
    for (const name of signedHeaders!.split(';')) if (name !== 'host') headers[name] = request.headers[name]!;
    expect(
      referenceSignature({
        method: 'PATCH',
        url: request.url,
        headers,
        body,
        secretAccessKey: CREDENTIALS.secretAccessKey,
        scope: scope!,
        amzDate: '20240229T235930Z',
      }),
    ).toBe(signature);
  });
});
