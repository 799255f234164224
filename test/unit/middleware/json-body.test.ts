import middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type BodyEvent, jsonBody } from '../../../functions/middleware/json-body.js';
import { PayloadTooLargeError, ValidationError } from '../../../lib/domain/errors.js';
import { LIMITS } from '../../../lib/domain/limits.js';
import { lambdaContext, restApiEvent } from './api-gateway-event.js';

async function read(mode: 'json' | 'raw', event: APIGatewayProxyEvent) {
  let seen: BodyEvent | undefined;
  await middy<APIGatewayProxyEvent>()
    .use(jsonBody(mode))
    .handler(async (parsed) => {
      seen = parsed as BodyEvent;
    })(event, lambdaContext());
  return { parsedBody: seen?.parsedBody, rawBody: seen?.rawBody };
}

function posting(body: string | null, contentType?: string, isBase64Encoded = false): APIGatewayProxyEvent {
  const event = restApiEvent({ body, isBase64Encoded });
  return contentType === undefined
    ? event
    : { ...event, headers: { ...event.headers, 'Content-Type': contentType } };
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('jsonBody', () => {
  it('parses a JSON body, whatever the header case and charset', async () => {
    const body = JSON.stringify({ sessionId: 's1', content: [{ text: 'hi' }] });
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/vnd.api+json',
    ])
      expect((await read('json', posting(body, type))).parsedBody).toEqual(JSON.parse(body));
    expect((await read('json', posting(body))).parsedBody).toEqual(JSON.parse(body));
  });

  it('decodes a base64 body (API Gateway with binary media types)', async () => {
    const event = posting(Buffer.from('{"a":1}').toString('base64'), 'application/json', true);
    expect((await read('json', event)).parsedBody).toEqual({ a: 1 });
  });

  it('leaves a request without a body alone', async () => {
    for (const body of [null, ''])
      expect(await read('json', posting(body, 'text/plain'))).toEqual({
        parsedBody: undefined,
        rawBody: undefined,
      });
  });

  it('refuses another media type and invalid JSON (400)', async () => {
    await expect(read('json', posting('{"a":1}', 'text/plain'))).rejects.toThrow(ValidationError);
    await expect(read('json', posting('{"a":', 'application/json'))).rejects.toThrow('not valid JSON');
  });

  it(`refuses a body over ${LIMITS.requestBodyBytes} bytes (413), counted in UTF-8 bytes`, async () => {
    const multiByte = `"${'é'.repeat(Math.ceil(LIMITS.requestBodyBytes / 2))}"`;
    await expect(read('json', posting(multiByte, 'application/json'))).rejects.toThrow(PayloadTooLargeError);
    await expect(read('raw', posting(multiByte))).rejects.toThrow(PayloadTooLargeError);
  });

  it(`refuses nesting past ${LIMITS.jsonNestingDepth} levels in both modes, and accepts exactly that`, async () => {
    await expect(read('json', posting(nested(LIMITS.jsonNestingDepth + 1)))).rejects.toThrow('nests deeper');
    await expect(read('raw', posting(nested(LIMITS.jsonNestingDepth + 1)))).rejects.toThrow('nests deeper');
    expect((await read('json', posting(nested(LIMITS.jsonNestingDepth)))).parsedBody).toBeDefined();
  });

  it('hands a raw route the text, checking neither media type nor syntax', async () => {
    expect(await read('raw', posting('{"jsonrpc":', 'text/plain'))).toEqual({
      parsedBody: undefined,
      rawBody: '{"jsonrpc":',
    });
  });
});
