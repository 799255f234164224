import type { RequestContext } from './context.js';
import { invalidMember, isRecord, notImplementedByFake, validation } from './service-error.js';
import type { ConverseFakeMessage, ConverseFakeRequest, ConverseFakeTool } from './types.js';

/** Request members that the fake refuses as not implemented (the others it accepts and ignores). */
const CONVERSE_NOT_IMPLEMENTED = [
  'guardrailConfig',
  'promptVariables',
  'outputConfig',
  'additionalModelResponseFieldPaths',
];
/** Content block types of the real API that the fake does not implement. */
const CONVERSE_UNIMPLEMENTED_BLOCKS = [
  'image',
  'document',
  'video',
  'audio',
  'reasoningContent',
  'guardContent',
  'citationsContent',
  'searchResult',
  'toolAddition',
  'toolRemoval',
];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Checks a Converse body as Bedrock does (see converse.ts) and gives it to responders. */
export function parseConverseRequest(payload: unknown, context: RequestContext): ConverseFakeRequest {
  if (!isRecord(payload))
    throw validation('Malformed input request, please reformat your input and try again.');
  for (const key of CONVERSE_NOT_IMPLEMENTED) {
    if (payload[key] !== undefined) throw notImplementedByFake(`Converse's ${key}`);
  }

  const { messages: rawMessages } = payload;
  if (rawMessages === undefined) throw invalidMember('messages', 'Member must not be null');
  if (!Array.isArray(rawMessages)) throw invalidMember('messages', 'Member must be a list');
  let usesTools = false;
  const messages = rawMessages.map((message: unknown, i): ConverseFakeMessage => {
    if (!isRecord(message)) throw invalidMember(`messages.${i + 1}.member`, 'Member must be a structure');
    const { role, content } = message;
    if (role !== 'user' && role !== 'assistant') {
      throw invalidMember(
        `messages.${i + 1}.member.role`,
        'Member must satisfy enum value set: [user, assistant]',
      );
    }
    if (!Array.isArray(content) || content.length === 0) {
      throw validation(
        `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`,
      );
    }
    const texts: string[] = [];
    content.forEach((block: unknown, j) => {
      const where = `messages.${i}.content.${j}`;
      const keys = isRecord(block) ? Object.keys(block).filter((key) => block[key] !== undefined) : [];
      if (!isRecord(block) || keys.length !== 1) {
        throw validation(`The ContentBlock object at ${where} must set exactly one of its members.`);
      }
      const [type] = keys as [string];
      const value = block[type];
      if (type === 'text') {
        if (typeof value !== 'string') throw invalidMember(`${where}.text`, 'Member must be a string');
        if (value.trim() === '') {
          throw validation(
            `The text field in the ContentBlock object at ${where} is blank. Add text to the text field, and try again.`,
          );
        }
        texts.push(value);
      } else if (type === 'toolUse') {
        if (!isRecord(value) || typeof value.toolUseId !== 'string' || typeof value.name !== 'string') {
          throw invalidMember(`${where}.toolUse`, 'Member must have a toolUseId, a name and an input');
        }
        usesTools = true;
      } else if (type === 'toolResult') {
        if (!isRecord(value) || typeof value.toolUseId !== 'string' || !Array.isArray(value.content)) {
          throw invalidMember(`${where}.toolResult`, 'Member must have a toolUseId and a content list');
        }
        usesTools = true;
      } else if (type !== 'cachePoint') {
        throw CONVERSE_UNIMPLEMENTED_BLOCKS.includes(type)
          ? notImplementedByFake(`The ${type} content block`)
          : validation(`The ContentBlock object at ${where} has an unknown member ${type}.`);
      }
    });
    return { role, content: content as Record<string, unknown>[], text: texts.join('\n') };
  });
  if (messages.length === 0 || messages[0]!.role !== 'user') {
    throw validation(
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    );
  }
  if (messages.some((message, i) => i > 0 && message.role === messages[i - 1]!.role)) {
    throw validation(
      'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
    );
  }

  const system: string[] = [];
  if (payload.system !== undefined) {
    if (!Array.isArray(payload.system)) throw invalidMember('system', 'Member must be a list');
    payload.system.forEach((block: unknown, i) => {
      if (isRecord(block) && typeof block.text === 'string') {
        if (block.text.trim() === '') {
          throw validation(
            `The text field in the SystemContentBlock object at system.${i} is blank. Add text to the text field, and try again.`,
          );
        }
        system.push(block.text);
      } else if (isRecord(block) && block.guardContent !== undefined) {
        throw notImplementedByFake('The guardContent system block');
      } else if (!isRecord(block) || block.cachePoint === undefined) {
        throw invalidMember(`system.${i + 1}.member`, 'Member must be a text or cachePoint block');
      }
    });
  }

  const tools: ConverseFakeTool[] = [];
  let toolChoice: ConverseFakeRequest['toolChoice'];
  const { toolConfig } = payload;
  if (toolConfig !== undefined) {
    if (!isRecord(toolConfig)) throw invalidMember('toolConfig', 'Member must be a structure');
    if (!Array.isArray(toolConfig.tools) || toolConfig.tools.length === 0) {
      throw invalidMember('toolConfig.tools', 'Member must have length greater than or equal to 1');
    }
    toolConfig.tools.forEach((tool: unknown, i) => {
      const where = `toolConfig.tools.${i + 1}.member`;
      if (isRecord(tool) && tool.cachePoint !== undefined) return;
      if (isRecord(tool) && tool.systemTool !== undefined) throw notImplementedByFake('A systemTool');
      const spec = isRecord(tool) ? tool.toolSpec : undefined;
      if (!isRecord(spec)) throw invalidMember(where, 'Member must be a toolSpec or cachePoint block');
      if (typeof spec.name !== 'string' || !TOOL_NAME.test(spec.name)) {
        throw invalidMember(
          `${where}.toolSpec.name`,
          'Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+',
        );
      }
      if (
        spec.description !== undefined &&
        (typeof spec.description !== 'string' || spec.description === '')
      ) {
        throw invalidMember(
          `${where}.toolSpec.description`,
          'Member must have length greater than or equal to 1',
        );
      }
      const schema = isRecord(spec.inputSchema) ? spec.inputSchema.json : undefined;
      if (!isRecord(schema)) {
        throw validation(
          `The inputSchema of tool ${spec.name} must be a JSON schema object (inputSchema.json).`,
        );
      }
      if (tools.some((known) => known.name === spec.name)) {
        throw validation(`The toolConfig field has more than one tool named ${spec.name}.`);
      }
      tools.push({
        name: spec.name,
        description: spec.description as string | undefined,
        inputSchema: schema,
      });
    });
    const choice = toolConfig.toolChoice;
    if (choice !== undefined) {
      const keys = isRecord(choice) ? Object.keys(choice).filter((key) => choice[key] !== undefined) : [];
      if (!isRecord(choice) || keys.length !== 1 || !['auto', 'any', 'tool'].includes(keys[0]!)) {
        throw invalidMember('toolConfig.toolChoice', 'Member must set exactly one of auto, any, tool');
      }
      if (isRecord(choice.tool)) {
        const name = choice.tool.name;
        if (typeof name !== 'string' || !tools.some((tool) => tool.name === name)) {
          throw validation('The tool named in toolConfig.toolChoice.tool is not in toolConfig.tools.');
        }
        toolChoice = { tool: { name } };
      } else if (choice.tool !== undefined) {
        throw invalidMember('toolConfig.toolChoice.tool', 'Member must be a structure');
      } else {
        toolChoice = choice.auto !== undefined ? { auto: {} } : { any: {} };
      }
    }
  } else if (usesTools) {
    throw validation(
      'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    );
  }

  const inferenceConfig: {
    maxTokens?: number;
    temperature?: number;
    topP?: number;
    stopSequences?: string[];
  } = {};
  const { inferenceConfig: config } = payload;
  if (config !== undefined) {
    if (!isRecord(config)) throw invalidMember('inferenceConfig', 'Member must be a structure');
    const { maxTokens, temperature, topP, stopSequences } = config;
    if (maxTokens !== undefined) {
      if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) {
        throw invalidMember('inferenceConfig.maxTokens', 'Member must have value greater than or equal to 1');
      }
      inferenceConfig.maxTokens = maxTokens as number;
    }
    for (const [name, value] of [
      ['temperature', temperature],
      ['topP', topP],
    ] as const) {
      if (value === undefined) continue;
      if (typeof value !== 'number' || value < 0 || value > 1) {
        throw invalidMember(`inferenceConfig.${name}`, 'Member must have value between 0 and 1');
      }
      inferenceConfig[name] = value;
    }
    if (stopSequences !== undefined) {
      if (!Array.isArray(stopSequences) || !stopSequences.every((stop) => typeof stop === 'string')) {
        throw invalidMember('inferenceConfig.stopSequences', 'Member must be a list of strings');
      }
      inferenceConfig.stopSequences = stopSequences;
    }
  }

  return {
    modelId: context.modelId,
    encodedModelId: context.encodedModelId,
    messages,
    system,
    tools,
    toolChoice,
    forcedTool: toolChoice && 'tool' in toolChoice ? toolChoice.tool.name : undefined,
    inferenceConfig,
    body: payload,
  };
}
