import type { Clock } from '../../lib/ports/clock.js';

/** A clock tests move by hand: TTLs, windows and recency are decided without sleeping. */
export class FakeClock implements Clock {
  constructor(private ms = Date.UTC(2026, 5, 25, 12, 0, 0)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
