import {
  CUSTOM_TYPES_HEADING,
  EPISODIC_EVENTS,
  FIELD_TYPES,
  PREFERENCES_ONLY,
  PREFERENCES_TOO,
  SEMANTIC_FACTS,
  SUMMARY_MEMORY_MARKER,
} from '../../lib/adapters/bedrock/converse/prompts.js';
import { RECORD_MEMORIES_TOOL } from '../../lib/adapters/bedrock/converse/tool-schema.js';
import {
  RECORD_VIEW_SUMMARY_TOOL,
  VIEW_SUMMARY_RULES,
} from '../../lib/adapters/bedrock/converse/view-prompts.js';
import type { CustomFieldType, CustomMemoryType } from '../../lib/contracts/store-config.js';
import type { ExtractionStrategy, ExtractionTurn } from '../../lib/ports/memory-extractor.js';
import type { ViewMemory } from '../../lib/ports/summary-views.js';
import { extractDocumentSection } from '../offline-models/offline-document-extractor.js';
import { OfflineExtractor, OfflineSummarizer } from '../offline-models/offline-extractor.js';
import { offlineViewFields, offlineViewText } from '../offline-models/offline-view-summarizer.js';
import type { ConverseFakeReply, ConverseFakeRequest } from './bedrock/server.js';

/**
 * The default Converse responder of the local stack's Bedrock fake: it plays the model with the
 * offline extractor (dev/offline-models), the only way the local stack reaches it. It reads back
 * what the production `BedrockConverseExtractor` sends (lib/adapters/bedrock/converse/prompts.ts):
 * from the user message the owner, the summary and the turn lines of each section; from the system
 * prompt the strategies and the custom types; from the tool schema the allowed memory types. It
 * answers `record_memories` with what the rule-based extractor finds, or, for summary requests, the
 * offline summary as text. So the whole Bedrock path (prompt, forced tool, parsing, filtering,
 * usage) runs locally with meaningful output.
 *
 * Like a model following the prompt, it gives a memory the type `semantic` when the rules found a
 * dated (`episodic`) one that the prompt does not ask for (preferences or a summary without
 * `discrete`); the adapter would otherwise drop it.
 *
 * It depends on the prompt texts and the transcript format (`turnLine`) of the adapter; a change
 * there shows up as this responder finding no turns, or no strategy.
 */
export function offlineConverseResponder(): (request: ConverseFakeRequest) => Promise<ConverseFakeReply> {
  const extractor = new OfflineExtractor();
  const summarizer = new OfflineSummarizer();
  return async (request) => {
    const text = request.messages.map((m) => m.text).join('\n');
    if (request.system.join('\n').startsWith(VIEW_SUMMARY_RULES)) return answerView(request, text);
    const ownerId = parseOwner(text);
    const summary = parseSummary(text);
    if (request.forcedTool === RECORD_MEMORIES_TOOL && DOCUMENT_TITLE.test(text)) {
      // A document section (document ingestion): the section is the one new turn.
      const [section] = parseSection(text, 'new_turns');
      const [memoryType] = allowedTypes(request);
      if (!section || !memoryType) return { toolInput: { memories: [] } };
      const result = extractDocumentSection({
        section,
        title: JSON.parse(DOCUMENT_TITLE.exec(text)![1]!) as string,
        headings: JSON.parse(/<headings>(.*?)<\/headings>/s.exec(text)?.[1] ?? '[]') as string[],
        memoryType,
      });
      return { toolInput: { memories: result.memories } };
    }
    if (request.forcedTool === RECORD_MEMORIES_TOOL) {
      const allowed = allowedTypes(request);
      const system = request.system.join('\n');
      const result = await extractor.extract({
        ownerId,
        strategies: parseStrategies(system),
        customTypes: parseCustomTypes(system, allowed),
        priorSummary: summary,
        contextTurns: parseSection(text, 'context_turns'),
        newTurns: parseSection(text, 'new_turns'),
      });
      return {
        toolInput: {
          memories: result.memories.map((m) => ({
            text: m.text,
            memoryType:
              allowed.includes(m.memoryType) || m.memoryType !== 'episodic' ? m.memoryType : 'semantic',
            topics: m.topics,
            entities: m.entities,
            ...(m.attributes ? { attributes: m.attributes } : {}),
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

/**
 * A summary-view refresh (lib/adapters/bedrock/converse/view-prompts.ts): the memories and the
 * current summary read back from the user message, the declared fields from the forced tool's schema.
 */
function answerView(request: ConverseFakeRequest, text: string): ConverseFakeReply {
  const currentMatch = /<current_summary>\n(.*?)\n<\/current_summary>/s.exec(text);
  const current =
    !currentMatch || currentMatch[1] === '(none)' ? undefined : (JSON.parse(currentMatch[1]!) as string);
  const memories = parseViewMemories(text);
  if (request.forcedTool === RECORD_VIEW_SUMMARY_TOOL) {
    const schema = request.tools.find((t) => t.name === RECORD_VIEW_SUMMARY_TOOL)?.inputSchema as
      | { properties?: Record<string, { type?: string; items?: { type?: string }; description?: string }> }
      | undefined;
    const fields = Object.entries(schema?.properties ?? {}).map(([name, p]) => ({
      name,
      type: fieldTypeOf(p),
    }));
    const prior = current === undefined ? undefined : (JSON.parse(current) as Record<string, unknown>);
    return { toolInput: offlineViewFields(fields, prior, memories) };
  }
  return { text: offlineViewText(current, memories) || '(no memories)' };
}

const VIEW_MEMORY_LINE = /^\[([^\]]+)\] (\S+) (\S+) (\[.*?\]): (".*")$/;

function parseViewMemories(text: string): ViewMemory[] {
  const match = /<memories>\n(.*?)\n<\/memories>/s.exec(text);
  if (!match) return [];
  return match[1]!.split('\n').flatMap((line) => {
    const m = VIEW_MEMORY_LINE.exec(line);
    if (!m) return [];
    return [
      {
        id: m[1]!,
        createdAt: Date.parse(m[2]!),
        memoryType: m[3]!,
        topics: JSON.parse(m[4]!) as string[],
        text: JSON.parse(m[5]!) as string,
      },
    ];
  });
}

function fieldTypeOf(p: { type?: string; items?: { type?: string } }): CustomFieldType {
  switch (p.type) {
    case 'integer':
      return 'int';
    case 'number':
      return 'float';
    case 'boolean':
      return 'bool';
    case 'array':
      return p.items?.type === 'number' ? 'list[float]' : 'list[str]';
    case 'object':
      return 'object';
    default:
      return 'str';
  }
}

const DOCUMENT_TITLE = /<document_title>(.*?)<\/document_title>/s;

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
  const schema = request.tools.find((t) => t.name === RECORD_MEMORIES_TOOL)?.inputSchema as
    | { properties?: { memories?: { items?: { properties?: { memoryType?: { enum?: string[] } } } } } }
    | undefined;
  return schema?.properties?.memories?.items?.properties?.memoryType?.enum ?? ['semantic', 'episodic'];
}

/** The system prompt before the custom types (whose descriptions are the store's words, not the adapter's). */
function builtInPart(system: string): string {
  const at = system.indexOf(`\n\n${CUSTOM_TYPES_HEADING} `);
  return at < 0 ? system : system.slice(0, at);
}

/** The strategies whose lines the system prompt carries (see `extractionSystemPrompt`). */
function parseStrategies(system: string): ExtractionStrategy[] {
  const prompt = builtInPart(system);
  const strategies: ExtractionStrategy[] = [];
  if (prompt.includes(SEMANTIC_FACTS) && prompt.includes(EPISODIC_EVENTS)) strategies.push('discrete');
  if (prompt.includes(PREFERENCES_ONLY) || prompt.includes(PREFERENCES_TOO)) strategies.push('preferences');
  if (prompt.includes(SUMMARY_MEMORY_MARKER)) strategies.push('summary');
  return strategies;
}

const FIELD_TYPE_BY_TEXT = new Map(
  Object.entries(FIELD_TYPES).map(([type, text]) => [text, type as CustomFieldType]),
);
const FIELD_LINE = /\n {2}- field "([a-zA-Z][a-zA-Z0-9_-]*)" \(([^)]+)\): /g;
const INSTRUCTIONS = '\n  Instructions for this type: ';

/**
 * The custom types described in the system prompt (`describeCustomType`), in the order of the tool
 * schema's memory types: each block starts `- "<name>": <description>`, then a line per field and
 * maybe the type's instructions. Descriptions may hold new lines, so a block ends where the next
 * type's starts.
 */
function parseCustomTypes(system: string, allowed: readonly string[]): CustomMemoryType[] {
  const at = system.indexOf(`\n\n${CUSTOM_TYPES_HEADING} `);
  if (at < 0) return [];
  const section = system.slice(at);
  const names = allowed.filter((name) => name !== 'semantic' && name !== 'episodic');
  const starts = names.map((name) => section.indexOf(`\n- ${JSON.stringify(name)}: `));
  return names.flatMap((name, i) => {
    const start = starts[i]!;
    if (start < 0) return [];
    const next = starts.slice(i + 1).find((s) => s > start) ?? section.length;
    let block = section.slice(start + `\n- ${JSON.stringify(name)}: `.length, next);
    let prompt: string | undefined;
    const instructions = block.lastIndexOf(INSTRUCTIONS);
    if (instructions >= 0) {
      prompt = block.slice(instructions + INSTRUCTIONS.length);
      block = block.slice(0, instructions);
    }
    const lines = [...block.matchAll(FIELD_LINE)];
    const fields = lines.flatMap((line, j) => {
      const type = FIELD_TYPE_BY_TEXT.get(line[2]!);
      const end = lines[j + 1]?.index ?? block.length;
      const description = block.slice(line.index + line[0].length, end);
      return type ? [{ name: line[1]!, description, type }] : [];
    });
    return [
      {
        name,
        description: block.slice(0, lines[0]?.index ?? block.length),
        fields,
        ...(prompt === undefined ? {} : { extractionStrategy: { prompt, enabled: true } }),
      },
    ];
  });
}
