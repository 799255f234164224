import { ForbiddenError } from '../../../lib/domain/errors.js';
import type { ViewCaller } from '../../../lib/use-cases/summary-views/view-deps.js';
import type { HttpRequest } from '../http-route.js';

/** The caller's principal, which owns the views it creates and sees its private ones. */
export function viewCaller(request: HttpRequest): ViewCaller {
  // The authorizer always sets it; without one the caller cannot be told apart from other keys.
  if (!request.principal) throw new ForbiddenError('This API key has no principal to own summary views');
  return { principal: request.principal };
}
