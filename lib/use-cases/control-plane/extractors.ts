import { randomUUID } from 'node:crypto';
import {
  type CreateExtractorRequest,
  DOCUMENT_LIMITS,
  type Extractor,
  type StoredExtractor,
  type UpdateExtractorRequest,
} from '../../contracts/documents.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { ExtractorStore } from '../../ports/document-store.js';
import type { StoreLookup } from '../../ports/registry.js';
import { requireStore } from '../shared/require-store.js';

/**
 * Extractors (document ingestion, docs/decisions/0021-document-ingestion.md): per store, a custom
 * memory type, instructions for the model (checked as custom extraction prompts are, by the request
 * schema) and a model among those the deployment allows: IAM grants Bedrock on exact model ARNs
 * (infra/constructs/bedrock-model-access.ts), so a model outside the list could never be called.
 */
export interface ExtractorAdminDeps {
  readonly stores: StoreLookup;
  readonly extractors: ExtractorStore;
  readonly clock: Clock;
  /** The model ids this deployment may call for extraction; the first is the default. */
  readonly allowedModels: readonly string[];
}

export async function createExtractor(
  deps: ExtractorAdminDeps,
  storeId: string,
  request: CreateExtractorRequest,
): Promise<Extractor> {
  await requireStore(deps, storeId);
  const model = checkedModel(deps, request.model);
  if ((await deps.extractors.countExtractors(storeId)) >= DOCUMENT_LIMITS.extractorsPerStore) {
    throw new ConflictError(`A store has at most ${DOCUMENT_LIMITS.extractorsPerStore} extractors`);
  }
  const now = deps.clock.now();
  const extractor: StoredExtractor = {
    extractorId: `e${randomUUID().replaceAll('-', '').slice(0, 31)}`,
    storeId,
    name: request.name,
    memoryType: request.memoryType,
    description: request.description,
    instructions: request.instructions,
    model,
    createdAt: now,
    updatedAt: now,
  };
  await deps.extractors.putExtractor(storeId, extractor);
  return extractorOutput(extractor);
}

export async function getExtractor(
  deps: Pick<ExtractorAdminDeps, 'stores' | 'extractors'>,
  storeId: string,
  extractorId: string,
): Promise<Extractor> {
  return extractorOutput(await requireExtractor(deps, storeId, extractorId));
}

export async function listExtractors(
  deps: Pick<ExtractorAdminDeps, 'stores' | 'extractors'>,
  storeId: string,
): Promise<Extractor[]> {
  await requireStore(deps, storeId);
  return (await deps.extractors.listExtractors(storeId)).map(extractorOutput);
}

/** A partial update; documents submitted afterwards use the new instructions (running ones may mix). */
export async function updateExtractor(
  deps: ExtractorAdminDeps,
  storeId: string,
  extractorId: string,
  request: UpdateExtractorRequest,
): Promise<Extractor> {
  const current = await requireExtractor(deps, storeId, extractorId);
  const updated: StoredExtractor = {
    ...current,
    ...(request.name === undefined ? {} : { name: request.name }),
    ...(request.description === undefined ? {} : { description: request.description }),
    ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
    ...(request.model === undefined ? {} : { model: checkedModel(deps, request.model) }),
    updatedAt: Math.max(deps.clock.now(), current.updatedAt + 1),
  };
  await deps.extractors.putExtractor(storeId, updated);
  return extractorOutput(updated);
}

/** Deleting an extractor leaves the memories it wrote; documents it still has pending fail with `extractor-missing`. */
export async function deleteExtractor(
  deps: Pick<ExtractorAdminDeps, 'stores' | 'extractors'>,
  storeId: string,
  extractorId: string,
): Promise<void> {
  await requireStore(deps, storeId);
  if (!(await deps.extractors.deleteExtractor(storeId, extractorId))) {
    throw new NotFoundError('Extractor not found');
  }
}

async function requireExtractor(
  deps: Pick<ExtractorAdminDeps, 'stores' | 'extractors'>,
  storeId: string,
  extractorId: string,
): Promise<StoredExtractor> {
  await requireStore(deps, storeId);
  const extractor = await deps.extractors.getExtractor(storeId, extractorId);
  if (!extractor) throw new NotFoundError('Extractor not found');
  return extractor;
}

function checkedModel(deps: Pick<ExtractorAdminDeps, 'allowedModels'>, model: string | undefined): string {
  const chosen = model ?? deps.allowedModels[0];
  if (chosen === undefined || !deps.allowedModels.includes(chosen)) {
    throw new ValidationError('The model is not one this deployment allows', [
      {
        field: 'model',
        rule: 'allowedModel',
        message: `must be one of: ${deps.allowedModels.join(', ')}`,
      },
    ]);
  }
  return chosen;
}

export function extractorOutput(extractor: StoredExtractor): Extractor {
  return {
    ...extractor,
    createdAt: new Date(extractor.createdAt).toISOString(),
    updatedAt: new Date(extractor.updatedAt).toISOString(),
  };
}
