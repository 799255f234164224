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
 *   verified (dev/local-stack/admin-gateway.ts verifies SigV4 where it matters).
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
import { listenHttp } from './api-gateway.js';

export interface ThrottleSettings {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface QuotaSettings {
  readonly limit: number;
  readonly period: 'DAY' | 'WEEK' | 'MONTH';
  readonly offset?: number;
}

/** A usage plan created when the fake starts, one per tier of the stage config. */
export interface UsagePlanSeed {
  readonly tier: string;
  readonly throttle: ThrottleSettings;
  readonly quota: QuotaSettings;
  /** Default: one stage `local` of API `local`, like the local data-plane gateway. */
  readonly apiStages?: ReadonlyArray<{ readonly apiId: string; readonly stage: string }>;
}

export interface ApiGatewayControlFakeOptions {
  readonly port?: number;
  readonly host?: string;
  readonly region?: string;
  readonly plans: readonly UsagePlanSeed[];
}

/** An enabled key attached to a usage plan: what API Gateway meters a `usageIdentifierKey` against. */
export interface MeteredKey {
  readonly keyId: string;
  readonly planId: string;
  /** The seeded tier, or the plan's name for plans created through the API. */
  readonly tier: string;
  /** Absent when the plan has no throttle. */
  readonly throttle: ThrottleSettings | undefined;
}

/** A key as the fake holds it, for assertions. */
export interface FakeApiKey {
  readonly id: string;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly enabled: boolean;
  readonly value: string;
  readonly customerId: string | undefined;
  /** Usage plans the key belongs to. */
  readonly planIds: readonly string[];
}

/** An error answer the fake can be told to give instead of serving a request. */
export interface ApiGatewayFault {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/** Faults as API Gateway's management API sends them. */
export const API_GATEWAY_FAULTS = {
  tooManyRequests: {
    status: 429,
    errorType: 'TooManyRequestsException',
    message: 'Too Many Requests',
    retryAfterSeconds: 2,
  },
  serviceUnavailable: {
    status: 503,
    errorType: 'ServiceUnavailableException',
    message: 'Service Unavailable',
  },
} as const satisfies Record<string, ApiGatewayFault>;

export interface ApiGatewayControlFake {
  readonly url: string;
  /** A region and dummy credentials that the client can sign with. */
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The seeded plans' ids, by tier. */
  readonly usagePlanIds: Readonly<Record<string, string>>;
  /** The enabled key with this value and the first usage plan it belongs to; `undefined` otherwise. */
  meteredKey(value: string): MeteredKey | undefined;
  keys(): FakeApiKey[];
  /** Operation names served (faults included), in order. */
  readonly calls: readonly string[];
  /** The next `count` requests for `operation` (any operation if unset) answer `fault`. */
  failNext(fault: ApiGatewayFault, options?: { readonly operation?: string; readonly count?: number }): void;
  stop(): Promise<void>;
}

const MIN_VALUE_LENGTH = 20;
const MAX_VALUE_LENGTH = 128;
const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 500;
const ERROR_TYPE_SUFFIX = ':http://internal.amazon.com/coral/com.amazon.backplane.restapi/';
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

interface KeyRecord {
  id: string;
  name: string | undefined;
  description: string | undefined;
  enabled: boolean;
  value: string;
  customerId: string | undefined;
  tags: Record<string, string> | undefined;
  createdDate: number;
  lastUpdatedDate: number;
}

interface PlanRecord {
  id: string;
  tier: string;
  name: string;
  description: string | undefined;
  apiStages: Array<{ apiId: string; stage: string }>;
  throttle: ThrottleSettings | undefined;
  quota: QuotaSettings | undefined;
  /** Key ids, in the order they joined. */
  keyIds: string[];
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const notFoundKey = () => new ApiError(404, 'NotFoundException', 'Invalid API Key identifier specified');
const notFoundPlan = () => new ApiError(404, 'NotFoundException', 'Invalid Usage Plan ID specified');
const badRequest = (message: string) => new ApiError(400, 'BadRequestException', message);

interface Request {
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly params: readonly string[];
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

type Operation = (request: Request) => Answer;

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
    const raw = await readAll(req);
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

/** The operation a method and path name, with the path's labels (URL-decoded), in order. */
function routeOf(method: string, pathname: string): { operation: string; params: string[] } | undefined {
  const segments = pathname.split('/').filter((segment) => segment.length > 0);
  let params: string[];
  try {
    params = segments.map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [collection, id, sub, subId] = params;
  const shape = `${method} ${[collection, id && '{}', sub, subId && '{}'].filter(Boolean).join('/')}`;
  const operation = ROUTES[shape];
  return operation
    ? { operation, params: [id, subId].filter((p): p is string => p !== undefined) }
    : undefined;
}

const ROUTES: Record<string, string> = {
  'POST apikeys': 'CreateApiKey',
  'GET apikeys': 'GetApiKeys',
  'GET apikeys/{}': 'GetApiKey',
  'PATCH apikeys/{}': 'UpdateApiKey',
  'DELETE apikeys/{}': 'DeleteApiKey',
  'POST usageplans': 'CreateUsagePlan',
  'GET usageplans': 'GetUsagePlans',
  'GET usageplans/{}': 'GetUsagePlan',
  'POST usageplans/{}/keys': 'CreateUsagePlanKey',
  'GET usageplans/{}/keys': 'GetUsagePlanKeys',
  'GET usageplans/{}/keys/{}': 'GetUsagePlanKey',
  'DELETE usageplans/{}/keys/{}': 'DeleteUsagePlanKey',
};

/** One page of `items` as API Gateway pages them: `limit` (default 25, at most 500) and an opaque `position`. */
function page<T>(items: readonly T[], query: URLSearchParams, toJson: (item: T) => unknown) {
  const limitText = query.get('limit');
  const limit = limitText === null ? DEFAULT_PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw badRequest(`Invalid limit: must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  const position = query.get('position');
  const start = position === null ? 0 : Number.parseInt(Buffer.from(position, 'base64url').toString(), 10);
  if (!Number.isInteger(start) || start < 0) throw badRequest('Invalid position');
  const end = start + limit;
  return {
    item: items.slice(start, end).map(toJson),
    ...(end < items.length ? { position: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`Invalid ${field}: must be a string`);
  return value;
}

function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`Invalid ${field}: must be a boolean`);
  return value;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}

function parseThrottle(value: unknown): ThrottleSettings {
  const { rateLimit, burstLimit } = (value ?? {}) as Record<string, unknown>;
  if (
    typeof rateLimit !== 'number' ||
    rateLimit < 0 ||
    !Number.isInteger(burstLimit) ||
    Number(burstLimit) < 0
  ) {
    throw badRequest('Invalid throttle settings: rateLimit and burstLimit must be non-negative numbers');
  }
  return { rateLimit, burstLimit: Number(burstLimit) };
}

function parseQuota(value: unknown): QuotaSettings {
  const { limit, period, offset } = (value ?? {}) as Record<string, unknown>;
  if (
    !Number.isInteger(limit) ||
    Number(limit) < 0 ||
    (period !== 'DAY' && period !== 'WEEK' && period !== 'MONTH')
  ) {
    throw badRequest(
      'Invalid quota settings: limit must be a non-negative integer and period DAY, WEEK or MONTH',
    );
  }
  return { limit: Number(limit), period, offset: Number.isInteger(offset) ? Number(offset) : 0 };
}

function parseApiStages(value: unknown): Array<{ apiId: string; stage: string }> {
  if (!Array.isArray(value)) throw badRequest('Invalid API stages');
  return value.map((entry) => {
    const { apiId, stage } = (entry ?? {}) as Record<string, unknown>;
    if (typeof apiId !== 'string' || typeof stage !== 'string') {
      throw badRequest('Invalid API stage: apiId and stage are required');
    }
    return { apiId, stage };
  });
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
