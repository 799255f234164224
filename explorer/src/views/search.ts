import type { MemoryRecord, SearchMode } from '../../../sdk/src/index.js';
import { routeWith, type View } from '../context.js';
import { field, h, link } from '../dom.js';

const MODES: readonly SearchMode[] = ['keyword', 'semantic', 'hybrid'];

/**
 * The search playground: one query in the three modes at once (`includeScores`), each result's
 * score and rank per mode side by side, so one can see why a mode finds or misses a memory.
 */
export const searchView: View = async ({ connection, query, navigate }) => {
  const client = connection.require();
  const text = query.get('text') ?? '';
  const ownerId = query.get('ownerId') ?? '';
  const namespace = query.get('namespace') ?? '';
  const limit = Number(query.get('limit') ?? 10);

  const textInput = h('input', {
    name: 'text',
    type: 'search',
    value: text,
    required: true,
    autocomplete: 'off',
  });
  const ownerInput = h('input', { name: 'ownerId', value: ownerId, autocomplete: 'off' });
  const nsInput = h('input', { name: 'namespace', value: namespace, autocomplete: 'off' });
  const limitInput = h('input', { name: 'limit', type: 'number', min: 1, max: 100, value: limit });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Search memories' },
    field('Query', textInput),
    field('Owner', ownerInput),
    field('Namespace', nsInput),
    field('Results per mode', limitInput),
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(
      routeWith('/search', {
        text: textInput.value.trim(),
        ownerId: ownerInput.value.trim(),
        namespace: nsInput.value.trim(),
        limit: limitInput.value,
      }),
    );
  });
  const section = h(
    'section',
    { 'aria-labelledby': 'view-title' },
    h('h2', { id: 'view-title', tabindex: '-1' }, 'Search playground'),
    form,
  );
  if (!text) return section;

  const filter = {
    ...(ownerId ? { ownerId: { eq: ownerId } } : {}),
    ...(namespace ? { namespace: { eq: namespace } } : {}),
  };
  const results = await Promise.all(
    MODES.map((searchMode) =>
      client.searchLongTermMemory({
        text,
        searchMode,
        includeScores: true,
        limit,
        ...(Object.keys(filter).length > 0 ? { filter } : {}),
      }),
    ),
  );
  // One row per memory any mode found; each mode's cell holds its score and rank there.
  const rows = new Map<
    string,
    { memory: MemoryRecord; byMode: Map<SearchMode, { score?: number; rank: number }> }
  >();
  results.forEach((page, m) => {
    page.items.forEach((memory, index) => {
      const row = rows.get(memory.id) ?? { memory, byMode: new Map() };
      row.byMode.set(MODES[m]!, {
        ...(memory.score !== undefined ? { score: memory.score } : {}),
        rank: index + 1,
      });
      rows.set(memory.id, row);
    });
  });
  const order = (row: { byMode: Map<SearchMode, { rank: number }> }) =>
    Math.min(...MODES.map((mode, i) => (row.byMode.get(mode)?.rank ?? 1000) + (2 - i) / 10));
  const sorted = [...rows.values()].sort((a, b) => order(a) - order(b));

  section.append(
    sorted.length === 0
      ? h('p', { class: 'empty' }, 'No mode found anything.')
      : h(
          'table',
          { class: 'scores' },
          h('caption', {}, `${sorted.length} memories found by at least one mode (score, rank)`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Memory'),
              ...MODES.map((mode) => h('th', { scope: 'col', class: 'num' }, mode)),
            ),
          ),
          h(
            'tbody',
            {},
            ...sorted.map(({ memory, byMode }) =>
              h(
                'tr',
                {},
                h('td', { class: 'text' }, link(`/memories/${encodeURIComponent(memory.id)}`, memory.text)),
                ...MODES.map((mode) => {
                  const hit = byMode.get(mode);
                  return h(
                    'td',
                    { class: 'num', 'data-mode': mode },
                    hit
                      ? `${hit.score === undefined ? '—' : hit.score.toFixed(3)} (#${hit.rank})`
                      : 'not found',
                  );
                }),
              ),
            ),
          ),
        ),
  );
  return section;
};
