import type { CommandArg } from './encoding.js';

/*
 * Injected faults (tests only): what `UpstashRestServer.failNext` queues and how a request picks
 * one. The server applies them (server.ts); without faults the emulator behaves as documented there.
 */

/**
 * What an injected fault does to a request, as an outage of the real endpoint would look to the client:
 * - `status`: answer `status` (500, 503, …) with an `{"error"}` body; nothing runs.
 * - `hang`: hold the request `ms` without running it, then destroy the socket (a hung endpoint; the
 *   client's own timeout usually fires first).
 * - `slow`: wait `ms`, then run the commands and answer normally.
 * - `drop`: destroy the socket. `before-execute`: nothing runs. `before-response`: the commands ran
 *   but not one byte of the answer is sent, so the client cannot tell and may retry.
 *   `mid-response`: the commands ran; headers and half the body are sent (a pipeline's answer cut
 *   part-way through its results).
 */
export type UpstashFault =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'hang'; readonly ms: number }
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'drop'; readonly stage: 'before-execute' | 'before-response' | 'mid-response' };

export interface UpstashFaultOptions {
  /** How many matching requests get the fault; default 1. */
  readonly count?: number;
  /**
   * Only requests with a matching command (any of a pipeline's): a string is a command name,
   * case-insensitive (`EVALSHA`); a RegExp is tested against `NAME arg1 arg2 …` of each command.
   */
  readonly command?: string | RegExp;
}

/** Faults waiting for a matching request, and the timers of faults in progress (cleared on stop). */
export class FaultQueue {
  private readonly pending: Array<{ fault: UpstashFault; command?: string | RegExp; remaining: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  add(fault: UpstashFault, options: UpstashFaultOptions = {}): void {
    const remaining = options.count ?? 1;
    if (!Number.isInteger(remaining) || remaining < 1) throw new Error('count must be a positive integer');
    this.pending.push({ fault, command: options.command, remaining });
  }

  clear(): number {
    const left = this.pending.reduce((sum, entry) => sum + entry.remaining, 0);
    this.pending.length = 0;
    return left;
  }

  /** The first pending fault that matches one of the request's commands, consuming one use of it. */
  take(commands: readonly CommandArg[][]): UpstashFault | undefined {
    const index = this.pending.findIndex((entry) => matches(entry.command, commands));
    if (index < 0) return undefined;
    const entry = this.pending[index]!;
    if (--entry.remaining === 0) this.pending.splice(index, 1);
    return entry.fault;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Cancels sleeping faults: their requests never finish, and no timer holds the process open. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending.length = 0;
  }
}

function matches(pattern: string | RegExp | undefined, commands: readonly CommandArg[][]): boolean {
  if (pattern === undefined) return true;
  return commands.some((command) => {
    if (typeof pattern === 'string') return String(command[0]).toUpperCase() === pattern.toUpperCase();
    const text = command.map((arg, i) => (i === 0 ? String(arg).toUpperCase() : String(arg))).join(' ');
    return pattern.test(text);
  });
}
