import type { Embedder } from '../../../lib/ports/embedder.js';
import type {
  BedrockFakeConverseStats,
  BedrockFakeModelStats,
  BedrockFakeStats,
  ConverseFakeReply,
  ConverseFakeResponder,
} from './types.js';

/* What a route handler gets (one request and the fake's state) and gives back. */

export interface Reply {
  readonly body: unknown;
  readonly inputTokens?: number;
}

export interface RequestContext {
  readonly modelId: string;
  /** The model id as it appeared in the path, still percent-encoded. */
  readonly encodedModelId: string;
  readonly body: Buffer;
  readonly stats: BedrockFakeStats;
  readonly base: Embedder;
  readonly converse: ConverseState;
  /** `performance.now()` when the request arrived. */
  readonly started: number;
}

/** The fake's Converse settings: its script, default responder and latency. */
export interface ConverseState {
  /** Replies queued for the next requests, or a responder for every request. */
  script: ConverseFakeReply[] | ConverseFakeResponder;
  defaultResponder: ConverseFakeResponder | undefined;
  readonly latencyMs: number;
}

export function modelStats(context: RequestContext): BedrockFakeModelStats {
  context.stats.models[context.modelId] ??= { requests: 0, texts: 0, inputCharacters: 0, inputTypes: {} };
  return context.stats.models[context.modelId]!;
}

export function countEmbedded(context: RequestContext, texts: readonly string[]): void {
  const stats = modelStats(context);
  stats.texts += texts.length;
  for (const text of texts) stats.inputCharacters += text.length;
}

export function emptyConverseStats(): BedrockFakeConverseStats {
  return { requests: 0, answered: 0, faults: 0, inputTokens: 0, outputTokens: 0, byModel: {} };
}
