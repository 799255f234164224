import { Connection, describeError, type ExplorerConfig } from './connection.js';
import type { View, ViewContext } from './context.js';
import { field, h, replace } from './dom.js';
import { memoriesView } from './views/memories.js';
import { memoryView } from './views/memory.js';
import { searchView } from './views/search.js';
import { sessionView } from './views/session.js';
import { sessionsView } from './views/sessions.js';

/**
 * The memory explorer: a static page that talks to the data API with the SDK. Routes are hashes
 * (`#/sessions`, `#/sessions/{id}`, `#/memories`, `#/memories/{id}`, `#/search`), so the page is
 * plain static files and the URL never holds the key.
 */
const ROUTES: Readonly<Record<string, { readonly list: View; readonly one?: View; readonly label: string }>> =
  {
    sessions: { list: sessionsView, one: sessionView, label: 'Sessions' },
    memories: { list: memoriesView, one: memoryView, label: 'Memories' },
    search: { list: searchView, label: 'Search' },
  };

async function start(): Promise<void> {
  const config = (await (await fetch('config.json', { cache: 'no-store' })).json()) as ExplorerConfig;
  const connection = new Connection(config);
  const status = document.getElementById('status')!;
  const main = document.getElementById('main')!;
  const nav = document.getElementById('nav')!;
  const announce = (message: string) => {
    status.textContent = message;
  };

  const storeInput = h('input', {
    name: 'storeId',
    value: connection.storeId,
    autocomplete: 'off',
    required: true,
  });
  const keyInput = h('input', {
    name: 'apiKey',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const connectForm = h(
    'form',
    { class: 'connect', 'aria-label': 'Connect to a store' },
    field('Store', storeInput),
    field('API key', keyInput, 'Kept in this tab only'),
    h('button', { type: 'submit' }, 'Connect'),
  );
  const forget = h('button', { type: 'button', class: 'secondary' }, 'Forget key');
  const connectedAs = h('p', { class: 'connected' });
  const connectionArea = document.getElementById('connection')!;
  const showConnection = () => {
    if (connection.connected) {
      replace(connectionArea, connectedAs, forget);
      replace(connectedAs, 'Store ', h('code', {}, connection.storeId), ' at ', h('code', {}, config.apiUrl));
    } else {
      replace(connectionArea, connectForm);
    }
  };
  connectForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    announce('Connecting…');
    try {
      await connection.connect(storeInput.value.trim(), keyInput.value.trim());
      keyInput.value = '';
      announce('Connected.');
      showConnection();
      void render();
    } catch (error) {
      announce(`Could not connect: ${describeError(error)}`);
    }
  });
  forget.addEventListener('click', () => {
    connection.forget();
    showConnection();
    void render();
  });

  let rendering = 0;
  const render = async () => {
    const ticket = ++rendering;
    const hash = location.hash === '#main' ? 'sessions' : location.hash.replace(/^#\/?/, '') || 'sessions';
    const [path = '', search = ''] = hash.split('?', 2);
    const [name = 'sessions', ...rest] = path.split('/');
    const route = ROUTES[name] ?? ROUTES.sessions!;
    for (const item of nav.querySelectorAll('a')) {
      if (item.getAttribute('href') === `#/${name}`) item.setAttribute('aria-current', 'page');
      else item.removeAttribute('aria-current');
    }
    if (!connection.connected) {
      replace(
        main,
        h('h2', { id: 'view-title', tabindex: '-1' }, 'Connect'),
        h('p', {}, 'Enter a store id and an API key above to browse its memory.'),
      );
      main.dataset.state = 'disconnected';
      return;
    }
    const context: ViewContext = {
      connection,
      segments: rest.map((segment) => decodeURIComponent(segment)),
      query: new URLSearchParams(search),
      announce,
      navigate: (to) => {
        location.hash = to;
      },
    };
    main.dataset.state = 'loading';
    main.setAttribute('aria-busy', 'true');
    try {
      const view = rest.length > 0 && route.one ? route.one : route.list;
      const content = await view(context);
      if (ticket !== rendering) return;
      replace(main, content);
      main.dataset.state = 'ready';
      performance.mark('explorer:rendered');
    } catch (error) {
      if (ticket !== rendering) return;
      replace(
        main,
        h('h2', { id: 'view-title', tabindex: '-1' }, 'Could not load'),
        h('p', { class: 'error', role: 'alert' }, describeError(error)),
      );
      main.dataset.state = 'error';
    } finally {
      if (ticket === rendering) main.removeAttribute('aria-busy');
    }
    // Keyboard and screen-reader users land on the new view's heading, not at the top of the page.
    if (document.activeElement === document.body || document.activeElement?.closest('#main, nav')) {
      (document.getElementById('view-title') as HTMLElement | null)?.focus({ preventScroll: true });
    }
  };

  replace(nav, ...Object.entries(ROUTES).map(([name, route]) => h('a', { href: `#/${name}` }, route.label)));
  showConnection();
  window.addEventListener('hashchange', () => {
    // The skip link jumps to the content; it is not a route.
    if (location.hash === '#main') return main.focus();
    void render();
  });
  await render();
}

start().catch((error: unknown) => {
  const main = document.getElementById('main');
  if (main)
    replace(
      main,
      h('p', { class: 'error', role: 'alert' }, `The explorer could not start: ${describeError(error)}`),
    );
});
