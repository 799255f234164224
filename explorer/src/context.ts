import type { Connection } from './connection.js';

/** What a view gets: the connection, the route's parameters, and a way to announce results. */
export interface ViewContext {
  readonly connection: Connection;
  /** Path segments after the view's name (`#/memories/m-1` → `['m-1']`), decoded. */
  readonly segments: readonly string[];
  /** The route's query (`#/memories?ownerId=u` → ownerId=u). */
  readonly query: URLSearchParams;
  /** Announces a short message in the page's live region (screen readers read it). */
  announce(message: string): void;
  /** Goes to another route (hash). */
  navigate(route: string): void;
}

export type View = (context: ViewContext) => Promise<Node>;

/** A route with its query: `#/memories?ownerId=u`. Empty values are left out. */
export function routeWith(path: string, query: Readonly<Record<string, string | undefined>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
