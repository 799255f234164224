import { describe, expect, it } from 'vitest';
import {
  promotionJob,
  promotionJobId,
  promotionMessageSchema,
} from '../../lib/contracts/promotion-message.js';

describe('promotionJob', () => {
  it('builds the versioned message the consumer parses, and nothing else', () => {
    // Prepare
    const window = { storeId: 'store-1', sessionId: 's-1', windowStartedAt: 1_000, dueAt: 301_000 };

    // Act
    const job = promotionJob({ ...window, extra: 'ignored' } as typeof window);

    // Assess
    expect(job).toEqual({ version: 1, kind: 'session-promotion', ...window });
    expect(promotionMessageSchema.parse(job)).toEqual(job);
    expect(promotionJobId(job)).toBe('store-1:s-1:1000');
  });
});
