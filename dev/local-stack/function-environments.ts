import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allFunctions, type FunctionDefinition } from '../../functions/catalog.js';
import { ENV } from '../../lib/config/env-names.js';
import { withFunctionEnvironment } from '../../lib/config/function-environment.js';
import { environmentForNeeds, type NeedValues } from '../../lib/config/needs.js';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Each function's own environment, as the CDK stack would set it: the variables of its catalog needs
 * (lib/config/needs.ts), `FUNCTION_NEEDS` and Lambda's `AWS_REGION`. The local stack runs every
 * function in one process; each invocation (and its module's init) runs with its own environment
 * (lib/config/function-environment.ts), so a function whose catalog entry lacks a need finds neither
 * the variables nor the use: it fails here as it would on AWS, only with a clearer message.
 *
 * What stays in `process.env` is what is not a need: the SDK's endpoints and credentials (the
 * platform), and the triggers' settings that functions/http reads itself (CORS, the authorizer's
 * key cache).
 */
export function functionEnvironments(
  values: NeedValues & { readonly region: string },
  functions: readonly Pick<FunctionDefinition, 'name' | 'needs'>[] = allFunctions,
): ReadonlyMap<string, NodeJS.ProcessEnv> {
  return new Map(
    functions.map((fn) => [
      fn.name,
      { ...environmentForNeeds(fn.needs, values), [ENV.region]: values.region },
    ]),
  );
}

/**
 * Loads a function's handler inside its own environment (module init included) and returns it
 * wrapped so every invocation runs inside it too.
 */
export async function loadFunction<H extends (...args: never[]) => Promise<unknown>>(
  definition: Pick<FunctionDefinition, 'name' | 'entry'>,
  environments: ReadonlyMap<string, NodeJS.ProcessEnv>,
): Promise<H> {
  const env = environments.get(definition.name);
  if (!env) throw new Error(`${definition.name} has no environment: is it in functions/catalog.ts?`);
  const handler = await withFunctionEnvironment(env, () => loadExport<H>(definition.entry));
  return ((...args: Parameters<H>) => withFunctionEnvironment(env, () => handler(...args))) as H;
}

async function loadExport<T>(entry: string, name = 'handler'): Promise<T> {
  const module = (await import(pathToFileURL(resolve(ROOT, entry)).href)) as Record<string, unknown>;
  const value = module[name];
  if (typeof value !== 'function') throw new Error(`${entry} does not export a function named ${name}`);
  return value as T;
}
