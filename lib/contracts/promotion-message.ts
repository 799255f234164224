import * as z from 'zod';
import { idSchema } from './common.js';

/**
 * Promotion job, one per session per extraction window (see `appendSessionEvent`).
 * The consumer reads the session's events past its watermark when the job arrives, so the
 * message carries no conversation text: it is a pointer, never a copy.
 */
export const promotionMessageSchema = z.object({
  version: z.literal(1),
  kind: z.literal('session-promotion'),
  storeId: idSchema,
  sessionId: idSchema,
  /** Epoch ms at which the window opened (the first append that scheduled this job). */
  windowStartedAt: z.number().int().nonnegative(),
  /** Epoch ms at which the job is due; SQS delivery is delayed until then. */
  dueAt: z.number().int().nonnegative(),
});
export type PromotionMessage = z.infer<typeof promotionMessageSchema>;

/** Deterministic id for a window, used as a dedup key and in logs (no content). */
export function promotionJobId(message: PromotionMessage): string {
  return `${message.storeId}:${message.sessionId}:${message.windowStartedAt}`;
}

/**
 * The promotion job of one window: the only place that writes the message's `version` and `kind`,
 * so producers (append, sweep, promote-now, retry of parked ranges, the local stack, tests) cannot
 * drift from the schema the consumer parses.
 */
export function promotionJob(window: Omit<PromotionMessage, 'version' | 'kind'>): PromotionMessage {
  return {
    version: 1,
    kind: 'session-promotion',
    storeId: window.storeId,
    sessionId: window.sessionId,
    windowStartedAt: window.windowStartedAt,
    dueAt: window.dueAt,
  };
}
