export {
  type AddSessionEventInput,
  type AddSessionEventOptions,
  AgentMemory,
  type AgentMemoryOptions,
  type BulkCreateInput,
  type CreatedAtFilterInput,
  type CreateMemoryInput,
  type CreateSessionInput,
  type DateInput,
  ENV_NAMES,
  type MemoryFilterInput,
  type MemoryPromptInput,
  type PathFamily,
  type SearchInput,
} from './client.js';
export {
  AgentMemoryError,
  type AgentMemoryErrorInit,
  BadRequestError,
  ConflictError,
  ConnectionError,
  DependencyError,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  PayloadTooLargeError,
  type Problem,
  type ProblemFieldError,
  RequestTimeoutError,
  ServerError,
  TimeoutError,
  TooManyRequestsError,
  UnauthorizedError,
} from './errors.js';
export type { PageLike } from './pagination.js';
export {
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  type RequestOptions,
  type RetryConfig,
} from './transport.js';
export type * from './types.js';
