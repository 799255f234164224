import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { memoryPromptRequestSchema } from '../../lib/contracts/memory-prompt.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { searchMemories } from '../../lib/use-cases/long-term/search.js';
import { buildMemoryPrompt } from '../../lib/use-cases/prompt/build-memory-prompt.js';
import { httpRoute } from './http-route.js';

/**
 * Extension: the session summary, recent events and relevant long-term memories as chat messages
 * within a token budget. Read-only; neither the query nor the messages are logged.
 */
export const handler = httpRoute({ action: 'read', app: memoryApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const body = parseInput(memoryPromptRequestSchema, request.body ?? {}, 'body');
  return { status: 200, body: await buildMemoryPrompt({ ...app, searchMemories }, storeId, body) };
});
