import type { SessionListItem } from '../../../sdk/src/index.js';
import { routeWith, type View } from '../context.js';
import { field, h, link, select, time } from '../dom.js';
import { pager } from './pager.js';

const PAGE_SIZE = 25;

/**
 * Sessions of the store, one page at a time (`GET …/sessions`): by owner (the API's filter) or all,
 * sorted by the API. The namespace filter narrows the page shown: the API filters sessions by owner only.
 */
export const sessionsView: View = async ({ connection, query, navigate }) => {
  const client = connection.require();
  const ownerId = query.get('ownerId') ?? '';
  const namespace = query.get('namespace') ?? '';
  const sortBy = (query.get('sortBy') ?? 'updatedAt') as 'sessionId' | 'createdAt' | 'updatedAt';
  const sortOrder = (query.get('sortOrder') ?? 'desc') as 'asc' | 'desc';
  const pageToken = query.get('page') ?? undefined;

  const page = await client.listSessionSummaries({
    limit: PAGE_SIZE,
    ...(ownerId ? { filterOwnerId: ownerId } : { includeAll: true }),
    sortBy,
    sortOrder,
    ...(pageToken ? { pageToken } : {}),
  });
  const rows = namespace ? page.items.filter((item) => namespaceOf(item) === namespace) : page.items;

  const owner = h('input', { name: 'ownerId', value: ownerId, autocomplete: 'off' });
  const ns = h('input', { name: 'namespace', value: namespace, autocomplete: 'off' });
  const by = select(
    'sortBy',
    [
      ['updatedAt', 'Last updated'],
      ['createdAt', 'Created'],
      ['sessionId', 'Session id'],
    ],
    sortBy,
  );
  const order = select(
    'sortOrder',
    [
      ['desc', 'Descending'],
      ['asc', 'Ascending'],
    ],
    sortOrder,
  );
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter sessions' },
    field('Owner', owner),
    field('Namespace', ns, 'Narrows the page shown'),
    field('Sort by', by),
    field('Order', order),
    h('button', { type: 'submit' }, 'Apply'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(
      routeWith('/sessions', {
        ownerId: owner.value.trim(),
        namespace: ns.value.trim(),
        sortBy: by.value,
        sortOrder: order.value,
      }),
    );
  });

  const table = h(
    'table',
    {},
    h('caption', {}, `${page.total} session${page.total === 1 ? '' : 's'}${ownerId ? ` of ${ownerId}` : ''}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Session', 'Owner', 'Namespace', 'Created', 'Last updated'].map((name) =>
          h('th', { scope: 'col' }, name),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((item) =>
        h(
          'tr',
          {},
          h('td', {}, link(`/sessions/${encodeURIComponent(item.sessionId)}`, item.sessionId)),
          h('td', {}, item.ownerId ?? '—'),
          h('td', {}, namespaceOf(item) ?? '—'),
          h('td', {}, time(item.createdAt)),
          h('td', {}, time(item.updatedAt)),
        ),
      ),
    ),
  );
  return h(
    'section',
    { 'aria-labelledby': 'view-title' },
    h('h2', { id: 'view-title', tabindex: '-1' }, 'Sessions'),
    form,
    rows.length === 0 ? h('p', { class: 'empty' }, 'No sessions match.') : table,
    pager(query, '/sessions', page.nextPageToken, navigate),
  );
};

function namespaceOf(item: SessionListItem): string | undefined {
  return item.namespaceRef?.path ?? item.namespaceRef?.name;
}
