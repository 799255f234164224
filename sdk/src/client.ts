import { paginate } from './pagination.js';
import {
  type CallSpec,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  pathOf,
  type RequestOptions,
  type RetryConfig,
  send,
  type TransportConfig,
} from './transport.js';
import type {
  AddSessionEventRequest,
  AddSessionEventResponse,
  BulkCreateResponse,
  BulkDeleteRequest,
  BulkDeleteResponse,
  CreatedAtFilter,
  CreateMemoryRecord,
  CreateNamespaceRequest,
  CreateSessionResponse,
  CreateSummaryViewRequest,
  DeleteDocumentResponse,
  DocumentStatus,
  ErasureResponse,
  GetSessionEventResponse,
  GetSessionMemoryQuery,
  HealthResponse,
  ListNamespacesQuery,
  ListNamespacesResponse,
  ListSessionSummariesQuery,
  ListSessionSummariesResponse,
  ListSessionsQuery,
  ListSessionsResponse,
  ListSummaryViewsQuery,
  ListSummaryViewsResponse,
  ListViewPartitionsQuery,
  ListViewPartitionsResponse,
  MemoryFilter,
  MemoryPromptRequest,
  MemoryPromptResponse,
  MemoryRecord,
  MemorySource,
  MemorySourcesQuery,
  MemorySourcesResponse,
  MoveLongTermMemoriesRequest,
  MoveLongTermMemoriesResponse,
  Namespace,
  NamespaceResponse,
  PromoteSessionNowResponse,
  PromotionStatus,
  RefreshSummaryViewResponse,
  RetryParkedRangesResponse,
  SearchRequest,
  SearchResponse,
  SessionListItem,
  SessionMemory,
  StoreHealth,
  SubmitDocumentRequest,
  SubmitDocumentResponse,
  SummaryView,
  UpdateMemoryFieldsRequest,
  UpdateMemoryRequest,
  UpdateNamespaceRequest,
  UpdateSummaryViewRequest,
  ViewGroup,
  ViewPartition,
} from './types.js';

/** A time the SDK sends as an RFC 3339 string: a `Date`, or a string passed through as is. */
export type DateInput = Date | string;

export type AddSessionEventInput = Omit<AddSessionEventRequest, 'createdAt'> & { createdAt: DateInput };
/** The first event of a new session: no `sessionId` (the service generates it). */
export type CreateSessionInput = Omit<AddSessionEventInput, 'sessionId'>;

/**
 * Which of the service's path families the client calls: `v1` (`/v1/stores/{storeId}/…`, `/health`;
 * what the managed API's v1 clients call) or `iris`, the November 2026 family
 * (`/iris/data/v1/agent-memory/stores/{storeId}/…`, `/iris/data/v1/agent-memory/health/live`). The
 * service answers both the same way.
 */
export type PathFamily = 'v1' | 'iris';

/** Root of the November path family. */
const IRIS_ROOT = '/iris/data/v1/agent-memory';
export type CreateMemoryInput = Omit<CreateMemoryRecord, 'occurredAt'> & { occurredAt?: DateInput };
export interface BulkCreateInput {
  memories: CreateMemoryInput[];
}
export type CreatedAtFilterInput = { [K in keyof CreatedAtFilter]?: DateInput };
export type MemoryFilterInput = Omit<MemoryFilter, 'createdAt'> & { createdAt?: CreatedAtFilterInput };
export type SearchInput = Omit<SearchRequest, 'filter'> & { filter?: MemoryFilterInput };
export type MemoryPromptInput = Omit<MemoryPromptRequest, 'filter'> & { filter?: MemoryFilterInput };

export interface AddSessionEventOptions extends RequestOptions {
  /**
   * Sent as `Idempotency-Key` (1-128 visible ASCII characters): a repeat of the same request with
   * the same key returns the event stored the first time. Without one, the SDK generates a key per
   * call when retries are on, so its own retries never store an event twice.
   */
  readonly idempotencyKey?: string;
}

export interface BulkCreateOptions extends RequestOptions {
  /**
   * Sent as `Idempotency-Key` (1-128 visible ASCII characters): a repeat of the same request with
   * the same key, within 24 hours, answers what the first one answered without writing; another
   * body under the key is a 409 (`ConflictError`). Keys are per store.
   */
  readonly idempotencyKey?: string;
}

export interface AgentMemoryOptions {
  /** Base URL of the API, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`. Env: `AGENT_MEMORY_URL`. */
  readonly serverURL?: string;
  /** Default store of store-scoped calls; each call may name another. Env: `AGENT_MEMORY_STORE_ID`. */
  readonly storeId?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Env: `AGENT_MEMORY_API_KEY`. */
  readonly apiKey?: string;
  /** Time allowed for each attempt. Default 30000 ms. */
  readonly timeoutMs?: number;
  /** Retry settings for idempotent calls, merged over the defaults; `false` sends every call once. */
  readonly retry?: Partial<RetryConfig> | false;
  /** The `fetch` to use (a test double, a proxy agent). Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /**
   * The path family every method calls (see {@link PathFamily}). Default `v1`. The two session
   * methods only the November family has ({@link AgentMemory.appendSessionEvent},
   * {@link AgentMemory.createSession}) call it whatever this says.
   */
  readonly pathFamily?: PathFamily;
}

/** Environment names read when an option is not given (where `process.env` exists). */
export const ENV_NAMES = {
  serverURL: 'AGENT_MEMORY_URL',
  apiKey: 'AGENT_MEMORY_API_KEY',
  storeId: 'AGENT_MEMORY_STORE_ID',
} as const;

/**
 * Client of the Agent Memory Data Plane API. Every method takes {@link RequestOptions} last
 * (`storeId`, `signal`, `timeoutMs`, `retry`, `headers`); errors are {@link AgentMemoryError}
 * subclasses per status, or {@link ConnectionError} when no answer arrived.
 */
export class AgentMemory {
  readonly serverURL: string;
  readonly storeId: string | undefined;
  readonly pathFamily: PathFamily;
  readonly #transport: TransportConfig;

  constructor(options: AgentMemoryOptions = {}) {
    const env = processEnv();
    const serverURL = options.serverURL ?? env?.[ENV_NAMES.serverURL];
    if (!serverURL) throw new TypeError(`serverURL is required (option or ${ENV_NAMES.serverURL})`);
    const apiKey = options.apiKey ?? env?.[ENV_NAMES.apiKey];
    if (!apiKey) throw new TypeError(`apiKey is required (option or ${ENV_NAMES.apiKey})`);
    this.serverURL = serverURL.replace(/\/+$/, '');
    this.storeId = options.storeId ?? env?.[ENV_NAMES.storeId];
    const pathFamily = options.pathFamily ?? 'v1';
    if (pathFamily !== 'v1' && pathFamily !== 'iris') {
      throw new TypeError(`pathFamily must be 'v1' or 'iris', not ${JSON.stringify(pathFamily)}`);
    }
    this.pathFamily = pathFamily;
    const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#transport = {
      baseUrl: this.serverURL,
      apiKey,
      fetch: fetchImpl,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retry: options.retry === false ? false : { ...DEFAULT_RETRY, ...options.retry },
    };
  }

  // ---- health ----

  /** `GET /health` (`iris`: `GET /iris/data/v1/agent-memory/health/live`): liveness of the API. Retried. */
  async health(options?: RequestOptions): Promise<HealthResponse> {
    const path = this.pathFamily === 'iris' ? `${IRIS_ROOT}/health/live` : '/health';
    return this.#send({ method: 'GET', path, idempotent: true }, options);
  }

  /** `GET /v1/stores/{storeId}/health`. Retried. */
  async storeHealth(options?: RequestOptions): Promise<StoreHealth> {
    return this.#send({ method: 'GET', path: `${this.#store(options)}/health`, idempotent: true }, options);
  }

  // ---- session memory ----

  /**
   * `POST …/session-memory/events` (201 `{event}`). Retried, because every attempt carries the
   * same `Idempotency-Key` (the caller's, or one generated per call): a retry after a lost answer
   * returns the event stored the first time.
   */
  async addSessionEvent(
    event: AddSessionEventInput,
    options: AddSessionEventOptions = {},
  ): Promise<AddSessionEventResponse> {
    return this.#append(`${this.#store(options)}/session-memory/events`, event, options);
  }

  /**
   * November family: `POST /iris/data/v1/agent-memory/stores/{storeId}/sessions/{sessionId}/events`
   * (201 `{event}`): appends to the session named here, creating it when new. Retried with an
   * `Idempotency-Key`, as {@link addSessionEvent}.
   */
  async appendSessionEvent(
    sessionId: string,
    event: CreateSessionInput,
    options: AddSessionEventOptions = {},
  ): Promise<AddSessionEventResponse> {
    return this.#append(
      `${this.#store(options, 'iris')}${pathOf`/sessions/${sessionId}/events`}`,
      event,
      options,
    );
  }

  /**
   * November family: `POST /iris/data/v1/agent-memory/stores/{storeId}/sessions` (201
   * `{sessionId, event}`): starts a session with its first event; the service generates the id.
   * Retried with an `Idempotency-Key`: a retry after a lost answer gets the same session.
   */
  async createSession(
    event: CreateSessionInput,
    options: AddSessionEventOptions = {},
  ): Promise<CreateSessionResponse> {
    return this.#append(`${this.#store(options, 'iris')}/sessions`, event, options);
  }

  /** `GET …/session-memory`: one page of session ids; give `filterOwnerId` or `includeAll: true`. Retried. */
  async listSessions(query: ListSessionsQuery, options?: RequestOptions): Promise<ListSessionsResponse> {
    return this.#send(
      {
        method: 'GET',
        path: `${this.#store(options)}/session-memory`,
        query: { ...query },
        idempotent: true,
      },
      options,
    );
  }

  /** Every session id of {@link listSessions}, page after page. */
  iterateSessions(
    query: ListSessionsQuery,
    options?: RequestOptions,
  ): AsyncGenerator<string, void, undefined> {
    return paginate(
      (pageToken) => this.listSessions({ ...query, pageToken }, options),
      (page) => page.items,
      query.pageToken,
    );
  }

  /** `GET …/sessions` (extension of v1+): one page of session rows, sortable. Retried. */
  async listSessionSummaries(
    query: ListSessionSummariesQuery,
    options?: RequestOptions,
  ): Promise<ListSessionSummariesResponse> {
    return this.#send(
      { method: 'GET', path: `${this.#store(options)}/sessions`, query: { ...query }, idempotent: true },
      options,
    );
  }

  /** Every row of {@link listSessionSummaries}, page after page. */
  iterateSessionSummaries(
    query: ListSessionSummariesQuery,
    options?: RequestOptions,
  ): AsyncGenerator<SessionListItem, void, undefined> {
    return paginate(
      (pageToken) => this.listSessionSummaries({ ...query, pageToken }, options),
      (page) => page.items,
      query.pageToken,
    );
  }

  /** `GET …/session-memory/{sessionId}`: summary and events. Retried. */
  async getSessionMemory(
    sessionId: string,
    query: GetSessionMemoryQuery = {},
    options?: RequestOptions,
  ): Promise<SessionMemory> {
    return this.#send(
      {
        method: 'GET',
        path: `${this.#store(options)}${pathOf`/session-memory/${sessionId}`}`,
        query: { ...query },
        idempotent: true,
      },
      options,
    );
  }

  /** `DELETE …/session-memory/{sessionId}` (204). Retried; a 404 on a retry counts as deleted. */
  async deleteSessionMemory(sessionId: string, options?: RequestOptions): Promise<void> {
    return this.#send(
      {
        method: 'DELETE',
        path: `${this.#store(options)}${pathOf`/session-memory/${sessionId}`}`,
        idempotent: true,
        notFoundAfterRetryIsSuccess: true,
      },
      options,
    );
  }

  /** `GET …/session-memory/{sessionId}/events/{eventId}` (`{event}`). Retried. */
  async getSessionEvent(
    sessionId: string,
    eventId: string,
    options?: RequestOptions,
  ): Promise<GetSessionEventResponse> {
    return this.#send(
      {
        method: 'GET',
        path: `${this.#store(options)}${pathOf`/session-memory/${sessionId}/events/${eventId}`}`,
        idempotent: true,
      },
      options,
    );
  }

  /** `DELETE …/session-memory/{sessionId}/events/{eventId}` (204). Retried; a 404 on a retry counts as deleted. */
  async deleteSessionEvent(sessionId: string, eventId: string, options?: RequestOptions): Promise<void> {
    return this.#send(
      {
        method: 'DELETE',
        path: `${this.#store(options)}${pathOf`/session-memory/${sessionId}/events/${eventId}`}`,
        idempotent: true,
        notFoundAfterRetryIsSuccess: true,
      },
      options,
    );
  }

  /** `GET …/session-memory/{sessionId}/promotion` (extension): how far extraction has got. Retried. */
  async getPromotionStatus(sessionId: string, options?: RequestOptions): Promise<PromotionStatus> {
    return this.#send(
      {
        method: 'GET',
        path: `${this.#store(options)}${pathOf`/session-memory/${sessionId}/promotion`}`,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * `POST …/session-memory/{sessionId}/promotion` (extension, 202): runs promotion now instead of
   * at the end of the store's cadence window. Retried: it only queues work when events are
   * pending, so a repeat spends no extraction.
   */
  async promoteSessionNow(sessionId: string, options?: RequestOptions): Promise<PromoteSessionNowResponse> {
    return this.#send(
      {
        method: 'POST',
        path: `${this.#store(options)}${pathOf`/session-memory/${sessionId}/promotion`}`,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * `POST …/owners/{ownerId}/erase` (extension, 202): erases everything of one owner in the store
   * (sessions, events, memories, conversation records, every index entry), as a job. Until it has
   * finished the owner's writes answer 409. Retried: a repeat answers the job already running.
   */
  async eraseOwner(ownerId: string, options?: RequestOptions): Promise<ErasureResponse> {
    return this.#send(
      {
        method: 'POST',
        path: `${this.#store(options)}${pathOf`/owners/${ownerId}/erase`}`,
        idempotent: true,
      },
      options,
    );
  }

  /** `GET …/erasures/{jobId}` (extension): an owner erasure's state, phase and counts. Retried. */
  async getErasure(jobId: string, options?: RequestOptions): Promise<ErasureResponse> {
    return this.#send(
      { method: 'GET', path: `${this.#store(options)}${pathOf`/erasures/${jobId}`}`, idempotent: true },
      options,
    );
  }

  /**
   * Extension: extract the session's parked ranges (batches the model kept failing on, listed in
   * `getPromotionStatus`) again. Retried: a repeat only marks the same ranges again.
   */
  async retryParkedRanges(sessionId: string, options?: RequestOptions): Promise<RetryParkedRangesResponse> {
    return this.#send(
      {
        method: 'POST',
        path: `${this.#store(options)}${pathOf`/session-memory/${sessionId}/promotion/retry-parked`}`,
        idempotent: true,
      },
      options,
    );
  }

  // ---- long-term memory ----

  /**
   * `POST …/long-term-memory` (201 `{created, errors}`, per-item results). Retried: ids are the
   * caller's, and re-posting an id with the same content succeeds again without a copy.
   */
  async bulkCreateLongTermMemories(
    request: BulkCreateInput,
    options: BulkCreateOptions = {},
  ): Promise<BulkCreateResponse> {
    const { idempotencyKey, ...rest } = options;
    const memories = request.memories.map(({ occurredAt, ...memory }) => ({
      ...memory,
      ...(occurredAt !== undefined ? { occurredAt: isoOf(occurredAt) } : {}),
    }));
    return this.#send(
      {
        method: 'POST',
        path: `${this.#store(options)}/long-term-memory`,
        body: { memories },
        idempotent: true,
        ...(idempotencyKey !== undefined ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
      },
      rest,
    );
  }

  /**
   * `DELETE …/long-term-memory` with `{memoryIds}` (200 `{deleted, errors}`). Retried: deleting
   * twice leaves the same state (an id deleted by a lost first attempt is reported in `errors`).
   */
  async bulkDeleteLongTermMemories(
    request: BulkDeleteRequest,
    options?: RequestOptions,
  ): Promise<BulkDeleteResponse> {
    return this.#send(
      { method: 'DELETE', path: `${this.#store(options)}/long-term-memory`, body: request, idempotent: true },
      options,
    );
  }

  /** Alias of {@link bulkDeleteLongTermMemories}. */
  async deleteLongTermMemories(
    request: BulkDeleteRequest,
    options?: RequestOptions,
  ): Promise<BulkDeleteResponse> {
    return this.bulkDeleteLongTermMemories(request, options);
  }

  /** `POST …/long-term-memory/search`: one page of matches. A read, so retried. */
  async searchLongTermMemory(request: SearchInput = {}, options?: RequestOptions): Promise<SearchResponse> {
    return this.#send(
      {
        method: 'POST',
        path: `${this.#store(options)}/long-term-memory/search`,
        body: searchBody(request),
        idempotent: true,
      },
      options,
    );
  }

  /**
   * Every match of {@link searchLongTermMemory}, page after page (each page re-sends the same
   * query, to which the service binds its page tokens).
   */
  iterateSearch(
    request: SearchInput = {},
    options?: RequestOptions,
  ): AsyncGenerator<MemoryRecord, void, undefined> {
    const { pageToken, ...query } = request;
    return paginate(
      (token) => this.searchLongTermMemory({ ...query, ...(token ? { pageToken: token } : {}) }, options),
      (page) => page.items,
      pageToken,
    );
  }

  /** Every memory matching a filter, in creation order (a search without `text`). */
  iterateLongTermMemory(
    request: Omit<SearchInput, 'text' | 'similarityThreshold'> = {},
    options?: RequestOptions,
  ): AsyncGenerator<MemoryRecord, void, undefined> {
    return this.iterateSearch(request, options);
  }

  /** `GET …/long-term-memory/{memoryId}`. Retried. */
  async getLongTermMemory(memoryId: string, options?: RequestOptions): Promise<MemoryRecord> {
    return this.#send(
      {
        method: 'GET',
        path: `${this.#store(options)}${pathOf`/long-term-memory/${memoryId}`}`,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * `GET …/long-term-memory/{memoryId}/sources` (extension): one page of where a memory came from,
   * each source with its kind (`event`, `document`, `external`), its state (`live`, `expired`,
   * `unresolved`) and, while it exists, its evidence text; and the memory's sessions. Retried.
   */
  async getMemorySources(
    memoryId: string,
    query: MemorySourcesQuery = {},
    options?: RequestOptions,
  ): Promise<MemorySourcesResponse> {
    return this.#send(
      {
        method: 'GET',
        path: `${this.#store(options)}${pathOf`/long-term-memory/${memoryId}/sources`}`,
        query: { ...query },
        idempotent: true,
      },
      options,
    );
  }

  /** Every source of {@link getMemorySources}, page after page. */
  iterateMemorySources(
    memoryId: string,
    query: MemorySourcesQuery = {},
    options?: RequestOptions,
  ): AsyncGenerator<MemorySource, void, undefined> {
    return paginate(
      (pageToken) =>
        this.getMemorySources(memoryId, { ...query, ...(pageToken ? { pageToken } : {}) }, options),
      (page) => page.sources,
      query.pageToken,
    );
  }

  /**
   * `PATCH …/long-term-memory/{memoryId}`: omitted fields stay, `""` clears `namespace` or
   * `sessionId`. Retried: it sets values, so applying it twice leaves the same record.
   */
  async updateLongTermMemory(
    memoryId: string,
    patch: UpdateMemoryRequest,
    options?: RequestOptions,
  ): Promise<MemoryRecord> {
    return this.#send(
      {
        method: 'PATCH',
        path: `${this.#store(options)}${pathOf`/long-term-memory/${memoryId}`}`,
        body: patch,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * `PATCH …/long-term-memory/{memoryId}/fields`: text and attributes of a custom-typed memory,
   * checked against its type and namespace (409 on mismatch). Retried: it sets values.
   */
  async updateLongTermMemoryFields(
    memoryId: string,
    patch: UpdateMemoryFieldsRequest,
    options?: RequestOptions,
  ): Promise<MemoryRecord> {
    return this.#send(
      {
        method: 'PATCH',
        path: `${this.#store(options)}${pathOf`/long-term-memory/${memoryId}/fields`}`,
        body: patch,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * `POST …/long-term-memory/move`: files up to 100 memories under a namespace (`{moved, errors}`,
   * per item). Retried: moving twice leaves the same state (a memory already there counts as moved).
   */
  async moveLongTermMemories(
    request: MoveLongTermMemoriesRequest,
    options?: RequestOptions,
  ): Promise<MoveLongTermMemoriesResponse> {
    return this.#send(
      {
        method: 'POST',
        path: `${this.#store(options)}/long-term-memory/move`,
        body: request,
        idempotent: true,
      },
      options,
    );
  }

  // ---- namespaces ----

  /**
   * `POST …/namespaces`: `{name, scope, ownerId?}`, `{name, parentId}` or `{path, scope, ownerId?}`
   * (201 `{namespace}`). Not retried: a retry after a lost answer would meet its own 409.
   */
  async createNamespace(
    request: CreateNamespaceRequest,
    options?: RequestOptions,
  ): Promise<NamespaceResponse> {
    return this.#send(
      { method: 'POST', path: `${this.#store(options)}/namespaces`, body: request, idempotent: false },
      options,
    );
  }

  /** `GET …/namespaces`: roots (`scope`, `ownerId`) or children (`parentId`), one page. Retried. */
  async listNamespaces(
    query: ListNamespacesQuery,
    options?: RequestOptions,
  ): Promise<ListNamespacesResponse> {
    return this.#send(
      { method: 'GET', path: `${this.#store(options)}/namespaces`, query: { ...query }, idempotent: true },
      options,
    );
  }

  /** Every namespace of {@link listNamespaces}, page after page. */
  iterateNamespaces(
    query: ListNamespacesQuery,
    options?: RequestOptions,
  ): AsyncGenerator<Namespace, void, undefined> {
    return paginate(
      (pageToken) => this.listNamespaces({ ...query, pageToken }, options),
      (page) => page.namespaces,
      query.pageToken,
    );
  }

  /** `GET …/namespaces/{namespaceId}` (`{namespace}`). Retried. */
  async getNamespace(namespaceId: string, options?: RequestOptions): Promise<NamespaceResponse> {
    return this.#send(
      {
        method: 'GET',
        path: `${this.#store(options)}${pathOf`/namespaces/${namespaceId}`}`,
        idempotent: true,
      },
      options,
    );
  }

  /** `PATCH …/namespaces/{namespaceId}`: rename (`name`) or archive (`state: "ARCHIVED"`). Retried: it sets values. */
  async updateNamespace(
    namespaceId: string,
    patch: UpdateNamespaceRequest,
    options?: RequestOptions,
  ): Promise<NamespaceResponse> {
    return this.#send(
      {
        method: 'PATCH',
        path: `${this.#store(options)}${pathOf`/namespaces/${namespaceId}`}`,
        body: patch,
        idempotent: true,
      },
      options,
    );
  }

  /** `DELETE …/namespaces/{namespaceId}` (204; 409 unless an empty leaf). Retried; a 404 on a retry counts as deleted. */
  async deleteNamespace(namespaceId: string, options?: RequestOptions): Promise<void> {
    return this.#send(
      {
        method: 'DELETE',
        path: `${this.#store(options)}${pathOf`/namespaces/${namespaceId}`}`,
        idempotent: true,
        notFoundAfterRetryIsSuccess: true,
      },
      options,
    );
  }

  // ---- memory prompt ----

  /**
   * `POST …/memory-prompt` (extension): LLM-ready messages for `query` within `tokenBudget`: a
   * system message with the session summary and the relevant long-term memories, the session's
   * newest events, then the query. A read, so retried.
   */
  async memoryPrompt(request: MemoryPromptInput, options?: RequestOptions): Promise<MemoryPromptResponse> {
    const { filter, ...rest } = request;
    return this.#send(
      {
        method: 'POST',
        path: `${this.#store(options)}/memory-prompt`,
        body: filter ? { ...rest, filter: filterBody(filter) } : rest,
        idempotent: true,
      },
      options,
    );
  }

  // ---- summary views (extension) ----

  /**
   * `POST …/summary-views`: a materialized summary of long-term memory, one result per combination
   * of its `groupBy` values. Owned by this key's principal; `private` (default) views are visible to
   * its keys only. Not retried (it creates).
   */
  async createSummaryView(request: CreateSummaryViewRequest, options?: RequestOptions): Promise<SummaryView> {
    return this.#send(
      { method: 'POST', path: `${this.#store(options)}/summary-views`, body: request, idempotent: false },
      options,
    );
  }

  /** `GET …/summary-views`: one page of the views this key may see. Retried. */
  async listSummaryViews(
    query: ListSummaryViewsQuery = {},
    options?: RequestOptions,
  ): Promise<ListSummaryViewsResponse> {
    return this.#send(
      { method: 'GET', path: `${this.#store(options)}/summary-views`, query: { ...query }, idempotent: true },
      options,
    );
  }

  /** Every view of {@link listSummaryViews}, page after page. */
  iterateSummaryViews(
    query: ListSummaryViewsQuery = {},
    options?: RequestOptions,
  ): AsyncGenerator<SummaryView, void, undefined> {
    return paginate(
      (pageToken) => this.listSummaryViews({ ...query, pageToken }, options),
      (page) => page.items,
      query.pageToken,
    );
  }

  /** `GET …/summary-views/{viewId}`. Retried. */
  async getSummaryView(viewId: string, options?: RequestOptions): Promise<SummaryView> {
    return this.#send(
      { method: 'GET', path: `${this.#store(options)}${pathOf`/summary-views/${viewId}`}`, idempotent: true },
      options,
    );
  }

  /** `PATCH …/summary-views/{viewId}`: not its grouping; a result-changing edit makes partitions stale. */
  async updateSummaryView(
    viewId: string,
    request: UpdateSummaryViewRequest,
    options?: RequestOptions,
  ): Promise<SummaryView> {
    return this.#send(
      {
        method: 'PATCH',
        path: `${this.#store(options)}${pathOf`/summary-views/${viewId}`}`,
        body: request,
        idempotent: true,
      },
      options,
    );
  }

  /** `DELETE …/summary-views/{viewId}`: the view and its results, never memories. */
  async deleteSummaryView(viewId: string, options?: RequestOptions): Promise<void> {
    await this.#send(
      {
        method: 'DELETE',
        path: `${this.#store(options)}${pathOf`/summary-views/${viewId}`}`,
        idempotent: true,
      },
      options,
    );
  }

  /**
   * `GET …/summary-views/{viewId}/partition`: one partition's result by its group values (exactly
   * the view's `groupBy`; `{}` for an ungrouped view). Check `state`: `pending` until the first
   * refresh, `stale` when memories changed since. Retried.
   */
  async getSummaryViewResult(
    viewId: string,
    group: ViewGroup = {},
    options?: RequestOptions,
  ): Promise<ViewPartition> {
    return this.#send(
      {
        method: 'GET',
        path: `${this.#store(options)}${pathOf`/summary-views/${viewId}/partition`}`,
        query: { ...group },
        idempotent: true,
      },
      options,
    );
  }

  /** `GET …/summary-views/{viewId}/partitions`: one page of partitions with their results. Retried. */
  async listSummaryViewPartitions(
    viewId: string,
    query: ListViewPartitionsQuery = {},
    options?: RequestOptions,
  ): Promise<ListViewPartitionsResponse> {
    return this.#send(
      {
        method: 'GET',
        path: `${this.#store(options)}${pathOf`/summary-views/${viewId}/partitions`}`,
        query: { ...query },
        idempotent: true,
      },
      options,
    );
  }

  /**
   * `POST …/summary-views/{viewId}/refresh`: queues a refresh of one partition (`group`) or, without
   * it, of every partition (202; poll the partition's state). Retried: a repeat only queues again.
   */
  async refreshSummaryView(
    viewId: string,
    group?: ViewGroup,
    options?: RequestOptions,
  ): Promise<RefreshSummaryViewResponse> {
    return this.#send(
      {
        method: 'POST',
        path: `${this.#store(options)}${pathOf`/summary-views/${viewId}/refresh`}`,
        body: group === undefined ? {} : { group },
        idempotent: true,
      },
      options,
    );
  }

  // ---- documents (extension: document ingestion) ----

  /**
   * `POST …/documents` (extension, 202): submits a text or Markdown document (at most 512 KiB) to be
   * turned into long-term memories by an extractor (created in the control plane). Answers the
   * document's id at once; follow it with `getDocument`. Retried: the same text from the same owner
   * is the same document, so a repeat answers the same id and queues nothing twice.
   */
  async submitDocument(
    request: SubmitDocumentRequest,
    options?: RequestOptions,
  ): Promise<SubmitDocumentResponse> {
    return this.#send(
      { method: 'POST', path: `${this.#store(options)}/documents`, body: request, idempotent: true },
      options,
    );
  }

  /** `GET …/documents/{documentId}` (extension): state, chunk and memory counts, tokens, per-chunk errors. Retried. */
  async getDocument(documentId: string, options?: RequestOptions): Promise<DocumentStatus> {
    return this.#send(
      { method: 'GET', path: `${this.#store(options)}${pathOf`/documents/${documentId}`}`, idempotent: true },
      options,
    );
  }

  /** `DELETE …/documents/{documentId}` (extension): deletes the document and the memories it wrote. */
  async deleteDocument(documentId: string, options?: RequestOptions): Promise<DeleteDocumentResponse> {
    return this.#send(
      {
        method: 'DELETE',
        path: `${this.#store(options)}${pathOf`/documents/${documentId}`}`,
        idempotent: true,
      },
      options,
    );
  }

  // ---- plumbing ----

  #send<T>(call: CallSpec, options: RequestOptions | undefined): Promise<T> {
    return send<T>(this.#transport, call, options);
  }

  /**
   * An append: every attempt carries the same `Idempotency-Key` (the caller's, or one generated per
   * call when retries are on), so a retry after a lost answer returns what was stored the first time.
   */
  #append<T>(path: string, event: CreateSessionInput, options: AddSessionEventOptions): Promise<T> {
    const { idempotencyKey, ...rest } = options;
    const retrying = rest.retry !== false && (rest.retry !== undefined || this.#transport.retry !== false);
    const key = idempotencyKey ?? (retrying ? newIdempotencyKey() : undefined);
    const body = { ...event, createdAt: isoOf(event.createdAt) };
    return this.#send(
      {
        method: 'POST',
        path,
        body,
        idempotent: key !== undefined,
        ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}),
      },
      rest,
    );
  }

  /** `/v1/stores/{storeId}` (`iris`: `/iris/data/v1/agent-memory/stores/{storeId}`) of the call's store. */
  #store(options: RequestOptions | undefined, family: PathFamily = this.pathFamily): string {
    const storeId = options?.storeId ?? this.storeId;
    if (!storeId) {
      throw new TypeError(`storeId is required (client option, call option or ${ENV_NAMES.storeId})`);
    }
    return family === 'iris' ? `${IRIS_ROOT}${pathOf`/stores/${storeId}`}` : pathOf`/v1/stores/${storeId}`;
  }
}

function processEnv(): Record<string, string | undefined> | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
}

function isoOf(value: DateInput): string {
  return value instanceof Date ? value.toISOString() : value;
}

function searchBody(request: SearchInput): SearchRequest {
  const { filter, ...rest } = request;
  return filter ? { ...rest, filter: filterBody(filter) } : rest;
}

/** A filter with its `createdAt` bounds as RFC 3339 strings. */
function filterBody(filter: MemoryFilterInput): MemoryFilter {
  const { createdAt, ...fields } = filter;
  if (!createdAt) return fields;
  const bounds: CreatedAtFilter = {};
  for (const [op, value] of Object.entries(createdAt) as [keyof CreatedAtFilter, DateInput | undefined][]) {
    if (value !== undefined) bounds[op] = isoOf(value);
  }
  return { ...fields, createdAt: bounds };
}

/** A fresh `Idempotency-Key`: a random UUID (or 128 random bits where `randomUUID` is missing). */
function newIdempotencyKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}
