import { parseArgs } from 'node:util';
import { OfflineExtractor } from '../dev/offline-models/offline-extractor.js';
import type { ExtractedMemory, ExtractionTurn } from '../lib/ports/memory-extractor.js';
import { isMainModule } from '../scripts/main-module.js';
import { type Conversation, loadLocomo } from './retrieval/locomo.js';
import { prng, round } from './stats.js';

/**
 * `npx tsx bench/offline-extraction.ts [--examples 10] [--seed 7]`: the offline extractor over the
 * LoCoMo development split (read in place from ../shared/data/locomo/, never copied).
 *
 * Mapping: LoCoMo has no user and assistant, only two people (`speaker_a`, `speaker_b`). Each speaker
 * is the owner in turn: for each conversation, session and speaker, one `extract` call (strategy
 * `discrete`) gets the whole session as new turns — the owner's turns as USER turns of actor <owner>,
 * the other speaker's as USER turns of actor <other> (which the extractor skips: they are not about
 * the owner). So every turn is extracted from exactly once, as its own speaker's. Event ids are
 * `<sample_id>:<dia_id>`; `createdAt` is the session's date plus one second per turn, so relative
 * dates ("last week") resolve against the day the session took place. Image captions are not the
 * speaker's words and are left out.
 *
 * Prints: turns, memories, memories per 100 turns, episodic share, the share of memories whose
 * source ids are all turns of the owner in that call (true by construction: each memory's source is
 * the turn it was extracted from), the share whose entities all occur in the source turn (a check
 * that the text is grounded), token usage per 100 turns, and random examples (input -> output).
 */
export interface OfflineExtractionFigures {
  readonly turns: number;
  readonly memories: number;
  readonly memoriesPer100Turns: number;
  readonly episodicShare: number;
  readonly validSourceShare: number;
  readonly groundedEntityShare: number;
  readonly turnsWithMemories: number;
  readonly inputTokensPer100Turns: number;
  readonly outputTokensPer100Turns: number;
  readonly examples: ReadonlyArray<{ readonly input: string; readonly outputs: readonly string[] }>;
}

interface Produced {
  readonly memory: ExtractedMemory;
  readonly validSource: boolean;
  readonly grounded: boolean;
}

export async function runOfflineExtractionBench(
  options: { examples?: number; seed?: number; conversations?: Conversation[] } = {},
): Promise<OfflineExtractionFigures> {
  const conversations = options.conversations ?? (await loadLocomo());
  const extractor = new OfflineExtractor();
  const produced: Produced[] = [];
  const turnText = new Map<string, { speaker: string; text: string }>();
  let turns = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  for (const conversation of conversations) {
    for (const session of conversation.sessions) {
      const start = session.date ? Date.parse(session.date) : Date.UTC(2023, 0, 1);
      const all: ExtractionTurn[] = session.turns.map((turn, i) => ({
        eventId: `${conversation.sampleId}:${turn.diaId}`,
        role: 'USER',
        actorId: turn.speaker,
        text: turn.text,
        createdAt: start + i * 1000,
      }));
      for (const turn of session.turns) {
        turnText.set(`${conversation.sampleId}:${turn.diaId}`, { speaker: turn.speaker, text: turn.text });
      }
      turns += all.length;
      for (const owner of conversation.speakers) {
        const result = await extractor.extract({
          ownerId: owner,
          strategies: ['discrete'],
          customTypes: [],
          priorSummary: undefined,
          contextTurns: [],
          newTurns: all,
        });
        // The same text is read once per speaker here; count a model's reading once per turn.
        if (owner === conversation.speakers[0]) inputTokens += result.usage.inputTokens;
        outputTokens += result.usage.outputTokens;
        const ownerTurns = new Set(all.filter((t) => t.actorId === owner).map((t) => t.eventId));
        for (const memory of result.memories) {
          const validSource =
            memory.sourceEventIds.length > 0 && memory.sourceEventIds.every((id) => ownerTurns.has(id));
          const source = memory.sourceEventIds.map((id) => turnText.get(id)?.text ?? '').join(' ');
          const grounded = memory.entities.every((entity) => source.includes(entity));
          produced.push({ memory, validSource, grounded });
        }
      }
    }
  }
  const random = prng(options.seed ?? 7);
  const picked = new Set<number>();
  const wanted = Math.min(options.examples ?? 10, produced.length);
  while (picked.size < wanted) picked.add(Math.floor(random() * produced.length));
  const examples = [...picked].map((index) => {
    const source = produced[index]!.memory.sourceEventIds[0]!;
    const turn = turnText.get(source)!;
    const outputs = produced
      .filter((p) => p.memory.sourceEventIds.includes(source))
      .map((p) => `[${p.memory.memoryType}] ${p.memory.text}`);
    return { input: `${source} ${turn.speaker}: ${turn.text}`, outputs };
  });
  const share = (count: number) => (produced.length ? round(count / produced.length, 3) : 0);
  return {
    turns,
    memories: produced.length,
    memoriesPer100Turns: round((100 * produced.length) / turns, 1),
    episodicShare: share(produced.filter((p) => p.memory.memoryType === 'episodic').length),
    validSourceShare: share(produced.filter((p) => p.validSource).length),
    groundedEntityShare: share(produced.filter((p) => p.grounded).length),
    turnsWithMemories: new Set(produced.flatMap((p) => p.memory.sourceEventIds)).size,
    inputTokensPer100Turns: round((100 * inputTokens) / turns, 0),
    outputTokensPer100Turns: round((100 * outputTokens) / turns, 0),
    examples,
  };
}

if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({
    options: { examples: { type: 'string', default: '10' }, seed: { type: 'string', default: '7' } },
  });
  const figures = await runOfflineExtractionBench({
    examples: Number(values.examples),
    seed: Number(values.seed),
  });
  const { examples, ...numbers } = figures;
  console.log('Offline extractor (offline-v1) over LoCoMo dev');
  for (const [name, value] of Object.entries(numbers)) console.log(`  ${name.padEnd(24)} ${value}`);
  console.log('\nRandom examples (input -> memories from that turn):');
  for (const example of examples) {
    console.log(`\n  ${example.input}`);
    for (const output of example.outputs) console.log(`    -> ${output}`);
  }
}
