import type { MemoryFilter } from '../../../sdk/src/index.js';
import { routeWith, type View } from '../context.js';
import { field, h, link, time } from '../dom.js';
import { pager } from './pager.js';

const PAGE_SIZE = 25;
const FILTERS = ['ownerId', 'namespace', 'sessionId', 'memoryType', 'topics'] as const;

/**
 * Long-term memories matching a filter, one page at a time: a search without text lists matches in
 * creation order with a signed page token, so a store of 10,000 memories costs one page per view.
 */
export const memoriesView: View = async ({ connection, query, navigate }) => {
  const client = connection.require();
  const filter: MemoryFilter = {};
  for (const name of FILTERS) {
    const value = query.get(name);
    if (value) filter[name] = { eq: value };
  }
  const pageToken = query.get('page') ?? undefined;
  const page = await client.searchLongTermMemory({
    limit: PAGE_SIZE,
    ...(Object.keys(filter).length > 0 ? { filter } : {}),
    ...(pageToken ? { pageToken } : {}),
  });

  const inputs = FILTERS.map((name) =>
    h('input', { name, value: query.get(name) ?? '', autocomplete: 'off' }),
  );
  const labels: Record<(typeof FILTERS)[number], string> = {
    ownerId: 'Owner',
    namespace: 'Namespace',
    sessionId: 'Session',
    memoryType: 'Type',
    topics: 'Topic',
  };
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter memories' },
    ...inputs.map((input, i) => field(labels[FILTERS[i]!], input)),
    h('button', { type: 'submit' }, 'Apply'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(
      routeWith('/memories', Object.fromEntries(inputs.map((input) => [input.name, input.value.trim()]))),
    );
  });

  const table = h(
    'table',
    { class: 'memories' },
    h('caption', {}, `Memories, ${page.items.length} on this page`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Memory', 'Type', 'Owner', 'Namespace', 'Created'].map((name) => h('th', { scope: 'col' }, name)),
      ),
    ),
    h(
      'tbody',
      {},
      ...page.items.map((memory) =>
        h(
          'tr',
          {},
          h('td', { class: 'text' }, link(`/memories/${encodeURIComponent(memory.id)}`, memory.text)),
          h('td', {}, memory.memoryType),
          h('td', {}, memory.ownerId),
          h('td', {}, memory.namespace ?? '—'),
          h('td', {}, time(memory.createdAt)),
        ),
      ),
    ),
  );
  return h(
    'section',
    { 'aria-labelledby': 'view-title' },
    h('h2', { id: 'view-title', tabindex: '-1' }, 'Long-term memories'),
    form,
    page.items.length === 0 ? h('p', { class: 'empty' }, 'No memories match.') : table,
    pager(query, '/memories', page.nextPageToken, navigate),
  );
};
