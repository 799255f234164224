import { httpRoute } from './http-route.js';

/**
 * Reference Health: unauthenticated liveness of the API itself. It builds no app: nothing here
 * reads the environment, and the function never loads the Upstash secret that opens every tenant's
 * data (security review 2026-12, finding 14); its role holds no grant on it either
 * (infra/constructs/memory-api.ts).
 */
export const handler = httpRoute({ action: 'none' }, async () => ({
  status: 200,
  body: { status: 'healthy' },
}));
