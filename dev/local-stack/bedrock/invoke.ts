import { cohereEmbedV3 } from './cohere.js';
import { modelStats, type Reply, type RequestContext } from './context.js';
import { malformed, validation } from './service-error.js';
import { titanTextV2 } from './titan.js';

/* InvokeModel (`POST /model/{modelId}/invoke`): the embedding models, each in its own body format. */

type FakeModel = (payload: unknown, context: RequestContext) => Promise<Reply>;

export const EMBEDDING_MODELS: Readonly<Record<string, FakeModel>> = {
  'amazon.titan-embed-text-v2:0': titanTextV2,
  'cohere.embed-english-v3': cohereEmbedV3,
  'cohere.embed-multilingual-v3': cohereEmbedV3,
};

export async function invokeModel(context: RequestContext): Promise<Reply> {
  const model = EMBEDDING_MODELS[context.modelId];
  if (!model) throw validation('The provided model identifier is invalid.');
  modelStats(context).requests++;
  let payload: unknown;
  try {
    payload = JSON.parse(context.body.toString('utf8'));
  } catch {
    throw validation('Malformed input request, please reformat your input and try again.');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw malformed('#: expected type: JSONObject');
  }
  return model(payload, context);
}
