import { randomUUID } from 'node:crypto';
import { countEmbedded, modelStats, type Reply, type RequestContext } from './context.js';
import { project, scaled } from './projection.js';
import { isFloatOnly, malformed, rejectExtraKeys, validation } from './service-error.js';
import { cutToTokens, estimateTokens } from './tokens.js';

/* Cohere Embed v3 (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`): bodies, limits and refusals as listed in server.ts's module comment. */

const COHERE_MAX_TEXTS = 96;
const COHERE_MAX_CHARACTERS = 2_048;
const COHERE_MAX_TOKENS = 512;
const COHERE_DIMENSIONS = 1024;
const COHERE_INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering'];
/** The length of the fake's Cohere vectors: deliberately not 1. */
export const COHERE_VECTOR_LENGTH = 2.5;

export async function cohereEmbedV3(payload: unknown, context: RequestContext): Promise<Reply> {
  const body = payload as Record<string, unknown>;
  rejectExtraKeys(body, ['texts', 'images', 'input_type', 'truncate', 'embedding_types']);
  const { texts, input_type: inputType, truncate = 'NONE', embedding_types: embeddingTypes } = body;
  if (body.images !== undefined)
    throw validation('Image inputs are not implemented by the fake Bedrock Runtime.');
  if (!Array.isArray(texts)) {
    throw malformed(
      texts === undefined ? '#: required key [texts] not found' : '#/texts: expected type: JSONArray',
    );
  }
  if (texts.length > COHERE_MAX_TEXTS) {
    throw malformed(`#/texts: expected maximum item count: ${COHERE_MAX_TEXTS}, found: ${texts.length}`);
  }
  texts.forEach((text, index) => {
    if (typeof text !== 'string') throw malformed(`#/texts/${index}: expected type: String`);
    if (text.length > COHERE_MAX_CHARACTERS) {
      throw malformed(
        `#/texts/${index}: expected maxLength: ${COHERE_MAX_CHARACTERS}, actual: ${text.length}`,
      );
    }
  });
  if (inputType === undefined) throw malformed('#: required key [input_type] not found');
  if (typeof inputType !== 'string' || !COHERE_INPUT_TYPES.includes(inputType)) {
    throw malformed(`#/input_type: ${JSON.stringify(inputType)} is not a valid enum value`);
  }
  if (truncate !== 'NONE' && truncate !== 'START' && truncate !== 'END') {
    throw malformed(`#/truncate: ${JSON.stringify(truncate)} is not a valid enum value`);
  }
  if (embeddingTypes !== undefined && !isFloatOnly(embeddingTypes)) {
    throw validation('Only the float embedding type is implemented by the fake Bedrock Runtime.');
  }
  const strings = texts as string[];
  let totalTokens = 0;
  const windows = strings.map((text) => {
    const tokens = estimateTokens(text);
    totalTokens += Math.min(tokens, COHERE_MAX_TOKENS);
    if (tokens <= COHERE_MAX_TOKENS) return text;
    if (truncate === 'NONE') {
      throw validation(
        `invalid request: too many tokens: total number of tokens in the prompt cannot exceed ${COHERE_MAX_TOKENS} - received ${tokens}. Try using a shorter prompt, or enabling prompt truncating.`,
      );
    }
    return cutToTokens(text, COHERE_MAX_TOKENS, truncate);
  });
  // USE refuses empty strings; a lone space stands for "nothing" (Bedrock accepts empty texts here).
  const baseVectors = await context.base.embedDocuments(
    windows.map((text) => (text.length === 0 ? ' ' : text)),
  );
  const embeddings = baseVectors.map((vector) =>
    scaled(project(vector, context.modelId, COHERE_DIMENSIONS), COHERE_VECTOR_LENGTH),
  );
  countEmbedded(context, strings);
  const stats = modelStats(context);
  stats.inputTypes[inputType] = (stats.inputTypes[inputType] ?? 0) + 1;
  return {
    body:
      embeddingTypes === undefined
        ? { id: randomUUID(), texts: strings, embeddings, response_type: 'embeddings_floats' }
        : {
            id: randomUUID(),
            texts: strings,
            embeddings: { float: embeddings },
            response_type: 'embeddings_by_type',
          },
    inputTokens: totalTokens,
  };
}
