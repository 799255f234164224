import type { HttpRequest, HttpRouteResult } from './http-request.js';

/**
 * A route's request as a web `Request`, for libraries that speak the Fetch API (the MCP SDK's web
 * transport). The origin is the Host header's; it only matters to code that checks it.
 */
export function toWebRequest(request: HttpRequest): Request {
  const url = new URL(request.path, `https://${request.header('host') ?? 'localhost'}`);
  for (const [name, value] of Object.entries(request.query)) url.searchParams.set(name, value);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.rawBody !== undefined;
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    ...(hasBody ? { body: request.rawBody } : {}),
  });
}

/** A web `Response` as a route result: status, headers and the body as text (no streaming). */
export async function fromWebResponse(response: Response): Promise<HttpRouteResult> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, text: await response.text() };
}
