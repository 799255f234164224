/**
 * Limits the service enforces, in one place so the README, the contracts and the errors agree.
 * Where the reference gives a number it is used; otherwise the choice is ours and says why.
 */
export const LIMITS = {
  /** API Gateway accepts 10 MB; one event never needs more than 1 MiB of JSON. */
  requestBodyBytes: 1024 * 1024,
  /** Total text of one event's content parts (characters). Long pastes fit; whole files do not. */
  eventTextChars: 256 * 1024,
  /** Content parts per event. */
  eventContentParts: 100,
  /** Serialized event metadata (UTF-8 bytes): "any valid JSON document, ≤ 16 KB" per the reference. */
  eventMetadataBytes: 16 * 1024,
  /**
   * Events kept per session. Summarization (when enabled) folds older events away; without it a
   * session this long would no longer fit a Lambda response (6 MB).
   */
  eventsPerSession: 10_000,
  /**
   * Stored event JSON per session (UTF-8 bytes). Reading a session answers all of its events, and
   * Lambda answers at most 6 MB; a promotion run reads the session too, so this bounds both the
   * answer and the run's memory (security review finding 8). Five events of the largest size fit;
   * summarization gives no room back (folded events stay readable with includeSummarisedEvents).
   */
  sessionBytes: 5 * 1024 * 1024,
  /** Page size of the session listings (reference: 1–1000, default 100). */
  listSessionsMax: 1000,
  listSessionsDefault: 100,
  /**
   * Nesting depth of a JSON body (objects and arrays). V8's JSON.stringify recurses and overflows the
   * stack at a few thousand levels (about 4,000 with Node's default stack), which turned a deeply
   * nested `metadata` into a 500; no document the API takes needs more than a handful of levels.
   */
  jsonNestingDepth: 100,
  /**
   * Long-term memories per owner in a store (expired ones count until swept). An owner's memories
   * share vector sets; past about 100k elements per set recall and insert speed fall (DESIGN.md).
   */
  memoriesPerOwner: 100_000,
  /** Page tokens longer than this are rejected before decoding (clients cap them at 4096). */
  pageTokenChars: 4096,
} as const;

/**
 * Default per-store storage quotas (store config `quotas`, security review finding 8). They exist
 * so that one write key cannot fill the Redis database every tenant shares; a store that needs more
 * asks for it in its configuration. Counted live: expired sessions and swept memories give room back.
 */
export const DEFAULT_QUOTAS = {
  /**
   * Live sessions. Each costs index entries in four sorted sets besides its own keys; 100k is far
   * past what one agent fleet keeps alive within a short-term TTL.
   */
  sessions: 100_000,
  /** Live session events across all sessions: 100 sessions at the per-session maximum. */
  events: 1_000_000,
  /** Long-term records (expired ones count until swept): ten owners at `memoriesPerOwner`. */
  longTermRecords: 1_000_000,
  /**
   * Stored bytes: event JSON plus long-term record JSON (indexes not counted). 1 GiB keeps one
   * store to a small share of a shared database; one event alone may be 1 MiB.
   */
  bytes: 1024 * 1024 * 1024,
} as const;

/** A quota's name, as the store config (`quotas.<name>`) and the problem bodies spell it. */
export type QuotaName = keyof typeof DEFAULT_QUOTAS;
