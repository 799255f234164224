import { parseArgs } from 'node:util';
import { startLocalStack } from '../dev/local-stack/local-stack.js';
import { createMemoryApp, type MemoryApp } from '../lib/composition/memory-app.js';
import { loadRuntimeConfig } from '../lib/config/runtime-config.js';
import type { StoredMemory } from '../lib/contracts/long-term-memory.js';
import { conversationRecords, type ScreenedTurn } from '../lib/domain/conversation-records.js';
import { newEventId } from '../lib/domain/ids.js';
import {
  contextualize,
  fuse,
  HYBRID_RANKING,
  type IndexHit,
  type RankingParams,
  SEQ_PER_MS,
} from '../lib/domain/ranking.js';
import { contentHash } from '../lib/domain/records/content-hash.js';
import type { VectorPartition } from '../lib/ports/vector-index.js';
import { embedQueryText, embedTexts } from '../lib/use-cases/long-term/indexing.js';
import { formatTable } from '../scripts/format-table.js';
import { ownerIdOf, plainRecords, planSessions, SPLITS } from './recall/plan.js';
import { benchQuestions } from './recall/score.js';
import { cachedUseLite, selectConversations } from './retrieval/harness.js';
import { loadLocomo } from './retrieval/locomo.js';
import { breakdown, type QuestionOutcome } from './retrieval/metrics.js';

/**
 * `npx tsx bench/tune-ranking.ts`: how the hybrid ranking's constants and the way conversation
 * records are indexed move turn recall, tuned on the tune split and reported on the held-out split
 * (bench/recall/plan.ts SPLITS), never on the questions' labels beyond the score.
 *
 * In-process against the local stack's Redis (the production adapters): each conversation is
 * written as conversation records exactly as promotion builds them (lib/domain/conversation-records)
 * and, in a second index, as a plain client's "Speaker: text" records. Each question's candidates
 * (the two indexes' top `depth`) are read once; every ranking variant is then scored on the same
 * candidates, so a grid costs seconds. Prints one row per (records, variant); writes nothing.
 */
const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string' },
    'index-context': { type: 'string', default: '0,1' },
  },
});
const log = (line: string) => process.stderr.write(`[tune-ranking] ${line}\n`);
process.env.LOG_LEVEL ??= 'warn';

const conversations = selectConversations(await loadLocomo(), args.conversations);
const stack = await startLocalStack({
  runConsumer: false,
  apiKeyCacheSeconds: 60,
  bedrockBaseEmbedder: cachedUseLite(),
  onProgress: log,
});

type Candidate = { vector: IndexHit[]; keyword: IndexHit[]; records: Map<string, StoredMemory> };
const DEPTH = HYBRID_RANKING.depth;

try {
  const app = createMemoryApp(loadRuntimeConfig());
  const questions = benchQuestions(conversations);
  const indexContexts = args['index-context']!.split(',').map(Number);
  const corpora: Array<{ name: string; storeId: string; turnOf: (ref: string) => string | undefined }> = [];
  for (const previous of indexContexts) {
    const storeId = `tune-conv-${previous}`;
    await stack.createStore(storeId);
    corpora.push({
      name: `conversation, +${previous} before`,
      storeId,
      turnOf: await writeConversation(app, storeId, previous),
    });
  }
  await stack.createStore('tune-plain');
  corpora.push({ name: 'plain client', storeId: 'tune-plain', turnOf: await writePlain(app, 'tune-plain') });

  const variants: Array<{ name: string; params: RankingParams }> = [];
  for (const keywordWeight of [0.4, 0.5, 0.6, 0.7]) {
    for (const contextWeights of [[], [0.2, 0.1], [0.4, 0.2, 0.1], [0.6, 0.3, 0.15], [0.4, 0.3, 0.2, 0.1]]) {
      for (const sessionWeight of [0, 0.1, 0.2]) {
        variants.push({
          name: `kw ${keywordWeight} ctx [${contextWeights.join(' ')}] sess ${sessionWeight}`,
          params: { depth: DEPTH, keywordWeight, contextWeights, sessionWeight },
        });
      }
    }
  }

  const rows: string[][] = [];
  for (const corpus of corpora) {
    log(`${corpus.name}: reading candidates for ${questions.length} questions`);
    const candidates = new Map<(typeof questions)[number], Candidate>();
    for (const q of questions) {
      const partition: VectorPartition = {
        storeId: corpus.storeId,
        ownerId: q.ownerId,
        namespace: undefined,
      };
      const vector = await embedQueryText(app.embedder, q.question);
      const [vectorHits, keywordHits] = await Promise.all([
        app.vectors.query([partition], vector, DEPTH),
        app.keywords.query([partition], q.question, DEPTH),
      ]);
      const ids = [...new Set([...vectorHits, ...keywordHits].map((h) => h.id))];
      const found = await app.records.getMany(corpus.storeId, ids, Date.now());
      candidates.set(q, {
        vector: vectorHits,
        keyword: keywordHits,
        records: new Map(found.filter((r): r is StoredMemory => r !== undefined).map((r) => [r.id, r])),
      });
    }
    const scored = variants.map((variant) => {
      const outcomes = (split: readonly string[]) =>
        questions
          .filter((q) => split.includes(q.sampleId))
          .map((q): QuestionOutcome => {
            const c = candidates.get(q)!;
            const ranked = contextualize(
              fuse('hybrid', c.vector, c.keyword, c.records, variant.params),
              variant.params,
            );
            return {
              category: q.category,
              evidence: q.evidence,
              retrieved: ranked
                .slice(0, 10)
                .map((r) => (r.record.sourceRefs ?? []).flatMap((ref) => corpus.turnOf(ref) ?? [])),
            };
          });
      const tune = breakdown(outcomes(SPLITS.tune)).all!;
      const held = breakdown(outcomes(SPLITS['held-out']));
      return { variant, tune: tune.turnRecall[10]!, held };
    });
    scored.sort((a, b) => b.tune - a.tune);
    const current = scored.find((s) => s.variant.name === variantName(HYBRID_RANKING))!;
    for (const s of [current, ...scored.slice(0, 8)]) {
      const cat = (n: number) => s.held[String(n)]?.turnRecall[10]?.toFixed(3) ?? '-';
      rows.push([
        corpus.name,
        s === current ? `${s.variant.name} (current)` : s.variant.name,
        s.tune.toFixed(3),
        s.held.all!.turnRecall[10]!.toFixed(3),
        `${cat(1)}/${cat(2)}/${cat(3)}/${cat(4)}`,
      ]);
    }
  }
  console.log(
    formatTable(
      ['records', 'variant (best on tune first)', 'tune R@10', 'held-out R@10', 'held-out by category @10'],
      rows,
    ),
  );
} finally {
  await stack.stop();
}

function variantName(p: RankingParams): string {
  return `kw ${p.keywordWeight} ctx [${p.contextWeights.join(' ')}] sess ${p.sessionWeight}`;
}

/**
 * Conversation records as promotion writes them; the indexes get the turn's text with `previous`
 * turns before it (0 = the turn alone). Returns event id -> turn id.
 */
async function writeConversation(app: MemoryApp, storeId: string, previous: number) {
  const turnOf = new Map<string, string>();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  for (const conversation of conversations) {
    for (const session of planSessions(conversation)) {
      const turns: ScreenedTurn[] = session.events.map((event, position) => {
        const eventId = newEventId(clock++);
        turnOf.set(eventId, event.diaId);
        return {
          eventId,
          role: event.request.role,
          actorId: event.request.actorId,
          text: event.request.content.map((c) => c.text).join('\n'),
          createdAt: Date.parse(event.request.createdAt),
          position,
        };
      });
      const records = conversationRecords({
        session: { sessionId: session.sessionId, ownerId: ownerIdOf(conversation) },
        turns,
        now: Date.now(),
        ttlSeconds: 86_400,
        embeddingModel: app.embedder.model.id,
      }).map((r): StoredMemory => ({ ...r, contentHash: contentHash(r) }));
      const indexTexts = records.map((r, i) =>
        [...records.slice(Math.max(0, i - previous), i).map((p) => p.text), r.text].join('\n'),
      );
      await index(app, storeId, ownerIdOf(conversation), records, indexTexts);
    }
    log(`${conversation.sampleId}: conversation records indexed (+${previous} before)`);
  }
  return (ref: string) => turnOf.get(ref);
}

async function writePlain(app: MemoryApp, storeId: string) {
  const now = Date.now();
  for (const conversation of conversations) {
    const records = plainRecords(conversation).map((input, i): StoredMemory => {
      const r = {
        ...input,
        memoryType: 'semantic',
        topics: [],
        createdAt: now,
        updatedAt: now,
        expiresAt: now + 86_400_000,
        embeddingModel: app.embedder.model.id,
        seq: now * SEQ_PER_MS + i,
      };
      return { ...r, contentHash: contentHash(r) };
    });
    await index(
      app,
      storeId,
      ownerIdOf(conversation),
      records,
      records.map((r) => r.text),
    );
    log(`${conversation.sampleId}: plain records indexed`);
  }
  return (ref: string) => ref;
}

async function index(
  app: MemoryApp,
  storeId: string,
  ownerId: string,
  records: StoredMemory[],
  texts: string[],
): Promise<void> {
  const partition: VectorPartition = { storeId, ownerId, namespace: undefined };
  for (let i = 0; i < records.length; i += 100) {
    const chunk = records.slice(i, i + 100);
    const chunkTexts = texts.slice(i, i + 100);
    await app.records.createMany(storeId, chunk);
    const vectors = await embedTexts(app.embedder, chunkTexts);
    await app.vectors.upsert(
      partition,
      chunk.map((r, j) => ({ id: r.id, vector: vectors[j]! })),
    );
    await app.keywords.upsert(
      partition,
      chunk.map((r, j) => ({ id: r.id, text: chunkTexts[j]! })),
    );
  }
}
