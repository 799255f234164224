import { countEmbedded, type Reply, type RequestContext } from './context.js';
import { project, scaled } from './projection.js';
import { isFloatOnly, malformed, rejectExtraKeys, validation } from './service-error.js';
import { estimateTokens } from './tokens.js';

/* Titan Text Embeddings v2 (`amazon.titan-embed-text-v2:0`): bodies, limits and refusals as listed in server.ts's module comment. */

const TITAN_MAX_CHARACTERS = 50_000;
const TITAN_MAX_TOKENS = 8_192;

export async function titanTextV2(payload: unknown, context: RequestContext): Promise<Reply> {
  const body = payload as Record<string, unknown>;
  rejectExtraKeys(body, ['inputText', 'dimensions', 'normalize', 'embeddingTypes']);
  const { inputText, dimensions = 1024, normalize = true, embeddingTypes } = body;
  if (typeof inputText !== 'string') {
    throw malformed(
      inputText === undefined
        ? '#: required key [inputText] not found'
        : '#/inputText: expected type: String',
    );
  }
  if (inputText.length === 0) throw malformed('#/inputText: expected minLength: 1, actual: 0');
  if (inputText.length > TITAN_MAX_CHARACTERS) {
    throw malformed(`#/inputText: expected maxLength: ${TITAN_MAX_CHARACTERS}, actual: ${inputText.length}`);
  }
  if (dimensions !== 256 && dimensions !== 512 && dimensions !== 1024) {
    throw malformed(`#/dimensions: ${JSON.stringify(dimensions)} is not a valid enum value`);
  }
  if (typeof normalize !== 'boolean') throw malformed('#/normalize: expected type: Boolean');
  if (embeddingTypes !== undefined && !isFloatOnly(embeddingTypes)) {
    throw validation('Only the float embedding type is implemented by the fake Bedrock Runtime.');
  }
  const tokens = estimateTokens(inputText);
  if (tokens > TITAN_MAX_TOKENS) {
    throw validation(
      `400 Bad Request: Too many input tokens. Max input tokens: ${TITAN_MAX_TOKENS}, request input token count: ${tokens}`,
    );
  }
  const [baseVector] = await context.base.embedDocuments([inputText]);
  const embedding = scaled(project(baseVector!, context.modelId, dimensions), normalize ? 1 : undefined);
  countEmbedded(context, [inputText]);
  return {
    body: {
      embedding,
      // Always present, `float` included even when the request names no embeddingTypes (AWS docs, V2 Response).
      embeddingsByType: { float: embedding },
      inputTextTokenCount: tokens,
    },
    inputTokens: tokens,
  };
}
