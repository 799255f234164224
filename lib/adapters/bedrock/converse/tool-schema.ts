import type { ToolConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { ExtractionInput } from '../../../ports/memory-extractor.js';

/*
 * The forced tool of extraction: its name, the limits of what the model is asked for (and of what
 * `read-output.ts` keeps), and its JSON schema, narrowed to one input (the allowed memory types,
 * the new turns' ids).
 */

export const RECORD_MEMORIES_TOOL = 'record_memories';
/** Longest memory text kept; longer ones are cut. */
export const EXTRACTED_TEXT_MAX_CHARACTERS = 2_000;
/** Most topics and entities kept per memory, and the longest of each. */
export const EXTRACTED_TOPICS_MAX = 10;
export const EXTRACTED_ENTITIES_MAX = 20;
export const LABEL_MAX_CHARACTERS = 100;
/** Longest summary kept; a longer one is cut. */
export const SUMMARY_MAX_CHARACTERS = 4_000;

/** The memory types an extraction may produce, from its strategies and custom types. */
export function allowedTypes(input: ExtractionInput): string[] {
  const types = new Set<string>();
  for (const strategy of input.strategies) {
    types.add('semantic');
    if (strategy === 'discrete') types.add('episodic');
  }
  for (const type of input.customTypes) types.add(type.name);
  return [...types];
}

/**
 * A JSON value. The SDK types a tool's `inputSchema.json` as Smithy's `DocumentType` (the same
 * recursive union); a schema built as `Record<string, unknown>` is not assignable to it, which is
 * why this module once cast the schema `as never`. Typed as JSON, it needs no cast.
 */
type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
type JsonObject = { [key: string]: JsonValue };

/** The `toolConfig` of an extraction: `record_memories` only, and forced. */
export function recordMemoriesToolConfig(
  input: ExtractionInput,
  types: readonly string[],
): ToolConfiguration {
  return {
    tools: [
      {
        toolSpec: {
          name: RECORD_MEMORIES_TOOL,
          description: 'Records the long-term memories extracted from the new turns of the conversation.',
          inputSchema: { json: recordMemoriesSchema(input, types) },
        },
      },
    ],
    toolChoice: { tool: { name: RECORD_MEMORIES_TOOL } },
  };
}

/** The JSON schema of `record_memories`, its enums narrowed to this input. */
function recordMemoriesSchema(input: ExtractionInput, types: readonly string[]): JsonObject {
  const memory: JsonObject = {
    type: 'object',
    properties: {
      text: {
        type: 'string',
        description:
          'One standalone fact or event in the third person ("The user ..."), with absolute dates.',
        maxLength: EXTRACTED_TEXT_MAX_CHARACTERS,
      },
      memoryType: { type: 'string', enum: [...types] },
      topics: {
        type: 'array',
        items: { type: 'string' },
        maxItems: EXTRACTED_TOPICS_MAX,
        description: 'Short lowercase topic labels.',
      },
      entities: {
        type: 'array',
        items: { type: 'string' },
        description: 'People, places, organizations and products named in the memory.',
      },
      ...(input.customTypes.length > 0
        ? {
            attributes: {
              type: 'object',
              description: "Custom memory types only: the type's field values, keyed by field name.",
            },
          }
        : {}),
      sourceEventIds: {
        type: 'array',
        items: { type: 'string', enum: input.newTurns.map((turn) => turn.eventId) },
        minItems: 1,
        description: 'Ids of the new turns the memory comes from.',
      },
    },
    required: ['text', 'memoryType', 'topics', 'entities', 'sourceEventIds'],
    additionalProperties: false,
  };
  return {
    type: 'object',
    properties: {
      memories: {
        type: 'array',
        items: memory,
        description: 'The memories from the new turns; empty when nothing is worth remembering.',
      },
    },
    required: ['memories'],
    additionalProperties: false,
  };
}
