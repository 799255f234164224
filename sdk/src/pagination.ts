/** A page of a listing: the service's `nextPageToken` is absent on the last page. */
export interface PageLike {
  readonly nextPageToken?: string | undefined;
}

/**
 * Walks every page from `pageToken` (or the first page) and yields each item. Stops on the last
 * page; a service answering the same token twice ends the walk with an error instead of looping.
 */
export async function* paginate<P extends PageLike, T>(
  fetchPage: (pageToken: string | undefined) => Promise<P>,
  itemsOf: (page: P) => readonly T[],
  pageToken?: string,
): AsyncGenerator<T, void, undefined> {
  let token = pageToken;
  for (;;) {
    const page = await fetchPage(token);
    yield* itemsOf(page);
    const next = page.nextPageToken;
    if (!next) return;
    if (next === token) throw new Error('The service returned the same page token twice');
    token = next;
  }
}
