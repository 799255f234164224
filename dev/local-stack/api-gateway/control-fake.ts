/**
 * A local fake of the API Gateway management API (REST APIs, v1) for the few operations the control
 * plane uses, so that the production `@aws-sdk/client-api-gateway` client runs unchanged against it
 * (reach it with `endpoint`, or `AWS_ENDPOINT_URL_API_GATEWAY`, which the SDK reads itself).
 *
 * Wire protocol, as the SDK's restJson1 serde speaks it (schemas in the client's dist-cjs/index.js):
 *
 * | operation          | request                                             | success |
 * | ------------------ | --------------------------------------------------- | ------- |
 * | CreateApiKey       | `POST /apikeys` `{name, description, enabled, value, customerId, tags, …}` | 201 ApiKey |
 * | GetApiKey          | `GET /apikeys/{apiKey}?includeValue=true`           | 200 ApiKey |
 * | GetApiKeys         | `GET /apikeys?position&limit&name&customerId&includeValues` | 200 `{item, position}` |
 * | UpdateApiKey       | `PATCH /apikeys/{apiKey}` `{patchOperations: [{op, path, value}]}` | 200 ApiKey |
 * | DeleteApiKey       | `DELETE /apikeys/{apiKey}`                          | 202, no body |
 * | CreateUsagePlan    | `POST /usageplans` `{name, description, apiStages, throttle, quota}` | 201 UsagePlan |
 * | GetUsagePlans      | `GET /usageplans?position&limit&keyId`              | 200 `{item, position}` |
 * | GetUsagePlan       | `GET /usageplans/{usagePlanId}`                     | 200 UsagePlan |
 * | CreateUsagePlanKey | `POST /usageplans/{usagePlanId}/keys` `{keyId, keyType: 'API_KEY'}` | 201 UsagePlanKey |
 * | GetUsagePlanKeys   | `GET /usageplans/{usagePlanId}/keys?position&limit&name` | 200 `{item, position}` |
 * | GetUsagePlanKey    | `GET /usageplans/{usagePlanId}/keys/{keyId}`        | 200 UsagePlanKey |
 * | DeleteUsagePlanKey | `DELETE /usageplans/{usagePlanId}/keys/{keyId}`     | 202, no body |
 *
 * - Lists are `{"item": [...], "position": "…"}` (the models' `items` carry the json name `item`).
 * - Timestamps (`createdDate`, `lastUpdatedDate`) are epoch seconds, restJson1's default.
 * - An ApiKey carries its `value` only in CreateApiKey's answer and when asked (`includeValue(s)`);
 *   a UsagePlanKey always carries it.
 * - Errors: status, `x-amzn-ErrorType: <Name>:http://internal.amazon.com/coral/com.amazon.backplane.restapi/`
 *   (the SDK keeps the part before the colon) and `{"message": …}`, so the SDK throws its modelled
 *   `NotFoundException` (404), `ConflictException` (409), `BadRequestException` (400),
 *   `TooManyRequestsException` (429, `Retry-After`), `ServiceUnavailableException` (503).
 * - Requests need an `Authorization: AWS4-HMAC-SHA256 Credential=…` header; the signature is not
 *   verified (admin-gateway.ts verifies SigV4 where it matters).
 *
 * Rules kept from API Gateway: a key's `value` must have 20 to 128 characters and be unique
 * (ConflictException); a key is created disabled unless `enabled: true`; a value is generated (40
 * characters) when none is given; `keyType` must be `API_KEY`; a key cannot join two plans that share
 * an API stage; deleting a key removes it from its plans. Messages for the cases seen in the wild are
 * AWS's own ("Invalid API Key identifier specified", "API Key value should be at least 20 characters");
 * the others are close approximations.
 *
 * Not reproduced: the other ~120 operations, signature checks, quotas and usage records, stage keys,
 * tags on their own resource, `nameQuery` semantics beyond a prefix match, eventual consistency.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenHttp, readBody } from '../http-kit.js';
import {
  ApiError,
  type ApiGatewayControlFake,
  type ApiGatewayControlFakeOptions,
  type ApiGatewayFault,
  badRequest,
  ERROR_TYPE_SUFFIX,
  ID_ALPHABET,
  isStringRecord,
  type KeyRecord,
  MAX_VALUE_LENGTH,
  MIN_VALUE_LENGTH,
  notFoundKey,
  notFoundPlan,
  type Operation,
  optionalBoolean,
  optionalString,
  type PlanRecord,
  page,
  parseApiStages,
  parseQuota,
  parseThrottle,
  routeOf,
} from './control-model.js';

export type {
  ApiGatewayControlFake,
  ApiGatewayControlFakeOptions,
  ApiGatewayFault,
  FakeApiKey,
  MeteredKey,
  QuotaSettings,
  ThrottleSettings,
  UsagePlanSeed,
} from './control-model.js';
export { API_GATEWAY_FAULTS } from './control-model.js';

export async function startApiGatewayControlFake(
  options: ApiGatewayControlFakeOptions,
): Promise<ApiGatewayControlFake> {
  const region = options.region ?? 'us-east-1';
  const keys = new Map<string, KeyRecord>();
  const plans = new Map<string, PlanRecord>();
  const calls: string[] = [];
  const faults: Array<{ fault: ApiGatewayFault; operation: string | undefined; remaining: number }> = [];
  const now = () => Math.floor(Date.now() / 1000);

  const newId = (length: number, taken: Map<string, unknown>): string => {
    for (;;) {
      const bytes = randomBytes(length);
      const id = Array.from(bytes, (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
      if (!taken.has(id)) return id;
    }
  };

  const addPlan = (plan: Omit<PlanRecord, 'id' | 'keyIds'>): PlanRecord => {
    const record: PlanRecord = { ...plan, id: newId(6, plans), keyIds: [] };
    plans.set(record.id, record);
    return record;
  };

  const usagePlanIds: Record<string, string> = {};
  for (const seed of options.plans) {
    if (seed.tier in usagePlanIds) throw new Error(`duplicate usage plan tier ${seed.tier}`);
    const plan = addPlan({
      tier: seed.tier,
      name: seed.tier,
      description: `${seed.tier} tier`,
      apiStages: (seed.apiStages ?? [{ apiId: 'local', stage: 'local' }]).map((stage) => ({ ...stage })),
      throttle: { ...seed.throttle },
      quota: { offset: 0, ...seed.quota },
    });
    usagePlanIds[seed.tier] = plan.id;
  }

  const keyOf = (id: string | undefined): KeyRecord => {
    const key = id === undefined ? undefined : keys.get(id);
    if (!key) throw notFoundKey();
    return key;
  };
  const planOf = (id: string | undefined): PlanRecord => {
    const plan = id === undefined ? undefined : plans.get(id);
    if (!plan) throw notFoundPlan();
    return plan;
  };

  const apiKeyJson = (key: KeyRecord, withValue: boolean) => ({
    id: key.id,
    ...(withValue ? { value: key.value } : {}),
    ...(key.name !== undefined ? { name: key.name } : {}),
    ...(key.description !== undefined ? { description: key.description } : {}),
    ...(key.customerId !== undefined ? { customerId: key.customerId } : {}),
    enabled: key.enabled,
    createdDate: key.createdDate,
    lastUpdatedDate: key.lastUpdatedDate,
    stageKeys: [],
    ...(key.tags ? { tags: key.tags } : {}),
  });
  const planJson = (plan: PlanRecord) => ({
    id: plan.id,
    name: plan.name,
    ...(plan.description !== undefined ? { description: plan.description } : {}),
    apiStages: plan.apiStages,
    ...(plan.throttle ? { throttle: plan.throttle } : {}),
    ...(plan.quota ? { quota: plan.quota } : {}),
  });
  const planKeyJson = (key: KeyRecord) => ({
    id: key.id,
    type: 'API_KEY',
    value: key.value,
    ...(key.name !== undefined ? { name: key.name } : {}),
  });

  const operations: Record<string, Operation> = {
    CreateApiKey: ({ body }) => {
      const name = optionalString(body, 'name');
      const description = optionalString(body, 'description');
      const customerId = optionalString(body, 'customerId');
      const enabled = optionalBoolean(body, 'enabled') ?? false;
      const given = optionalString(body, 'value');
      if (given !== undefined && given.length < MIN_VALUE_LENGTH) {
        throw badRequest(`API Key value should be at least ${MIN_VALUE_LENGTH} characters`);
      }
      if (given !== undefined && given.length > MAX_VALUE_LENGTH) {
        throw badRequest(`API Key value exceeds maximum size of ${MAX_VALUE_LENGTH} characters`);
      }
      const value = given ?? randomBytes(30).toString('base64url').slice(0, 40);
      for (const key of keys.values()) {
        if (key.value === value) throw new ApiError(409, 'ConflictException', 'API Key already exists');
      }
      const tags = body.tags;
      if (tags !== undefined && !isStringRecord(tags)) throw badRequest('Invalid tags');
      const stamp = now();
      const key: KeyRecord = {
        id: newId(10, keys),
        name,
        description,
        enabled,
        value,
        customerId,
        tags,
        createdDate: stamp,
        lastUpdatedDate: stamp,
      };
      keys.set(key.id, key);
      return { status: 201, body: apiKeyJson(key, true) };
    },

    GetApiKey: ({ params, query }) => ({
      status: 200,
      body: apiKeyJson(keyOf(params[0]), query.get('includeValue') === 'true'),
    }),

    GetApiKeys: ({ query }) => {
      const name = query.get('name');
      const customerId = query.get('customerId');
      const matching = [...keys.values()].filter(
        (key) =>
          (name === null || (key.name ?? '').startsWith(name)) &&
          (customerId === null || key.customerId === customerId),
      );
      const withValues = query.get('includeValues') === 'true';
      return { status: 200, body: page(matching, query, (key) => apiKeyJson(key, withValues)) };
    },

    UpdateApiKey: ({ params, body }) => {
      const key = keyOf(params[0]);
      const patch = body.patchOperations ?? [];
      if (!Array.isArray(patch)) throw badRequest('Invalid patch operations');
      const next = { ...key };
      for (const operation of patch as unknown[]) {
        const { op, path, value } = (operation ?? {}) as Record<string, unknown>;
        if (op !== 'replace') {
          throw badRequest(`Invalid patch operation specified. Must be 'replace' for path '${String(path)}'`);
        }
        const text = typeof value === 'string' ? value : undefined;
        switch (path) {
          case '/name':
            next.name = text;
            break;
          case '/description':
            next.description = text;
            break;
          case '/customerId':
            next.customerId = text;
            break;
          case '/enabled':
            if (text !== 'true' && text !== 'false') {
              throw badRequest(`Invalid enabled value specified: must be 'true' or 'false'`);
            }
            next.enabled = text === 'true';
            break;
          default:
            throw badRequest(
              `Invalid patch path '${String(path)}' specified for op 'replace'. Must be one of: [/name, /description, /enabled, /customerId]`,
            );
        }
      }
      next.lastUpdatedDate = now();
      keys.set(key.id, next);
      return { status: 200, body: apiKeyJson(next, false) };
    },

    DeleteApiKey: ({ params }) => {
      const key = keyOf(params[0]);
      keys.delete(key.id);
      for (const plan of plans.values()) plan.keyIds = plan.keyIds.filter((id) => id !== key.id);
      return { status: 202 };
    },

    CreateUsagePlan: ({ body }) => {
      const name = optionalString(body, 'name');
      if (!name) throw badRequest('Invalid usage plan name specified');
      const throttle = body.throttle === undefined ? undefined : parseThrottle(body.throttle);
      const quota = body.quota === undefined ? undefined : parseQuota(body.quota);
      const apiStages = body.apiStages === undefined ? [] : parseApiStages(body.apiStages);
      const plan = addPlan({
        tier: name,
        name,
        description: optionalString(body, 'description'),
        apiStages,
        throttle,
        quota,
      });
      return { status: 201, body: planJson(plan) };
    },

    GetUsagePlans: ({ query }) => {
      const keyId = query.get('keyId');
      const matching = [...plans.values()].filter((plan) => keyId === null || plan.keyIds.includes(keyId));
      return { status: 200, body: page(matching, query, planJson) };
    },

    GetUsagePlan: ({ params }) => ({ status: 200, body: planJson(planOf(params[0])) }),

    CreateUsagePlanKey: ({ params, body }) => {
      const plan = planOf(params[0]);
      if (body.keyType !== 'API_KEY') throw badRequest('Invalid key type specified; must be API_KEY');
      const key = keyOf(optionalString(body, 'keyId'));
      if (plan.keyIds.includes(key.id)) {
        throw new ApiError(409, 'ConflictException', 'Usage Plan Key already exists');
      }
      for (const other of plans.values()) {
        if (other === plan || !other.keyIds.includes(key.id)) continue;
        const shared = other.apiStages.some((a) =>
          plan.apiStages.some((b) => a.apiId === b.apiId && a.stage === b.stage),
        );
        if (shared) {
          throw new ApiError(
            409,
            'ConflictException',
            `Usage Plan ${plan.id} cannot be added because API Key ${key.id} cannot reference multiple Usage Plans with the same API Stage`,
          );
        }
      }
      plan.keyIds.push(key.id);
      return { status: 201, body: planKeyJson(key) };
    },

    GetUsagePlanKeys: ({ params, query }) => {
      const plan = planOf(params[0]);
      const name = query.get('name');
      const matching = plan.keyIds
        .map((id) => keys.get(id))
        .filter((key): key is KeyRecord => key !== undefined)
        .filter((key) => name === null || (key.name ?? '').startsWith(name));
      return { status: 200, body: page(matching, query, planKeyJson) };
    },

    GetUsagePlanKey: ({ params }) => {
      const plan = planOf(params[0]);
      if (!plan.keyIds.includes(params[1] ?? '')) throw notFoundKey();
      return { status: 200, body: planKeyJson(keyOf(params[1])) };
    },

    DeleteUsagePlanKey: ({ params }) => {
      const plan = planOf(params[0]);
      const keyId = params[1] ?? '';
      if (!plan.keyIds.includes(keyId)) throw notFoundKey();
      plan.keyIds = plan.keyIds.filter((id) => id !== keyId);
      return { status: 202 };
    },
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    try {
      const route = routeOf((req.method ?? 'GET').toUpperCase(), url.pathname);
      if (!route) throw new ApiError(404, 'UnknownOperationException', 'Invalid request path');
      calls.push(route.operation);
      const authorization = req.headers.authorization;
      if (!authorization) {
        throw new ApiError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      if (
        !/^AWS4-HMAC-SHA256 Credential=\S+, ?SignedHeaders=\S+, ?Signature=[0-9a-f]{64}$/.test(authorization)
      ) {
        throw new ApiError(
          403,
          'IncompleteSignatureException',
          'Authorization header requires Credential, SignedHeaders and Signature parameters',
        );
      }
      const faultIndex = faults.findIndex(
        (entry) => entry.operation === undefined || entry.operation === route.operation,
      );
      if (faultIndex >= 0) {
        const entry = faults[faultIndex]!;
        entry.remaining -= 1;
        if (entry.remaining <= 0) faults.splice(faultIndex, 1);
        const { status, errorType, message, retryAfterSeconds } = entry.fault;
        throw new ApiError(status, errorType, message, retryAfterSeconds);
      }
      let body: Record<string, unknown> = {};
      if (raw.length > 0) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw.toString('utf8'));
        } catch {
          throw badRequest('Could not parse request body into json');
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw badRequest('Could not parse request body into json');
        }
        body = parsed as Record<string, unknown>;
      }
      const answer = operations[route.operation]!({ query: url.searchParams, body, params: route.params });
      const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        ...(payload ? { 'content-type': 'application/json' } : {}),
        'content-length': String(Buffer.byteLength(payload)),
        'x-amzn-requestid': requestId,
      });
      res.end(payload);
    } catch (error) {
      const failure =
        error instanceof ApiError ? error : new ApiError(500, 'InternalFailure', 'Internal server error');
      const payload = JSON.stringify({ message: failure.message });
      res.writeHead(failure.status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(payload)),
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': `${failure.errorType}${ERROR_TYPE_SUFFIX}`,
        ...(failure.retryAfterSeconds !== undefined
          ? { 'retry-after': String(failure.retryAfterSeconds) }
          : {}),
      });
      res.end(payload);
    }
  };

  const listening = await listenHttp(serve, options);
  return {
    ...listening,
    region,
    credentials: { accessKeyId: 'AKIDLOCALAPIGATEWAY0', secretAccessKey: 'local-api-gateway-fake-secret' },
    usagePlanIds,
    calls,
    meteredKey: (value) => {
      const key = [...keys.values()].find((candidate) => candidate.value === value);
      if (!key?.enabled) return undefined;
      const plan = [...plans.values()].find((candidate) => candidate.keyIds.includes(key.id));
      if (!plan) return undefined;
      return {
        keyId: key.id,
        planId: plan.id,
        tier: plan.tier,
        throttle: plan.throttle ? { ...plan.throttle } : undefined,
      };
    },
    keys: () =>
      [...keys.values()].map((key) => ({
        id: key.id,
        name: key.name,
        description: key.description,
        enabled: key.enabled,
        value: key.value,
        customerId: key.customerId,
        planIds: [...plans.values()].filter((plan) => plan.keyIds.includes(key.id)).map((plan) => plan.id),
      })),
    failNext: (fault, failOptions) => {
      faults.push({ fault, operation: failOptions?.operation, remaining: failOptions?.count ?? 1 });
    },
  };
}
