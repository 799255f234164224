import { memoryApp } from '../../lib/composition/memory-app.js';
import { storePathSchema } from '../../lib/contracts/common.js';
import { exportQuerySchema } from '../../lib/contracts/export-import.js';
import { parseInput } from '../../lib/contracts/parse.js';
import { exportMemories } from '../../lib/use-cases/long-term/export-import.js';
import { httpRoute } from './http-route.js';

/** Extension: a page of one owner's or one namespace's memories as NDJSON; the next token in a header. */
export const handler = httpRoute({ action: 'read', app: memoryApp }, async (request, app) => {
  const { storeId } = parseInput(storePathSchema, request.pathParameters, 'path');
  const query = parseInput(exportQuerySchema, request.query, 'query');
  const page = await exportMemories(app, storeId, query);
  return {
    status: 200,
    headers: {
      'content-type': 'application/x-ndjson',
      ...(page.nextPageToken ? { 'next-page-token': page.nextPageToken } : {}),
    },
    text: page.lines.map((line) => `${JSON.stringify(line)}\n`).join(''),
  };
});
