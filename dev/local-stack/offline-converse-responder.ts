import type { ExtractionStrategy, ExtractionTurn } from '../../lib/ports/memory-extractor.js';
import { OfflineExtractor, OfflineSummarizer } from '../offline-models/offline-extractor.js';
import type { ConverseFakeReply, ConverseFakeRequest } from './bedrock-fake.js';

/**
 * A default Converse responder for the Bedrock fake that plays the model with the offline
 * extractor: it reads the transcript the production `BedrockConverseExtractor` sends (the owner,
 * the summary and the turn lines of each section) and answers `record_memories` with what the
 * rule-based extractor finds, or, for summary requests, the offline summary as text. So the whole
 * Bedrock path — prompt, forced tool, parsing, usage — runs locally with meaningful output.
 *
 * It depends on the transcript format of `bedrock-extractor.ts` (`turnLine`); a change there
 * shows up as this responder finding no turns.
 */
export function offlineConverseResponder(): (request: ConverseFakeRequest) => Promise<ConverseFakeReply> {
  const extractor = new OfflineExtractor();
  const summarizer = new OfflineSummarizer();
  return async (request) => {
    const text = request.messages.map((m) => m.text).join('\n');
    const ownerId = parseOwner(text);
    const summary = parseSummary(text);
    if (request.forcedTool === 'record_memories') {
      const types = allowedTypes(request);
      const strategies: ExtractionStrategy[] = types.includes('episodic') ? ['discrete'] : ['preferences'];
      const result = await extractor.extract({
        ownerId,
        strategies,
        customTypes: [],
        priorSummary: summary,
        contextTurns: parseSection(text, 'context_turns'),
        newTurns: parseSection(text, 'new_turns'),
      });
      return {
        toolInput: {
          memories: result.memories.map((m) => ({
            text: m.text,
            memoryType: m.memoryType,
            topics: m.topics,
            entities: m.entities,
            sourceEventIds: m.sourceEventIds,
          })),
        },
      };
    }
    const result = await summarizer.summarize({
      ownerId,
      priorSummary: summary,
      turns: parseSection(text, 'turns'),
    });
    return { text: result.text || '(nothing to summarize)' };
  };
}

function parseOwner(text: string): string {
  const match = /<owner>(.*?)<\/owner>/s.exec(text);
  return match ? (JSON.parse(match[1]!) as string) : 'unknown';
}

function parseSummary(text: string): string | undefined {
  const match = /<summary>\n(.*?)\n<\/summary>/s.exec(text);
  return !match || match[1] === '(none)' ? undefined : (JSON.parse(match[1]!) as string);
}

const TURN_LINE = /^\[([^\]]+)\] (\S+) (USER|ASSISTANT|SYSTEM) ("(?:[^"\\]|\\.)*"|\S+): (".*")$/;

function parseSection(text: string, tag: string): ExtractionTurn[] {
  const match = new RegExp(`<${tag}>\\n(.*?)\\n</${tag}>`, 's').exec(text);
  if (!match) return [];
  return match[1]!.split('\n').flatMap((line) => {
    const turn = TURN_LINE.exec(line);
    if (!turn) return [];
    const actor = turn[4]!.startsWith('"') ? (JSON.parse(turn[4]!) as string) : turn[4]!;
    return [
      {
        eventId: turn[1]!,
        createdAt: Date.parse(turn[2]!),
        role: turn[3] as ExtractionTurn['role'],
        actorId: actor,
        text: JSON.parse(turn[5]!) as string,
      },
    ];
  });
}

function allowedTypes(request: ConverseFakeRequest): string[] {
  const schema = request.tools.find((t) => t.name === 'record_memories')?.inputSchema as
    | { properties?: { memories?: { items?: { properties?: { memoryType?: { enum?: string[] } } } } } }
    | undefined;
  return schema?.properties?.memories?.items?.properties?.memoryType?.enum ?? ['semantic', 'episodic'];
}
