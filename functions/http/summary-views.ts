import { routeByOperation } from './route-by-operation.js';
import { handler as createSummaryView } from './summary-views/create-summary-view.js';
import { handler as deleteSummaryView } from './summary-views/delete-summary-view.js';
import { handler as getSummaryView } from './summary-views/get-summary-view.js';
import { handler as getViewPartition } from './summary-views/get-view-partition.js';
import { handler as listSummaryViews } from './summary-views/list-summary-views.js';
import { handler as listViewPartitions } from './summary-views/list-view-partitions.js';
import { handler as refreshSummaryView } from './summary-views/refresh-summary-view.js';
import { handler as updateSummaryView } from './summary-views/update-summary-view.js';

/** The summary-view routes: one function, each route handled by its own module (functions/catalog.ts). */
export const handler = routeByOperation('summary-views', {
  'create-summary-view': createSummaryView,
  'list-summary-views': listSummaryViews,
  'get-summary-view': getSummaryView,
  'update-summary-view': updateSummaryView,
  'delete-summary-view': deleteSummaryView,
  'list-view-partitions': listViewPartitions,
  'get-view-partition': getViewPartition,
  'refresh-summary-view': refreshSummaryView,
});
