import type { PromotionStatus, SessionEvent, SessionMemory } from '../../../sdk/src/index.js';
import { describeError } from '../connection.js';
import { routeWith, type View } from '../context.js';
import { details, h, link, time } from '../dom.js';

/** One session: its summary, its promotion status and its events (roles, actors, times). */
export const sessionView: View = async ({ connection, segments, announce, navigate }) => {
  const client = connection.require();
  const sessionId = segments[0] ?? '';
  const [session, promotion] = await Promise.all([
    client.getSessionMemory(sessionId, { includeSummarisedEvents: true }),
    client.getPromotionStatus(sessionId).catch((error: unknown) => error as Error),
  ]);

  const actions = h('div', { class: 'actions' });
  actions.append(
    link(routeWith('/memories', { sessionId, ownerId: session.ownerId }), 'Memories from this session'),
  );
  if (connection.canWrite) {
    const promote = h('button', { type: 'button' }, 'Promote now');
    promote.addEventListener('click', async () => {
      try {
        const answer = await connection.write((c) => c.promoteSessionNow(sessionId));
        announce(`Promotion queued: ${answer.pendingEvents} pending events.`);
      } catch (error) {
        announce(describeError(error));
      }
    });
    const remove = h('button', { type: 'button', class: 'danger' }, 'Delete session');
    remove.addEventListener('click', async () => {
      if (!confirm(`Delete session ${sessionId} and its events?`)) return;
      try {
        await connection.write((c) => c.deleteSessionMemory(sessionId));
        announce(`Session ${sessionId} deleted.`);
        navigate('/sessions');
      } catch (error) {
        announce(describeError(error));
      }
    });
    actions.append(promote, remove);
  }

  return h(
    'section',
    { 'aria-labelledby': 'view-title' },
    h('h2', { id: 'view-title', tabindex: '-1' }, 'Session ', h('code', {}, sessionId)),
    details([
      ['Owner', session.ownerId],
      ['Namespace', session.namespace ?? '—'],
      ['Events', String(session.events.length)],
    ]),
    actions,
    summarySection(session),
    promotionSection(promotion),
    eventsSection(session.events),
  );
};

function summarySection(session: SessionMemory): HTMLElement {
  const summary = session.summary;
  return h(
    'section',
    { 'aria-labelledby': 'summary-title' },
    h('h3', { id: 'summary-title' }, 'Summary'),
    summary
      ? h(
          'div',
          {},
          h('p', { class: 'text' }, summary.text),
          details([
            ['Covers', `${summary.summarizedEvents} events, up to ${summary.summarizedUpToEventId}`],
            ['Updated', time(summary.updatedAt)],
          ]),
        )
      : h('p', { class: 'empty' }, 'No summary (summarization is off for this store, or not reached yet).'),
  );
}

function promotionSection(status: PromotionStatus | Error): HTMLElement {
  const title = h('h3', { id: 'promotion-title' }, 'Promotion');
  if (status instanceof Error) {
    return h(
      'section',
      { 'aria-labelledby': 'promotion-title' },
      title,
      h('p', { class: 'error' }, describeError(status)),
    );
  }
  return h(
    'section',
    { 'aria-labelledby': 'promotion-title', class: 'promotion' },
    title,
    details([
      ['Watermark (last processed event)', status.watermarkEventId ?? '— (nothing processed yet)'],
      ['Processed events', String(status.processedEvents)],
      ['Pending events', String(status.pendingEvents)],
      ['Last run', time(status.lastRunAt)],
      ['Next run', time(status.nextRunAt)],
      [
        'Last error',
        status.lastError ? h('span', {}, status.lastError.code, ' at ', time(status.lastError.at)) : 'none',
      ],
      ['Memories written', String(status.memoriesWritten)],
      ['Conversation records written', String(status.conversationRecordsWritten)],
      ['Tokens (input / output)', `${status.usage.inputTokens} / ${status.usage.outputTokens}`],
      ['Parked ranges', String(status.parkedRanges.length)],
      [
        'Token budget exceeded',
        status.budgetExceeded
          ? h(
              'span',
              {},
              'yes',
              status.deferredUntil && ', deferred until ',
              status.deferredUntil && time(status.deferredUntil),
            )
          : 'no',
      ],
    ]),
  );
}

function eventsSection(events: readonly SessionEvent[]): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'events-title' },
    h('h3', { id: 'events-title' }, 'Events'),
    events.length === 0
      ? h('p', { class: 'empty' }, 'No events.')
      : h('ol', { class: 'events' }, ...events.map((event) => eventItem(event))),
  );
}

export function eventItem(event: SessionEvent, highlighted = false): HTMLLIElement {
  return h(
    'li',
    {
      class: `event role-${event.role.toLowerCase()}${highlighted ? ' source' : ''}`,
      'data-event-id': event.eventId,
    },
    h(
      'div',
      { class: 'event-head' },
      h('span', { class: 'role' }, event.role),
      ' ',
      h('span', { class: 'actor' }, event.actorId),
      ' · ',
      time(event.createdAt),
      highlighted ? h('span', { class: 'badge' }, 'source') : null,
    ),
    ...event.content.map((part) => h('p', { class: 'text' }, contentText(part))),
  );
}

function contentText(part: unknown): string {
  if (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string') return part.text;
  return JSON.stringify(part);
}
