import type { LocalStack } from '../dev/local-stack/local-stack.js';
import { percentile, round } from './stats.js';

export interface ControlPlaneFigures {
  readonly operation: string;
  readonly calls: number;
  /** Upstash REST requests per operation. */
  readonly redisRoundTrips: number;
  /** API Gateway management calls per operation (key creation, plan attachment, removal). */
  readonly apiGatewayCalls: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/**
 * Admin operations through the local admin API: SigV4 signing and verification, the admin
 * function, Redis over the Upstash protocol and the API Gateway management fake. Sequential
 * calls; each figure is per operation.
 */
export async function measureControlPlane(stack: LocalStack, calls: number): Promise<ControlPlaneFigures[]> {
  const admin = stack.admin;

  const created = await admin('POST', '/v1/stores', { name: 'bench-control-plane' });
  const storeId: string = created.body.storeId;
  const grants = [{ resourceType: 'mem-store', resourceId: storeId, actions: ['read', 'write'] }];

  // Keys to get, rotate and revoke, minted before measuring.
  const keyIds: string[] = [];
  for (let i = 0; i < calls * 2; i++) {
    keyIds.push((await admin('POST', '/v1/api-keys', { name: 'bench', grants })).body.keyId);
  }
  const rotating = keyIds.slice(0, calls);
  const revoking = keyIds.slice(calls);
  const operations: Array<[string, () => Promise<{ status: number }>, number]> = [
    ['POST /v1/api-keys (mint)', () => admin('POST', '/v1/api-keys', { name: 'bench', grants }), 201],
    ['GET /v1/api-keys/{keyId}', () => admin('GET', `/v1/api-keys/${keyIds[0]}`), 200],
    ['GET /v1/api-keys?maxResults=50', () => admin('GET', '/v1/api-keys?maxResults=50'), 200],
    [
      'POST /v1/api-keys/{keyId}/rotate',
      () => admin('POST', `/v1/api-keys/${rotating.pop()}/rotate`, {}),
      201,
    ],
    ['DELETE /v1/api-keys/{keyId} (revoke)', () => admin('DELETE', `/v1/api-keys/${revoking.pop()}`), 204],
    ['GET /v1/stores/{storeId}', () => admin('GET', `/v1/stores/${storeId}`), 200],
    [
      'PATCH /v1/stores/{storeId}',
      () => admin('PATCH', `/v1/stores/${storeId}`, { shortMemory: { ttlSeconds: 1800 } }),
      200,
    ],
  ];
  const figures: ControlPlaneFigures[] = [];
  for (const [operation, call, expected] of operations) {
    stack.upstash.resetStats();
    const gatewayCallsBefore = stack.apiGatewayControl.calls.length;
    const latencies: number[] = [];
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      const response = await call();
      latencies.push(performance.now() - started);
      if (response.status !== expected) throw new Error(`${operation} answered ${response.status}`);
    }
    figures.push({
      operation,
      calls,
      redisRoundTrips: round(stack.upstash.stats.httpRequests / calls, 2),
      apiGatewayCalls: round((stack.apiGatewayControl.calls.length - gatewayCallsBefore) / calls, 2),
      p50Ms: round(percentile(latencies, 50), 2),
      p95Ms: round(percentile(latencies, 95), 2),
    });
  }
  return figures;
}

/** The table `npm run bench` prints for the control plane. */
export function formatControlPlaneTable(
  figures: readonly ControlPlaneFigures[],
  format: (header: string[], rows: string[][]) => string,
): string {
  return format(
    ['operation', 'redis round trips', 'api gateway calls', 'p50 ms', 'p95 ms'],
    figures.map((f) => [
      f.operation,
      String(f.redisRoundTrips),
      String(f.apiGatewayCalls),
      String(f.p50Ms),
      String(f.p95Ms),
    ]),
  );
}
