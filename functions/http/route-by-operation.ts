import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type FunctionName, httpRoutes, methodsOf } from '../catalog.js';

/** A route module's handler (an `httpRoute(...)`): API Gateway proxy event in, proxy result out. */
export type RouteHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The handler of a function that serves a resource family's routes (`routes` in
 * functions/catalog.ts): it hands each event to its operation's route module, found by the API
 * Gateway resource path and method the event came in on (either path family). Each route module
 * stays what it was, thin and with its own grant check; grouping a family into one function only
 * saves the function's CloudFormation resources (docs/decisions/0016-iris-paths-and-stack-budget.md).
 *
 * Checked when the module loads: every route of the function has a handler and every handler a
 * route, so a catalog edit that forgets one fails every test that loads the function.
 */
export function routeByOperation(
  fn: FunctionName,
  handlers: Readonly<Record<string, RouteHandler>>,
): RouteHandler {
  const routes = httpRoutes.filter((route) => route.name === fn);
  const byRoute = new Map<string, RouteHandler>();
  for (const route of routes) {
    const handler = handlers[route.operation];
    if (!handler) throw new Error(`${fn}: no handler for operation ${route.operation}`);
    for (const method of methodsOf(route)) byRoute.set(`${method} ${route.path}`, handler);
  }
  const unrouted = Object.keys(handlers).filter(
    (operation) => !routes.some((r) => r.operation === operation),
  );
  if (unrouted.length > 0) throw new Error(`${fn}: handlers without a route: ${unrouted.join(', ')}`);
  return (event, context) => {
    const handler = byRoute.get(`${event.httpMethod} ${event.resource}`);
    // API Gateway invokes a function only on the routes the stack gives it (built from the same
    // catalog): anything else is a deployment out of step with this code.
    if (!handler) throw new Error(`${fn}: no route for ${event.httpMethod} ${event.resource}`);
    return handler(event, context);
  };
}
