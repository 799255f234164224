/**
 * Wire types of the Data Plane API.
 * PROVISIONAL: replaced by names re-exported from the OpenAPI-generated `generated/openapi.ts`.
 */

export type MessageRole = 'USER' | 'ASSISTANT' | 'SYSTEM';
export interface ContentPart {
  text: string;
}

export interface AddSessionEventRequest {
  sessionId?: string;
  actorId: string;
  namespace?: string;
  role: MessageRole;
  content: ContentPart[];
  createdAt: string;
  metadata?: unknown;
}

export interface SessionEvent {
  eventId: string;
  actorId: string;
  sessionId: string;
  role: MessageRole;
  content: ContentPart[];
  createdAt: string;
  systemTimestamp: string;
  metadata?: unknown;
}

export interface SessionEventResponse {
  event: SessionEvent;
}

export interface SessionSummary {
  text: string;
  summarizedUpToEventId: string;
  createdAt: string;
  updatedAt: string;
  metadata: Record<string, unknown>;
  summarizedEvents: number;
}

export interface SessionMemory {
  sessionId: string;
  ownerId: string;
  namespace?: string;
  events: SessionEvent[];
  summary?: SessionSummary;
}

export interface ListSessionsQuery {
  limit?: number;
  pageToken?: string;
  filterOwnerId?: string;
  includeAll?: boolean;
}

export interface ListSessionsResponse {
  items: string[];
  total: number;
  nextPageToken?: string;
}

export interface ListSessionSummariesQuery extends ListSessionsQuery {
  sortBy?: 'sessionId' | 'createdAt' | 'updatedAt';
  sortOrder?: 'asc' | 'desc';
}

export interface SessionListItem {
  sessionId: string;
  ownerId?: string;
  createdAt: string;
  updatedAt: string;
  namespaceRef?: { namespaceId: string; name: string; path: string };
}

export interface ListSessionSummariesResponse {
  items: SessionListItem[];
  total: number;
  nextPageToken?: string;
}

export interface GetSessionMemoryQuery {
  includeSummarisedEvents?: boolean;
}

export interface PromotionStatus {
  sessionId: string;
  processedEvents: number;
  pendingEvents: number;
  watermarkEventId?: string;
  lastRunAt?: string;
  nextRunAt?: string;
  lastError?: { code: string; at: string };
  memoriesWritten: number;
  usage: { inputTokens: number; outputTokens: number };
}

export interface HealthResponse {
  status: string;
}

export interface StoreHealth {
  status: 'healthy' | 'degraded' | 'unavailable';
  features: Record<string, { status: 'healthy' | 'degraded' | 'unavailable' }>;
}

export interface CreateMemoryRecord {
  id: string;
  text: string;
  memoryType?: string;
  sessionId?: string;
  ownerId: string;
  namespace?: string;
  topics?: string[];
  attributes?: Record<string, unknown>;
  sourceRefs?: string[];
  occurredAt?: string;
  entities?: string[];
}

export interface BulkCreateRequest {
  memories: CreateMemoryRecord[];
}

export interface BulkItemError {
  id: string;
  error: string;
}

export interface BulkCreateResponse {
  created: string[];
  errors: BulkItemError[];
}

export interface BulkDeleteRequest {
  memoryIds: string[];
}

export interface BulkDeleteResponse {
  deleted: string[];
  errors: BulkItemError[];
}

export interface TagFilter {
  eq?: string;
  ne?: string;
  in?: string[];
  all?: string[];
}

export interface CreatedAtFilter {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  eq?: string;
}

export type AttributeClause =
  | { string: string }
  | { number: number }
  | { boolean: boolean }
  | { list: string[] };

export interface MemoryFilter {
  sessionId?: TagFilter;
  ownerId?: TagFilter;
  namespace?: TagFilter;
  topics?: TagFilter;
  memoryType?: TagFilter;
  createdAt?: CreatedAtFilter;
  attributes?: Record<string, AttributeClause>;
}

export interface SearchRequest {
  text?: string;
  similarityThreshold?: number;
  filter?: MemoryFilter;
  filterOp?: 'all' | 'any';
  limit?: number;
  pageToken?: string;
  searchMode?: 'semantic' | 'keyword' | 'hybrid';
  includeScores?: boolean;
  recency?: { weight: number; halfLifeDays?: number; field?: 'createdAt' | 'lastAccessedAt' };
}

export interface MemoryRecord {
  id: string;
  text: string;
  memoryType: string;
  sessionId?: string;
  ownerId: string;
  namespace?: string;
  topics: string[];
  attributes?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  sourceRefs?: string[];
  occurredAt?: string;
  entities?: string[];
  supersededBy?: string;
  supersedes?: string[];
  score?: number;
}

export interface SearchResponse {
  items: MemoryRecord[];
  nextPageToken?: string;
}

export interface UpdateMemoryRequest {
  text?: string;
  memoryType?: string;
  topics?: string[];
  namespace?: string;
  ownerId?: string;
  sessionId?: string;
}

export interface UpdateMemoryFieldsRequest {
  memoryType: string;
  namespace?: string;
  text?: string;
  attributes?: Record<string, unknown>;
}
