import { randomUUID } from 'node:crypto';
import { Redis as IORedis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisInstance, startRedis } from '../../dev/local-stack/redis-server.js';
import { startUpstashRestServer, type UpstashRestServer } from '../../dev/local-stack/upstash/server.js';
import {
  indexKeys,
  keywordKeys,
  memoryKeys,
  namespaceKeys,
  partitionTag,
  type SessionIndexSort,
  sessionKeys,
  storeKeys,
  storePrefix,
  systemKeys,
} from '../../lib/adapters/upstash/keys.js';
import { createUpstashRedis } from '../../lib/adapters/upstash/redis-client.js';
import * as scripts from '../../lib/adapters/upstash/scripts/generated.js';
import { UpstashKeywordIndex } from '../../lib/adapters/upstash/upstash-keyword-index.js';
import { UpstashMemoryRecordStore } from '../../lib/adapters/upstash/upstash-memory-record-store.js';
import { UpstashPromotionLedger } from '../../lib/adapters/upstash/upstash-promotion-ledger.js';
import { UpstashApiKeyRegistry, UpstashStoreRegistry } from '../../lib/adapters/upstash/upstash-registry.js';
import { UpstashSessionStore } from '../../lib/adapters/upstash/upstash-session-store.js';
import type { StoredMemory } from '../../lib/contracts/long-term-memory.js';
import { promotionJob } from '../../lib/contracts/promotion-message.js';
import type { SessionEvent } from '../../lib/contracts/session-memory.js';
import { storeConfigSchema } from '../../lib/contracts/store-config.js';
import { hashApiKey } from '../../lib/domain/api-key.js';
import { newEventId } from '../../lib/domain/ids.js';
import type { ApiKeyRecord } from '../../lib/ports/registry.js';
import { expandLua, repoPath } from '../../scripts/lua/render.js';

/**
 * The Lua scripts build some keys themselves from a store prefix (owner indexes, session meta,
 * records, partition bookkeeping: scripts/includes/keys.lua), the rest come from keys.ts. These
 * tests fail when a key shape changes on one side only:
 * 1. each Lua key builder, evaluated in Redis, gives the key its keys.ts twin gives;
 * 2. every key any script touches while the adapters run (seen through MONITOR, named by
 *    COMMAND GETKEYS) is one keys.ts builds for the ids involved, and the derived ones are touched.
 */

let redis: RedisInstance;
let upstash: UpstashRestServer;
let raw: IORedis;

beforeAll(async () => {
  redis = await startRedis();
  upstash = await startUpstashRestServer({ redisUrl: redis.url, token: 'test-token' });
  raw = new IORedis(redis.url);
});
afterAll(async () => {
  raw?.disconnect();
  await upstash?.stop();
  await redis?.stop();
});

const SORTS: readonly SessionIndexSort[] = ['created', 'updated', 'lex'];

describe('Lua key shapes', () => {
  it('each builder of includes/keys.lua gives the key keys.ts gives for the same ids', async () => {
    const keysLua = expandLua(repoPath('lib/adapters/upstash/scripts/includes/keys.lua'));
    const storeId = 'Store-shape-1';
    const prefix = storePrefix(storeId);
    const cases: Array<[lua: string, args: string[], expected: string]> = [];
    for (const sort of SORTS) {
      cases.push([
        'session_index_key(ARGV[1], ARGV[2])',
        [prefix, sort],
        storeKeys.sessionIndex(storeId, sort),
      ]);
      cases.push([
        'owner_session_index_key(ARGV[1], ARGV[2], ARGV[3])',
        [prefix, 'owner-7', sort],
        storeKeys.ownerSessionIndex(storeId, 'owner-7', sort),
      ]);
    }
    const sessionSuffixes = [
      'meta',
      'events',
      'order',
      'promotion',
      'promotion-parked',
      'promotion-lock',
    ] as const;
    const sessionBuilders = [
      sessionKeys.meta,
      sessionKeys.events,
      sessionKeys.order,
      sessionKeys.promotion,
      sessionKeys.promotionParked,
      sessionKeys.promotionLock,
    ];
    for (const [i, suffix] of sessionSuffixes.entries()) {
      cases.push([
        'session_key(ARGV[1], ARGV[2], ARGV[3])',
        [prefix, 'sess-1', suffix],
        sessionBuilders[i]!(storeId, 'sess-1'),
      ]);
    }
    cases.push(['record_key(ARGV[1], ARGV[2])', [prefix, 'mem-1'], memoryKeys.record(storeId, 'mem-1')]);
    cases.push([
      'owner_records_key(ARGV[1], ARGV[2])',
      [prefix, 'owner-7'],
      memoryKeys.ownerByCreated(storeId, 'owner-7'),
    ]);
    cases.push(['partitions_key(ARGV[1])', [prefix], memoryKeys.partitions(storeId)]);
    cases.push(['partition_counts_key(ARGV[1])', [prefix], memoryKeys.partitionCounts(storeId)]);
    cases.push([
      'namespace_key(ARGV[1], ARGV[2])',
      [prefix, 'ns-1'],
      namespaceKeys.namespace(storeId, 'ns-1'),
    ]);
    cases.push([
      'namespace_members_key(ARGV[1], ARGV[2])',
      [prefix, 'ns-1'],
      namespaceKeys.members(storeId, 'ns-1'),
    ]);
    cases.push([
      'namespace_children_key(ARGV[1], ARGV[2])',
      [prefix, 'ns-1'],
      namespaceKeys.children(storeId, 'ns-1'),
    ]);
    cases.push([
      'namespace_personal_roots_key(ARGV[1], ARGV[2])',
      [prefix, 'owner-7'],
      namespaceKeys.personalRoots(storeId, 'owner-7'),
    ]);
    cases.push(['namespace_shared_roots_key(ARGV[1])', [prefix], namespaceKeys.sharedRoots(storeId)]);
    for (const namespace of ['Travel-Plans', 'notes', undefined]) {
      cases.push([
        namespace === undefined ? 'partition_tag(ARGV[1], nil)' : 'partition_tag(ARGV[1], ARGV[2])',
        namespace === undefined ? ['owner-7'] : ['owner-7', namespace],
        partitionTag({ storeId, ownerId: 'owner-7', namespace }),
      ]);
    }
    // A JSON null namespace (a record decoded by cjson) is no namespace, as undefined is.
    cases.push([
      'partition_tag(ARGV[1], cjson.decode(\'{"n":null}\').n)',
      ['owner-7'],
      partitionTag({ storeId, ownerId: 'owner-7', namespace: undefined }),
    ]);

    for (const [lua, args, expected] of cases) {
      const got = await raw.eval(`${keysLua}return ${lua}`, 0, ...args);
      expect(got, lua).toBe(expected);
    }
  });

  it('every key the scripts touch while the adapters run is one keys.ts builds', async () => {
    const client = createUpstashRedis({ url: upstash.url, token: upstash.token });
    const sessions = new UpstashSessionStore(client);
    const records = new UpstashMemoryRecordStore(client);
    const ledger = new UpstashPromotionLedger(client);
    const stores = new UpstashStoreRegistry(client);
    const apiKeys = new UpstashApiKeyRegistry(client);
    const keywords = new UpstashKeywordIndex(client);

    const storeId = `shape-${randomUUID().slice(0, 8)}`;
    const owners = ['owner-a', 'owner-b'];
    const sessionIds = ['sess-1', 'sess-2'];
    const memoryIds = ['mem-1', 'mem-2', 'mem-3'];
    const day = '2026-12-07';
    const now = Date.now();

    // Everything keys.ts builds for these ids.
    const expected = new Set<string>([
      storeKeys.config(storeId),
      storeKeys.sessionExpiry(storeId),
      storeKeys.sessionOwners(storeId),
      storeKeys.promotionDue(storeId),
      storeKeys.usage(storeId),
      storeKeys.sessionUsage(storeId),
      storeKeys.extractionTokens(storeId, day),
      ...SORTS.map((sort) => storeKeys.sessionIndex(storeId, sort)),
      ...owners.flatMap((owner) => SORTS.map((sort) => storeKeys.ownerSessionIndex(storeId, owner, sort))),
      ...sessionIds.flatMap((sid) =>
        [
          sessionKeys.meta,
          sessionKeys.events,
          sessionKeys.order,
          sessionKeys.promotion,
          sessionKeys.promotionParked,
          sessionKeys.promotionLock,
        ].map((key) => key(storeId, sid)),
      ),
      ...memoryIds.map((id) => memoryKeys.record(storeId, id)),
      memoryKeys.byCreated(storeId),
      ...owners.map((owner) => memoryKeys.ownerByCreated(storeId, owner)),
      memoryKeys.expiry(storeId),
      memoryKeys.accessed(storeId),
      memoryKeys.partitions(storeId),
      memoryKeys.partitionCounts(storeId),
    ]);
    const keywordPartition = { storeId, ownerId: 'owner-a', namespace: 'Notes' };
    const keywordPrefix = indexKeys.keywordPrefix(keywordPartition);
    expected.add(keywordKeys.docs(keywordPrefix));
    expected.add(keywordKeys.stats(keywordPrefix));
    const isTermKey = (key: string) =>
      key.startsWith(keywordKeys.termPrefix(keywordPrefix)) &&
      /^[\p{L}\p{N}\p{M}]+$/u.test(key.slice(keywordKeys.termPrefix(keywordPrefix).length));

    const touched = await scriptKeysDuring(async () => {
      await stores.putStore({
        storeId,
        name: storeId,
        createdAt: new Date(now).toISOString(),
        config: storeConfigSchema.parse({}),
      });
      const stored = await stores.getStore(storeId);
      expect(await stores.replaceStore(stored!, { ...stored!, name: 'renamed' })).toBe('replaced');

      // Sessions: create (two owners), append again, idempotent append, replay, summary, list, delete.
      for (const [i, sid] of sessionIds.entries()) {
        const result = await sessions.appendEvent({
          storeId,
          event: event(sid, owners[i]!, now),
          namespace: 'Notes',
          now,
        });
        expect(result.status).toBe('appended');
      }
      const second = event('sess-1', owners[0]!, now + 1);
      const idempotency = { key: 'idem-1', requestHash: 'abc123' };
      await sessions.appendEvent({ storeId, event: second, namespace: 'Notes', now: now + 1, idempotency });
      expect(
        await sessions.appendEvent({
          storeId,
          event: event('sess-1', owners[0]!, now + 2),
          namespace: 'Notes',
          now: now + 2,
          idempotency,
        }),
      ).toEqual({ status: 'replayed', eventId: second.eventId, requestHash: 'abc123' });
      await sessions.getSession(storeId, 'sess-1');
      await sessions.setSummary(storeId, 'sess-1', {
        text: 'a summary',
        summarizedUpToEventId: second.eventId,
        createdAt: new Date(now).toISOString(),
        updatedAt: new Date(now).toISOString(),
        metadata: {},
        summarizedEvents: 2,
      });
      for (const sortBy of ['sessionId', 'createdAt', 'updatedAt'] as const) {
        await sessions.listSessionRows({
          storeId,
          ownerId: owners[0],
          offset: 0,
          limit: 10,
          now,
          sortBy,
          sortOrder: 'desc',
        });
      }
      await sessions.deleteEvent(storeId, 'sess-1', second.eventId, now + 3);

      // Promotion ledger on sess-1.
      await ledger.acquireLock(storeId, 'sess-1', 'holder', 60_000);
      await ledger.releaseLock(storeId, 'sess-1', 'holder');
      await ledger.recordJobReceived(
        promotionJob({ storeId, sessionId: 'sess-1', windowStartedAt: now, dueAt: now + 300_000 }),
        now,
      );
      await ledger.recordFailure(storeId, 'sess-1', {
        code: 'E',
        now,
        inputTokens: 1,
        outputTokens: 1,
        batchFirstEventId: second.eventId,
      });
      await ledger.commitRun(storeId, 'sess-1', {
        watermarkEventId: second.eventId,
        park: {
          firstEventId: second.eventId,
          lastEventId: second.eventId,
          events: 1,
          failures: 3,
          lastErrorCode: 'E',
          parkedAt: now,
        },
        processedEvents: 1,
        inputTokens: 1,
        outputTokens: 1,
        memoriesWritten: 0,
        conversationRecordsWritten: 0,
        now,
      });
      await ledger.addStoreTokens(storeId, day, 10);

      // Long-term records: create across owners and namespaces, move one, page, read, delete all.
      const created = await records.createMany(storeId, [
        memory('mem-1', 'owner-a', 'Notes', now),
        memory('mem-2', 'owner-a', undefined, now),
        memory('mem-3', 'owner-b', 'Travel', now),
      ]);
      expect(created).toEqual(['created', 'created', 'created']);
      const moved = { ...memory('mem-2', 'owner-b', 'Work', now), updatedAt: now + 1 };
      expect(await records.replace(storeId, moved, now)).toBe('replaced');
      await records.scanByCreated(storeId, { ownerId: 'owner-a', offset: 0, count: 10, now });
      await records.scanByCreated(storeId, { ownerId: undefined, offset: 0, count: 10, now });
      await records.readAndTouch(storeId, 'mem-1', now);
      await records.deleteMany(storeId, ['mem-3']);
      await records.deleteMany(storeId, ['mem-1', 'mem-2']);

      // Keyword index of one partition.
      await keywords.upsert(keywordPartition, [{ id: 'mem-1', text: 'Sushi in Kyoto' }]);
      await keywords.query([keywordPartition], 'sushi', 5);
      await keywords.remove(keywordPartition, ['mem-1']);

      // Expiry sweep (far in the future), then delete what is left.
      await sessions.listSessionIds({
        storeId,
        ownerId: undefined,
        offset: 0,
        limit: 10,
        now: now + 10 ** 10,
      });
      await sessions.deleteSession(storeId, 'sess-2');
    });

    // API keys are system keys (no store prefix): their own run, their own set.
    const keyIds = [`${'0'.repeat(31)}1`, `${'0'.repeat(31)}2`];
    const tokens = ['token-one', 'token-two'];
    const systemExpected = new Set([
      ...tokens.map((token) => systemKeys.apiKey(hashApiKey(token))),
      ...keyIds.map((id) => systemKeys.apiKeyHash(id)),
      systemKeys.apiKeyIds(),
      systemKeys.apiKeyExpiry(),
    ]);
    const systemTouched = await scriptKeysDuring(async () => {
      const first = apiKey(keyIds[0]!, storeId, now);
      await apiKeys.putKey(tokens[0]!, first);
      const renamed = { ...first, name: 'renamed', expiresAt: Math.floor(now / 1000) + 3600 };
      expect(await apiKeys.updateKey(first, renamed)).toBe('replaced');
      const replacement = apiKey(keyIds[1]!, storeId, now);
      expect(
        await apiKeys.putRotation(tokens[1]!, { ...replacement, rotatedFrom: keyIds[0] }, renamed, {
          ...renamed,
          rotatedTo: keyIds[1],
        }),
      ).toBe('replaced');
    });

    const unexpected = [...touched].filter((key) => !expected.has(key) && !isTermKey(key));
    expect(unexpected, 'keys touched by scripts that keys.ts does not build').toEqual([]);
    expect([...systemTouched].filter((key) => !systemExpected.has(key))).toEqual([]);

    // The keys the scripts derive from the prefix (includes/keys.lua) were touched, under their keys.ts names.
    const derived = [
      ...SORTS.map((sort) => storeKeys.sessionIndex(storeId, sort)),
      ...owners.flatMap((owner) => SORTS.map((sort) => storeKeys.ownerSessionIndex(storeId, owner, sort))),
      ...sessionIds.map((sid) => sessionKeys.meta(storeId, sid)),
      ...memoryIds.map((id) => memoryKeys.record(storeId, id)),
      ...owners.map((owner) => memoryKeys.ownerByCreated(storeId, owner)),
      memoryKeys.partitions(storeId),
      memoryKeys.partitionCounts(storeId),
      `${keywordKeys.termPrefix(keywordPrefix)}sushi`,
    ];
    expect(
      derived.filter((key) => !touched.has(key)),
      'derived keys never touched',
    ).toEqual([]);
    // The rotation script writes the replacement's id pointer (the first key's came from a MULTI).
    const systemScripted = [...systemExpected].filter((key) => key !== systemKeys.apiKeyHash(keyIds[0]!));
    expect(systemScripted.filter((key) => !systemTouched.has(key))).toEqual([]);

    // Partition tags: records enter under keys.ts partitionTag and leave under the tag the scripts
    // compute from the record (includes/keys.lua); had they differed, counts would be left over.
    expect(await raw.exists(memoryKeys.partitionCounts(storeId), memoryKeys.partitions(storeId))).toBe(0);
  });

  it("pins SHA-1s that Redis computes for the scripts' text", async () => {
    for (const script of Object.values(scripts)) {
      expect(await raw.script('LOAD', script.source), script.name).toBe(script.sha1);
    }
  });
});

/**
 * The keys of every command a script ran during `run` (MONITOR marks them `lua`), each command's
 * keys named by Redis itself (COMMAND GETKEYS).
 */
async function scriptKeysDuring(run: () => Promise<void>): Promise<Set<string>> {
  const commands: string[][] = [];
  const monitor = await raw.monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua') commands.push(args);
  });
  try {
    await run();
    // MONITOR lines arrive asynchronously: a marker command flushes what came before.
    const marker = `marker-${randomUUID()}`;
    const seen = new Promise<void>((resolve) =>
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[1] === marker) resolve();
      }),
    );
    await raw.echo(marker);
    await seen;
  } finally {
    monitor.disconnect();
  }
  const keys = new Set<string>();
  for (const args of commands) {
    const found = (await raw.call('COMMAND', 'GETKEYS', ...args).catch(() => [])) as string[];
    for (const key of found) keys.add(key);
  }
  expect(commands.length).toBeGreaterThan(0);
  return keys;
}

function event(sessionId: string, actorId: string, now: number): SessionEvent {
  return {
    eventId: newEventId(now),
    actorId,
    sessionId,
    role: 'USER',
    content: [{ text: 'hello' }],
    createdAt: new Date(now).toISOString(),
    systemTimestamp: new Date(now).toISOString(),
  };
}

function memory(id: string, ownerId: string, namespace: string | undefined, now: number): StoredMemory {
  return {
    id,
    text: `memory ${id}`,
    memoryType: 'fact',
    ownerId,
    ...(namespace ? { namespace } : {}),
    topics: [],
    createdAt: now,
    updatedAt: now,
    expiresAt: now + 86_400_000,
    embeddingModel: 'test',
    contentHash: id,
  };
}

function apiKey(keyId: string, storeId: string, now: number): ApiKeyRecord {
  return {
    keyId,
    name: 'key',
    grants: [{ resourceType: 'mem-store', resourceId: storeId, actions: ['read'] }],
    createdAt: Math.floor(now / 1000),
    expiresAt: 0,
    plan: 'default',
  };
}
