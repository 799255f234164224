import { type MemoryRecord, NotFoundError, type SessionEvent } from '../../../sdk/src/index.js';
import { type Connection, describeError } from '../connection.js';
import { routeWith, type View } from '../context.js';
import { details, field, h, link, time } from '../dom.js';
import { eventItem } from './session.js';

/** Events shown before and after the memory's source events, for context. */
const CONTEXT_EVENTS = 2;

/** One memory: its fields, history (supersedes / superseded by), sources, conversation context, edit and delete. */
export const memoryView: View = async (context) => {
  const { connection, segments } = context;
  const client = connection.require();
  const memoryId = segments[0] ?? '';
  const memory = await client.getLongTermMemory(memoryId);
  const [sources, conversation] = await Promise.all([
    sourcesSection(connection, memoryId),
    contextSection(connection, memory),
  ]);
  return h(
    'section',
    { 'aria-labelledby': 'view-title' },
    h('h2', { id: 'view-title', tabindex: '-1' }, 'Memory ', h('code', {}, memory.id)),
    h('blockquote', { class: 'text memory-text' }, memory.text),
    details([
      ['Type', memory.memoryType],
      ['Owner', memory.ownerId],
      ['Namespace', memory.namespace ?? '—'],
      [
        'Session',
        memory.sessionId ? link(`/sessions/${encodeURIComponent(memory.sessionId)}`, memory.sessionId) : '—',
      ],
      ['Topics', memory.topics.length > 0 ? memory.topics.join(', ') : '—'],
      ['Entities', memory.entities?.length ? memory.entities.join(', ') : '—'],
      ['Speaker', memory.role ? `${memory.role}${memory.actorId ? ` (${memory.actorId})` : ''}` : '—'],
      ['Occurred', time(memory.occurredAt)],
      ['Created', time(memory.createdAt)],
      ['Updated', time(memory.updatedAt)],
      ['Source events', memory.sourceRefs?.length ? memory.sourceRefs.join(', ') : '—'],
    ]),
    historySection(memory),
    sources,
    conversation,
    connection.canWrite
      ? editSection(context, memory)
      : h('p', { class: 'empty' }, 'This key cannot write: editing is off.'),
  );
};

function historySection(memory: MemoryRecord): HTMLElement {
  const memoryLink = (id: string) => link(`/memories/${encodeURIComponent(id)}`, id);
  const supersedes = memory.supersedes ?? [];
  return h(
    'section',
    { 'aria-labelledby': 'history-title' },
    h('h3', { id: 'history-title' }, 'History'),
    details([
      [
        'Supersedes',
        supersedes.length > 0
          ? h('ul', {}, ...supersedes.map((id) => h('li', {}, memoryLink(id))))
          : 'nothing',
      ],
      ['Superseded by', memory.supersededBy ? memoryLink(memory.supersededBy) : 'nothing (current)'],
    ]),
  );
}

async function sourcesSection(connection: Connection, memoryId: string): Promise<HTMLElement> {
  const title = h('h3', { id: 'sources-title' }, 'Sources');
  const section = h('section', { 'aria-labelledby': 'sources-title', class: 'sources' }, title);
  try {
    const answer = await connection.memorySources(memoryId);
    if (answer === undefined) {
      section.append(h('p', { class: 'empty' }, 'Sources: not available on this deployment.'));
      return section;
    }
    const items = listOf(answer);
    section.append(
      items.length === 0
        ? h('p', { class: 'empty' }, 'No sources recorded.')
        : h('ul', {}, ...items.map((item) => h('li', { class: 'text' }, describeSource(item)))),
    );
  } catch (error) {
    section.append(h('p', { class: 'error' }, describeError(error)));
  }
  return section;
}

/** The sources answer's list, whatever its member is called (`items`, `sources`, or a bare array). */
function listOf(answer: unknown): unknown[] {
  if (Array.isArray(answer)) return answer;
  if (answer && typeof answer === 'object') {
    for (const value of Object.values(answer)) if (Array.isArray(value)) return value;
  }
  return [answer];
}

function describeSource(item: unknown): string {
  if (!item || typeof item !== 'object') return String(item);
  const source = item as Record<string, unknown>;
  const text = typeof source.text === 'string' ? source.text : textOfContent(source.content);
  const who = [source.role, source.actorId].filter((part) => typeof part === 'string').join(' ');
  const id = [source.sessionId, source.eventId].filter((part) => typeof part === 'string').join(' / ');
  if (text || who || id) return [id, who, text].filter(Boolean).join(' — ');
  return JSON.stringify(item);
}

function textOfContent(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part && typeof part === 'object' && 'text' in part ? String(part.text) : ''))
    .join(' ');
}

/** The conversation around the memory's source events, read from the session while it lives. */
async function contextSection(connection: Connection, memory: MemoryRecord): Promise<HTMLElement> {
  const title = h('h3', { id: 'context-title' }, 'Conversation context');
  const section = h('section', { 'aria-labelledby': 'context-title' }, title);
  if (!memory.sessionId) {
    section.append(h('p', { class: 'empty' }, 'Written directly, not from a session.'));
    return section;
  }
  try {
    const session = await connection
      .require()
      .getSessionMemory(memory.sessionId, { includeSummarisedEvents: true });
    const sources = new Set(memory.sourceRefs ?? []);
    const picked = around(session.events, sources);
    section.append(
      picked.length === 0
        ? h('p', { class: 'empty' }, 'The source events are no longer in the session.')
        : h(
            'ol',
            { class: 'events' },
            ...picked.map((event) => eventItem(event, sources.has(event.eventId))),
          ),
    );
  } catch (error) {
    section.append(
      h(
        'p',
        { class: 'empty' },
        error instanceof NotFoundError
          ? 'The session has expired from working memory.'
          : describeError(error),
      ),
    );
  }
  return section;
}

function around(events: readonly SessionEvent[], sources: ReadonlySet<string>): SessionEvent[] {
  const keep = new Set<number>();
  events.forEach((event, index) => {
    if (!sources.has(event.eventId)) return;
    for (
      let i = Math.max(0, index - CONTEXT_EVENTS);
      i <= Math.min(events.length - 1, index + CONTEXT_EVENTS);
      i++
    )
      keep.add(i);
  });
  return [...keep].sort((a, b) => a - b).map((index) => events[index]!);
}

function editSection(
  { connection, announce, navigate }: Parameters<View>[0],
  memory: MemoryRecord,
): HTMLElement {
  const text = h('textarea', { name: 'text', rows: 3, required: true });
  text.value = memory.text;
  const type = h('input', { name: 'memoryType', value: memory.memoryType, autocomplete: 'off' });
  const topics = h('input', { name: 'topics', value: memory.topics.join(', '), autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'edit', 'aria-label': 'Edit memory' },
    field('Text', text),
    field('Type', type),
    field('Topics', topics, 'Comma-separated'),
    h('button', { type: 'submit' }, 'Save changes'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await connection.write((client) =>
        client.updateLongTermMemory(memory.id, {
          text: text.value,
          memoryType: type.value.trim(),
          topics: topics.value
            .split(',')
            .map((topic) => topic.trim())
            .filter((topic) => topic.length > 0),
        }),
      );
      announce('Memory saved.');
      navigate(`/memories/${encodeURIComponent(memory.id)}?saved=${Date.now()}`);
    } catch (error) {
      announce(describeError(error));
    }
  });
  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete memory');
  remove.addEventListener('click', async () => {
    if (!confirm('Delete this memory?')) return;
    try {
      const answer = await connection.write((client) =>
        client.deleteLongTermMemories({ memoryIds: [memory.id] }),
      );
      if (answer.errors.length > 0) throw new Error(answer.errors.map((e) => e.error).join('; '));
      announce('Memory deleted.');
      navigate(routeWith('/memories', { ownerId: memory.ownerId }));
    } catch (error) {
      announce(describeError(error));
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'edit-title' },
    h('h3', { id: 'edit-title' }, 'Edit'),
    form,
    h('div', { class: 'actions' }, remove),
  );
}
