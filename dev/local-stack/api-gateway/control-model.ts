/**
 * The API Gateway management-API fake's model: its public types, the records it keeps, its errors
 * and the restJson1 wire helpers (routing, paging, field parsing). The server is control-fake.ts.
 */

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

export const MIN_VALUE_LENGTH = 20;
export const MAX_VALUE_LENGTH = 128;
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 500;
export const ERROR_TYPE_SUFFIX = ':http://internal.amazon.com/coral/com.amazon.backplane.restapi/';
export const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface KeyRecord {
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

export interface PlanRecord {
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

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const notFoundKey = () =>
  new ApiError(404, 'NotFoundException', 'Invalid API Key identifier specified');
export const notFoundPlan = () => new ApiError(404, 'NotFoundException', 'Invalid Usage Plan ID specified');
export const badRequest = (message: string) => new ApiError(400, 'BadRequestException', message);

export interface Request {
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly params: readonly string[];
}

export interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

export type Operation = (request: Request) => Answer;

/** The operation a method and path name, with the path's labels (URL-decoded), in order. */
export function routeOf(
  method: string,
  pathname: string,
): { operation: string; params: string[] } | undefined {
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
export function page<T>(items: readonly T[], query: URLSearchParams, toJson: (item: T) => unknown) {
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

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`Invalid ${field}: must be a string`);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`Invalid ${field}: must be a boolean`);
  return value;
}

export function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((entry) => typeof entry === 'string')
  );
}

export function parseThrottle(value: unknown): ThrottleSettings {
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

export function parseQuota(value: unknown): QuotaSettings {
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

export function parseApiStages(value: unknown): Array<{ apiId: string; stage: string }> {
  if (!Array.isArray(value)) throw badRequest('Invalid API stages');
  return value.map((entry) => {
    const { apiId, stage } = (entry ?? {}) as Record<string, unknown>;
    if (typeof apiId !== 'string' || typeof stage !== 'string') {
      throw badRequest('Invalid API stage: apiId and stage are required');
    }
    return { apiId, stage };
  });
}
