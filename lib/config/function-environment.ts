import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The environment of the function running now. On Lambda that is `process.env`: one function per
 * process. The local stack runs every function in one process, so it runs each invocation (and each
 * handler's module load) inside {@link withFunctionEnvironment} with that function's own catalog
 * environment; the configuration and the per-cold-start apps are then that function's alone, and a
 * variable (or need) its catalog entry lacks is missing here too (see lib/config/needs.ts).
 */
const scope = new AsyncLocalStorage<NodeJS.ProcessEnv>();

export function functionEnvironment(): NodeJS.ProcessEnv {
  return scope.getStore() ?? process.env;
}

/** Runs `run` (and everything it starts) as the function whose environment is `env`. */
export function withFunctionEnvironment<T>(env: NodeJS.ProcessEnv, run: () => T): T {
  return scope.run(env, run);
}

/**
 * A value made once per function environment (on Lambda: once per process), e.g. the parsed
 * configuration or a cold-start app: the local stack's functions each get their own.
 */
export function perFunctionEnvironment<T>(make: (env: NodeJS.ProcessEnv) => T): () => T {
  const made = new WeakMap<NodeJS.ProcessEnv, T>();
  return () => {
    const env = functionEnvironment();
    if (!made.has(env)) made.set(env, make(env));
    return made.get(env) as T;
  };
}
