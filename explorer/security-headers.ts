/**
 * The explorer's security headers, defined once: the local server (explorer/server.ts) sends them and
 * the CDK construct (infra/constructs/explorer-site.ts) puts the same policy into CloudFront's
 * response headers policy, so the browser tests exercise the deployed policy.
 *
 * The page is one script file and one stylesheet from its own origin, and talks to the data API
 * only: no inline script or style, nothing else loaded, no framing, no form posts elsewhere.
 */
export function contentSecurityPolicy(apiOrigin: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // The empty favicon (`data:`), so the browser does not ask the server for one.
    "img-src 'self' data:",
    // config.json from the page's origin; every API call to the data API's origin.
    `connect-src 'self' ${apiOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** HSTS: two years (the preload list's minimum is one), subdomains included. */
export const HSTS_SECONDS = 63_072_000;

/** Every header but HSTS, which a plain-HTTP local server must not send (browsers ignore it there anyway). */
export function securityHeaders(apiOrigin: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(apiOrigin),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** The origin of an API URL (`https://abc.execute-api.eu-west-1.amazonaws.com/prod/` → `https://abc…com`). */
export function originOf(url: string): string {
  return new URL(url).origin;
}
