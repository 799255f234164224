import { h } from '../dom.js';

/**
 * Previous / next page links over signed page tokens. The tokens of earlier pages ride in the route
 * (`prev`, comma-separated), so the browser's back button and a reload work; they are opaque
 * cursors bound to the query, never data.
 */
export function pager(
  query: URLSearchParams,
  path: string,
  nextPageToken: string | undefined,
  navigate: (route: string) => void,
): HTMLElement {
  const current = query.get('page') ?? '';
  const previous = (query.get('prev') ?? '').split(',').filter((token) => token.length > 0);
  const go = (page: string | undefined, prev: string[]) => {
    const next = new URLSearchParams(query);
    if (page) next.set('page', page);
    else next.delete('page');
    if (prev.length > 0) next.set('prev', prev.join(','));
    else next.delete('prev');
    const text = next.toString();
    navigate(text ? `${path}?${text}` : path);
  };
  const back = h('button', { type: 'button', disabled: current === '' }, 'Previous page');
  back.addEventListener('click', () => {
    const prev = [...previous];
    const page = prev.pop();
    go(page === '-' ? undefined : page, prev);
  });
  const forward = h('button', { type: 'button', disabled: !nextPageToken }, 'Next page');
  forward.addEventListener('click', () => go(nextPageToken, [...previous, current || '-']));
  return h('nav', { class: 'pager', 'aria-label': 'Pages' }, back, forward);
}
