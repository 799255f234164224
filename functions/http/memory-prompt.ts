import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { memoryPromptRequestSchema } from '../../lib/contracts/memory-prompt.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { searchMemories } from '../../lib/use-cases/long-term/search.js';
import { buildMemoryPrompt } from '../../lib/use-cases/prompt/build-memory-prompt.js';
import { getPartitionForPrompt } from '../../lib/use-cases/summary-views/partitions.js';
import { httpRoute } from './http-route.js';

/**
 * Extension: the session summary, recent events and relevant long-term memories as chat messages
 * within a token budget. Read-only; neither the query nor the messages are logged.
 */
export const handler = httpRoute({ action: 'read', app: memoryApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const body = parseInput(memoryPromptRequestSchema, request.body ?? {}, 'body');
  // A named summary view is read as the caller sees it (private views: their owner's keys only).
  const readSummaryView = (viewId: string, available: Parameters<typeof getPartitionForPrompt>[4]) =>
    getPartitionForPrompt(app, storeId, viewId, { principal: request.principal ?? '' }, available);
  return {
    status: 200,
    body: await buildMemoryPrompt({ ...app, searchMemories, readSummaryView }, storeId, body),
  };
});
