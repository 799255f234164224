import { coreApp } from '../../lib/composition/core-app.js';
import { httpRoute } from './http-route.js';

/** Reference Health: unauthenticated liveness of the API itself. */
export const handler = httpRoute({ action: 'none', app: coreApp }, async () => ({
  status: 200,
  body: { status: 'healthy' },
}));
