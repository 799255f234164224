import { handler as deleteSessionEvent } from './delete-session-event.js';
import { handler as deleteSessionMemory } from './delete-session-memory.js';
import { handler as getSessionEvent } from './get-session-event.js';
import { handler as getSessionMemory } from './get-session-memory.js';
import { handler as listSessionSummaries } from './list-session-summaries.js';
import { handler as listSessions } from './list-sessions.js';
import { routeByOperation } from './route-by-operation.js';

/** Session reads and deletions: one function, each route handled by its own module (functions/catalog.ts). */
export const handler = routeByOperation('sessions', {
  'list-sessions': listSessions,
  'list-session-summaries': listSessionSummaries,
  'get-session-memory': getSessionMemory,
  'delete-session-memory': deleteSessionMemory,
  'get-session-event': getSessionEvent,
  'delete-session-event': deleteSessionEvent,
});
