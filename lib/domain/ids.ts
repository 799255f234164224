import { randomBytes, randomUUID } from 'node:crypto';

const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Server-generated session and store ids: a 32-character UUID without dashes (reference §1). */
export function newSessionId(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * Event ids: exactly 32 alphanumerics. The first 10 characters are the server time in base 36
 * (zero-padded, sortable until the year 5188), so events sharing a `createdAt` millisecond keep
 * their arrival order; the remaining 22 are random (about 131 bits).
 */
export function newEventId(nowMs: number): string {
  const time = nowMs.toString(36).padStart(10, '0');
  const bytes = randomBytes(22);
  let random = '';
  // 62 does not divide 256; the bias (under 2%) is irrelevant for uniqueness.
  for (const byte of bytes) random += ALPHANUMERIC[byte % 62];
  return time + random;
}
