/** A small HTTP client for the memory API, used by tests, benchmarks and examples. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are whatever the server sent; callers assert on them
  readonly body: any;
}

export function apiClient(baseUrl: string, apiKey?: string, header: 'bearer' | 'x-api-key' = 'bearer') {
  const request = async (method: string, path: string, body?: unknown, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (apiKey && header === 'bearer') headers.set('authorization', `Bearer ${apiKey}`);
    if (apiKey && header === 'x-api-key') headers.set('x-api-key', apiKey);
    if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const response = await fetch(`${baseUrl}${path}`, {
      ...init,
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed } as ApiResponse;
  };
  return {
    request,
    get: (path: string, init?: RequestInit) => request('GET', path, undefined, init),
    post: (path: string, body?: unknown, init?: RequestInit) => request('POST', path, body, init),
    patch: (path: string, body?: unknown, init?: RequestInit) => request('PATCH', path, body, init),
    delete: (path: string, body?: unknown, init?: RequestInit) => request('DELETE', path, body, init),
  };
}
