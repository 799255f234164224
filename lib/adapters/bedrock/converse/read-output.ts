import type { ContentBlock, ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import * as z from 'zod';
import type { CustomMemoryType } from '../../../contracts/store-config.js';
import { attributeProblem } from '../../../domain/custom-attributes.js';
import type { ExtractedMemory, ExtractionInput } from '../../../ports/memory-extractor.js';
import {
  allowedTypes,
  EXTRACTED_ENTITIES_MAX,
  EXTRACTED_TEXT_MAX_CHARACTERS,
  EXTRACTED_TOPICS_MAX,
  LABEL_MAX_CHARACTERS,
} from './tool-schema.js';

/*
 * Reading a Converse reply: the forced tool's input (parsed with zod, tolerant of the known quirks of
 * tool inputs, what the model invents filtered out) or the plain text of a summary. A reading says
 * why a reply is unusable without quoting model output.
 */

/** A JSON array that the model sent as a string (a known quirk of tool inputs) is read as the array. */
const jsonArray = <T extends z.ZodType>(item: T) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    try {
      const parsed: unknown = JSON.parse(value);
      return Array.isArray(parsed) ? parsed : value;
    } catch {
      return value;
    }
  }, z.array(item));

/** Labels: an array, a JSON array in a string, or one label as a string; missing means none. */
const labels = z.preprocess((value) => {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'string') return value;
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed)) return parsed;
  } catch {}
  return [value];
}, z.array(z.string()));

const toolInputSchema = z.object({ memories: jsonArray(z.unknown()) });

const memorySchema = z.object({
  text: z.string(),
  memoryType: z.string(),
  topics: labels,
  entities: labels,
  attributes: z.preprocess(
    (value) => (value === null ? undefined : value),
    z.record(z.string(), z.unknown()).optional(),
  ),
  sourceEventIds: jsonArray(z.string()),
});

/** The outcome of reading one reply: a value, or why the reply is unusable (no model output in it). */
export type Reading<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

const PATH_KEYS = new Set([
  'memories',
  'text',
  'memoryType',
  'topics',
  'entities',
  'attributes',
  'sourceEventIds',
]);

/** Where zod found the first problem, from schema keys and indices only (never values or model-made keys). */
function issueSummary(error: z.ZodError, prefix = ''): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const path = issue.path
    .map((segment) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : PATH_KEYS.has(String(segment))
          ? `.${String(segment)}`
          : '.?',
    )
    .join('');
  return `invalid input at ${`${prefix}${path}`.replace(/^\./, '') || '(root)'} (${issue.code})`;
}

export function readToolInput(output: ConverseCommandOutput, tool: string): Reading<unknown> {
  if (output.stopReason === 'max_tokens') return { ok: false, problem: 'the reply was cut at maxTokens' };
  const content = output.output && 'message' in output.output ? (output.output.message?.content ?? []) : [];
  const toolUse = content.find((block: ContentBlock) => block.toolUse?.name === tool)?.toolUse;
  if (!toolUse)
    return { ok: false, problem: `no ${tool} tool call (stopReason ${output.stopReason ?? 'none'})` };
  return { ok: true, value: toolUse.input };
}

export function readText(output: ConverseCommandOutput): Reading<string> {
  if (output.stopReason === 'max_tokens') return { ok: false, problem: 'the reply was cut at maxTokens' };
  const content = output.output && 'message' in output.output ? (output.output.message?.content ?? []) : [];
  const text = content
    .map((block: ContentBlock) => block.text ?? '')
    .join('')
    .trim();
  if (!text) return { ok: false, problem: `no text (stopReason ${output.stopReason ?? 'none'})` };
  return { ok: true, value: text };
}

/**
 * The memories in a `record_memories` input, filtered: a memory is dropped when its type is not
 * allowed, its text is empty, or none of its sourceEventIds is a new turn's (ids that are not are
 * removed; the memory stays if one remains); exact repeats are dropped. Text is cut to 2,000
 * characters, topics to 10 and entities to 20 (each label at most 100 characters, repeats removed);
 * attributes are kept for custom types only, and only fields declared with a value of their type.
 * The input is unusable when it has no `memories` list, or when it has items and none of them parses.
 */
export function readMemories(raw: unknown, input: ExtractionInput): Reading<ExtractedMemory[]> {
  const parsed = toolInputSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: issueSummary(parsed.error) };
  const allowed = new Set(allowedTypes(input));
  const newIds = new Set(input.newTurns.map((turn) => turn.eventId));
  const customTypes = new Map(input.customTypes.map((type) => [type.name, type]));
  const memories: ExtractedMemory[] = [];
  const seen = new Set<string>();
  let firstProblem: z.ZodError | undefined;
  let parsedItems = 0;
  for (const item of parsed.data.memories) {
    const memory = memorySchema.safeParse(item);
    if (!memory.success) {
      firstProblem ??= memory.error;
      continue;
    }
    parsedItems++;
    const { memoryType, attributes } = memory.data;
    const text = cutToLength(memory.data.text.trim(), EXTRACTED_TEXT_MAX_CHARACTERS);
    const sourceEventIds = unique(memory.data.sourceEventIds.filter((id) => newIds.has(id)));
    if (!text || !allowed.has(memoryType) || sourceEventIds.length === 0) continue;
    const key = `${memoryType}\u0000${text.toLowerCase()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const customType = customTypes.get(memoryType);
    const fields = customType && attributes ? fittingAttributes(attributes, customType) : undefined;
    memories.push({
      text,
      memoryType,
      topics: cleanLabels(memory.data.topics, EXTRACTED_TOPICS_MAX),
      entities: cleanLabels(memory.data.entities, EXTRACTED_ENTITIES_MAX),
      ...(fields && Object.keys(fields).length > 0 ? { attributes: fields } : {}),
      sourceEventIds,
    });
  }
  if (parsedItems === 0 && firstProblem) {
    return { ok: false, problem: `no memory parses; ${issueSummary(firstProblem, 'memories[*]')}` };
  }
  return { ok: true, value: memories };
}

function fittingAttributes(
  attributes: Readonly<Record<string, unknown>>,
  type: CustomMemoryType,
): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (attributeProblem({ [name]: value }, type) === undefined) kept[name] = value;
  }
  return kept;
}

function cleanLabels(values: readonly string[], max: number): string[] {
  const kept: string[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    const label = cutToLength(value.trim(), LABEL_MAX_CHARACTERS);
    if (!label || seen.has(label.toLowerCase())) continue;
    seen.add(label.toLowerCase());
    kept.push(label);
    if (kept.length === max) break;
  }
  return kept;
}

const unique = (values: readonly string[]) => [...new Set(values)];

/** The first `max` UTF-16 code units of `text`, without splitting a surrogate pair. */
export function cutToLength(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max).trimEnd();
}
