import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import {
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../dev/local-stack/local-stack.js';

/** Starts the local stack once for the calling test file and stops it afterwards. */
export function useLocalStack(options: LocalStackOptions = {}): () => LocalStack {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startLocalStack(options);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  return () => {
    if (!stack) throw new Error('the local stack is not running');
    return stack;
  };
}

/** A store id no other test uses. */
export function uniqueStoreId(label = 'store'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export { type ApiResponse, apiClient } from '../../dev/api-client.js';
