import type { SessionEvent } from '../../contracts/session-memory.js';
import type { ScreenedTurn } from '../conversation-records.js';
import type { ExclusionOutcome } from '../sensitive-data.js';

/**
 * What promotion keeps of events: their text after the store's exclusions, with their arrival
 * position (`first` is the position of `events[0]`); dropped turns are left out. Screened once per
 * run, so the extractor and the conversation records see the same text.
 */
export function screenTurns(
  events: readonly SessionEvent[],
  first: number,
  exclude: (text: string) => ExclusionOutcome,
): ScreenedTurn[] {
  return events.flatMap((event, i): ScreenedTurn[] => {
    const { text } = exclude(event.content.map((part) => part.text).join('\n'));
    if (text === undefined) return [];
    return [
      {
        eventId: event.eventId,
        role: event.role,
        actorId: event.actorId,
        text,
        createdAt: Date.parse(event.createdAt),
        position: first + i,
      },
    ];
  });
}
