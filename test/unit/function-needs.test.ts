import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functionEnvironments } from '../../dev/local-stack/function-environments.js';
import { allFunctions, catalog, type FunctionDefinition, type Need } from '../../functions/catalog.js';
import { environmentConfig } from '../../lib/composition/cold-start.js';
import { coreApp } from '../../lib/composition/core-app.js';
import { memoryApp } from '../../lib/composition/memory-app.js';
import { promotionApp } from '../../lib/composition/promotion-app.js';
import { ENV } from '../../lib/config/env-names.js';
import { withFunctionEnvironment } from '../../lib/config/function-environment.js';
import { DEFAULT_EXTRACTION_MODEL } from '../../lib/config/runtime-config.js';
import { promotionJob } from '../../lib/contracts/promotion-message.js';

/**
 * The local stack runs every handler with only its own catalog environment (issue 14): a function
 * whose catalog entry lacks a need cannot use it locally, as it could not on AWS (no grant there).
 * These tests build the environments exactly as the local stack does; nothing here reaches a
 * network (each use fails before its client is built).
 */
const VALUES = {
  upstash: { url: 'http://127.0.0.1:9', token: 'unit-test-token' },
  promotionQueueUrl: 'http://127.0.0.1:9/000000000000/promotion',
  viewRefreshQueueUrl: 'http://127.0.0.1:9/000000000000/views',
  documentQueueUrl: 'http://127.0.0.1:9/000000000000/documents',
  embedding: { provider: 'bedrock-titan', modelId: undefined, dimensions: 1024 },
  extraction: { provider: 'bedrock', modelId: DEFAULT_EXTRACTION_MODEL },
  usagePlans: { idsJson: '{"standard":"plan0001"}', defaultPlan: 'standard' },
  region: 'us-east-1',
} as const;

/** A fresh environment (so a fresh cold start) of `name`, or of its entry with `without` removed. */
function environmentOf(name: keyof typeof catalog, without?: Need): NodeJS.ProcessEnv {
  const { needs } = catalog[name] as FunctionDefinition;
  const env = functionEnvironments(VALUES).get(name)!;
  if (without === undefined) return { ...env };
  // What the local stack would pass if the catalog entry lacked the need.
  const reduced = { ...catalog[name], needs: needs.filter((need) => need !== without) };
  return { ...functionEnvironmentsOf(reduced) };
}

function functionEnvironmentsOf(definition: FunctionDefinition): NodeJS.ProcessEnv {
  const byName = functionEnvironments(VALUES, [definition]);
  return byName.get(definition.name)!;
}

const message = promotionJob({ storeId: 'store-a', sessionId: 'session-a', windowStartedAt: 0, dueAt: 0 });

describe('a function uses only what its catalog entry declares', () => {
  it('fails an embedding call from a function without `embedding`, naming the need', async () => {
    // Prepare: get-memory builds the memory app (records, indexes) but never embeds.
    const env = environmentOf('get-memory');
    expect(catalog['get-memory'].needs).not.toContain('embedding');

    // Act
    const embed = withFunctionEnvironment(env, async () => (await memoryApp()).embedder.embedQuery('hello'));

    // Assess
    await expect(embed).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(/embedding text needs 'embedding'.*functions\/catalog\.ts/),
    });
  });

  it('fails the same call from search-memories once its entry loses `embedding`', async () => {
    const env = environmentOf('search-memories', 'embedding');

    const embed = withFunctionEnvironment(env, async () => (await memoryApp()).embedder.embedQuery('hello'));

    await expect(embed).rejects.toThrow(/needs 'embedding'/);
    // With the need, the variables are there and the check passes (the call itself is not made here).
    const config = withFunctionEnvironment(environmentOf('search-memories'), () => environmentConfig());
    expect(config.needs.has('embedding')).toBe(true);
  });

  it('fails a promotion-job send from a function without `queue:send`', async () => {
    const env = environmentOf('add-session-event', 'queue:send');

    const send = withFunctionEnvironment(env, async () =>
      (await coreApp()).promotionQueue.enqueue(message, 0),
    );

    await expect(send).rejects.toThrow(/sending a promotion job needs 'queue:send'/);
    expect(env).not.toHaveProperty(ENV.promotionQueueUrl);
  });

  it('fails extraction in a consumer whose entry lacks `extraction`', async () => {
    const env = environmentOf('promotion-consumer', 'extraction');

    const extract = withFunctionEnvironment(env, async () =>
      (await promotionApp()).extractor.extract({ turns: [] } as never),
    );

    await expect(extract).rejects.toThrow(/extracting memories needs 'extraction'/);
  });

  it('stops at init when a declared need lacks its variable, naming the variable', () => {
    const env = environmentOf('add-session-event');
    delete env[ENV.promotionQueueUrl];

    expect(() => withFunctionEnvironment(env, () => environmentConfig())).toThrow(
      /PROMOTION_QUEUE_URL must be set/,
    );
  });

  it('reads only the variables of declared needs', () => {
    const env = { ...environmentOf('get-memory'), [ENV.embeddingProvider]: 'bedrock-cohere' };

    const config = withFunctionEnvironment(env, () => environmentConfig());

    // Not read: the defaults stand (the model a vector index is keyed by).
    expect(config.embedding.provider).toBe('bedrock-titan');
    expect(config.promotionQueueUrl).toBeUndefined();
  });

  it('builds one app per function environment, as each Lambda has its own cold start', async () => {
    const [a, b] = await Promise.all([
      withFunctionEnvironment(environmentOf('sessions'), () => coreApp()),
      withFunctionEnvironment(environmentOf('add-session-event'), () => coreApp()),
    ]);

    expect(a).not.toBe(b);
    expect(a.config.promotionQueueUrl).toBeUndefined();
    expect(b.config.promotionQueueUrl).toBe(VALUES.promotionQueueUrl);
  });
});

describe('the catalog is consistent with the code it describes', () => {
  const APP_EXPORTS: Readonly<Record<string, string>> = {
    core: 'coreApp',
    memory: 'memoryApp',
    promotion: 'promotionApp',
    admin: 'adminApp',
    maintenance: 'maintenanceApp',
  };

  /** The entry's source, and for a function serving several routes those of its route modules. */
  const handlerSource = (entry: string): string => {
    const source = readFileSync(new URL(`../../${entry}`, import.meta.url), 'utf8');
    if (!source.includes('routeByOperation(')) return source;
    const dir = entry.slice(0, entry.lastIndexOf('/') + 1);
    const modules = [...source.matchAll(/\{ handler as \w+ \} from '(\.\/[^']+)\.js'/g)].map((m) => m[1]!);
    expect(modules.length, entry).toBeGreaterThan(1);
    return modules
      .map((module) => readFileSync(new URL(`../../${dir}${module.slice(2)}.ts`, import.meta.url), 'utf8'))
      .join('\n');
  };

  it("names the composition level each handler builds (the handler's own import)", () => {
    for (const fn of allFunctions) {
      const source = handlerSource(fn.entry);
      const built = [...source.matchAll(/\b(core|memory|promotion|admin|maintenance)App\b/g)].map(
        (match) => match[1],
      );
      const levels = new Set(built);
      expect([...levels], fn.name).toEqual(fn.app === 'none' ? [] : [fn.app]);
      if (fn.app !== 'none') expect(source, fn.name).toContain(APP_EXPORTS[fn.app]);
    }
  });

  it('pairs triggers and needs: each queue trigger with its consume need, an app with data', () => {
    for (const fn of allFunctions) {
      const queue = fn.trigger.kind === 'queue' ? fn.trigger.queue : undefined;
      expect(queue === 'promotion', fn.name).toBe(fn.needs.includes('queue:consume'));
      expect(queue === 'documents', fn.name).toBe(fn.needs.includes('documents:consume'));
      expect(queue === 'view-refresh', fn.name).toBe(fn.needs.includes('view-queue:consume'));
      expect(fn.app !== 'none', fn.name).toBe(fn.needs.includes('data'));
      if (fn.app === 'promotion') expect(fn.needs, fn.name).toContain('extraction');
    }
  });
});
