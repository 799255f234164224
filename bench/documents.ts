import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apiClient } from '../dev/api-client.js';
import { type LocalStack, startLocalStack } from '../dev/local-stack/local-stack.js';
import { cachedUseLiteEmbedder } from '../dev/offline-models/cached-use-lite.js';
import type { DocumentStatus } from '../lib/contracts/documents.js';

/**
 * Document ingestion through the local stack (docs/decisions/0021-document-ingestion.md): synthetic
 * Markdown handbooks submitted over HTTP, ingested by the document consumer through SQS, the Bedrock
 * fake (offline document extractor) and the local embedder. Reports throughput in KB of submitted
 * text per second (submit to `done`, all documents in flight together) and model tokens per KB (as
 * the document status counts them). Measures only.
 */
export interface DocumentIngestionResult {
  readonly documents: number;
  readonly kilobytes: number;
  readonly chunks: number;
  readonly memories: number;
  readonly seconds: number;
  readonly kbPerSecond: number;
  readonly inputTokensPerKb: number;
  readonly outputTokensPerKb: number;
}

const TEAMS = ['platform', 'payments', 'search', 'mobile', 'growth', 'security', 'data', 'support'];
const TOOLS = ['Jira', 'Linear', 'Notion', 'Slack', 'PagerDuty', 'GitHub', 'Figma', 'Datadog'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];

/** A handbook of `sections` sections, three paragraphs each, every sentence distinct. */
export function syntheticHandbook(seed: number, sections: number): string {
  const lines = [`# Handbook ${seed}`, '', `This handbook describes how organisation ${seed} works.`, ''];
  for (let s = 0; s < sections; s++) {
    const team = TEAMS[(seed + s) % TEAMS.length]!;
    const tool = TOOLS[(seed * 3 + s) % TOOLS.length]!;
    const day = DAYS[(seed + 2 * s) % DAYS.length]!;
    lines.push(
      `## ${team} practice ${s}`,
      '',
      `The ${team} team plans its work in ${tool} every ${day} at ${9 + (s % 8)}:00. Each plan lists at most ${3 + (s % 5)} goals for the cycle ${s}.`,
      '',
      `- Incidents of the ${team} team are reviewed within ${2 + (s % 6)} business days.`,
      `- Reviews of practice ${s} are written by the engineer who was on call for organisation ${seed}.`,
      '',
      `Budget requests above ${100 * (s + 1)} euros need the approval of the ${team} lead. Travel for practice ${s} is booked ${s + 7} days ahead.`,
      '',
    );
  }
  return lines.join('\n');
}

export async function measureDocumentIngestion(
  stack: LocalStack,
  options: { documents: number; sections: number },
): Promise<DocumentIngestionResult> {
  const storeId = `bench-docs-${Date.now().toString(36)}`;
  await stack.createStore(storeId, { extractionBudget: { tokensPerDay: 1_000_000_000 } });
  const api = apiClient(stack.apiUrl, await stack.mintApiKey({ [storeId]: ['read', 'write'] }));
  const extractor = await stack.admin('POST', `/v1/stores/${storeId}/extractors`, {
    name: 'handbook',
    memoryType: 'handbook_policy',
    description: 'A rule or practice of the handbook',
    instructions: 'Keep every rule, deadline and practice as one standalone sentence.',
  });
  if (extractor.status !== 201) throw new Error(`extractor not created (${extractor.status})`);
  const texts = Array.from({ length: options.documents }, (_, i) =>
    syntheticHandbook(i + 1, options.sections),
  );
  const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
  const started = performance.now();
  const ids: string[] = [];
  for (const [i, text] of texts.entries()) {
    const submitted = await api.post(`/v1/stores/${storeId}/documents`, {
      ownerId: `org-${i + 1}`,
      extractorId: extractor.body.extractorId,
      title: `Handbook ${i + 1}`,
      text,
    });
    if (submitted.status !== 202) throw new Error(`submit answered ${submitted.status}`);
    ids.push(submitted.body.documentId);
  }
  const statuses: DocumentStatus[] = [];
  for (const id of ids) {
    for (;;) {
      const status = await api.get(`/v1/stores/${storeId}/documents/${id}`);
      if (status.body.status === 'done' || status.body.status === 'failed') {
        statuses.push(status.body);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const kilobytes = bytes / 1024;
  const sum = (pick: (s: DocumentStatus) => number) => statuses.reduce((n, s) => n + pick(s), 0);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    documents: ids.length,
    kilobytes: round(kilobytes),
    chunks: sum((s) => s.chunks.done),
    memories: sum((s) => s.memories.created),
    seconds: round(seconds),
    kbPerSecond: round(kilobytes / seconds),
    inputTokensPerKb: round(sum((s) => s.usage.inputTokens) / kilobytes),
    outputTokensPerKb: round(sum((s) => s.usage.outputTokens) / kilobytes),
  };
}

export function formatDocumentIngestion(r: DocumentIngestionResult): string {
  return (
    `Document ingestion (offline models): ${r.documents} Markdown documents, ${r.kilobytes} KB, ${r.chunks} chunks, ` +
    `${r.memories} memories in ${r.seconds} s = ${r.kbPerSecond} KB/s; model tokens per KB: ` +
    `${r.inputTokensPerKb} in, ${r.outputTokensPerKb} out`
  );
}

// `npx tsx bench/documents.ts` runs this part alone and appends to bench/results/documents-history.jsonl.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env.LOG_LEVEL ??= 'warn';
  const stack = await startLocalStack({ bedrockBaseEmbedder: cachedUseLiteEmbedder() });
  let result: DocumentIngestionResult;
  try {
    result = await measureDocumentIngestion(stack, {
      documents: Number(process.env.BENCH_DOCUMENTS ?? 4),
      sections: Number(process.env.BENCH_SECTIONS ?? 40),
    });
  } finally {
    await stack.stop();
  }
  console.log(formatDocumentIngestion(result));
  const dir = resolve(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  const line = { at: new Date().toISOString(), node: process.version, documents: result };
  await writeFile(resolve(dir, 'documents-latest.json'), `${JSON.stringify(line, null, 2)}\n`);
  await appendFile(resolve(dir, 'documents-history.jsonl'), `${JSON.stringify(line)}\n`);
}
