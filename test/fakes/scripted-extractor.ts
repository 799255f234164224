import type {
  ExtractedMemory,
  ExtractionInput,
  ExtractionResult,
  MemoryExtractor,
  SessionSummarizer,
  SummaryInput,
  TokenUsage,
} from '../../lib/ports/memory-extractor.js';

type Script<T> = T | Error | ((input: never) => T);

/**
 * An extractor that answers from a script, one entry per call (the last one repeats): a result,
 * an error to throw, or a function of the input. Records every input.
 */
export class ScriptedExtractor implements MemoryExtractor {
  readonly id = 'scripted-extractor';
  readonly inputs: ExtractionInput[] = [];
  private readonly script: Array<Script<ExtractionResult>>;

  constructor(...script: Array<Script<ExtractionResult>>) {
    this.script = script.length > 0 ? script : [facts([])];
  }

  async extract(input: ExtractionInput): Promise<ExtractionResult> {
    this.inputs.push(input);
    const next = this.script.length > 1 ? this.script.shift()! : this.script[0]!;
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? (next as (i: ExtractionInput) => ExtractionResult)(input) : next;
  }
}

/** A result with these memories and a fixed token usage. */
export function facts(
  memories: ExtractedMemory[],
  usage: TokenUsage = { inputTokens: 100, outputTokens: 20 },
) {
  return { memories, usage };
}

/** One semantic memory sourced from the given events. */
export function fact(
  text: string,
  sourceEventIds: string[],
  extra: Partial<ExtractedMemory> = {},
): ExtractedMemory {
  return { text, memoryType: 'semantic', topics: [], entities: [], sourceEventIds, ...extra };
}

/** A summarizer that joins the turns' texts after the prior summary. Records every input. */
export class ScriptedSummarizer implements SessionSummarizer {
  readonly id = 'scripted-summarizer';
  readonly inputs: SummaryInput[] = [];

  async summarize(input: SummaryInput) {
    this.inputs.push(input);
    const text = [input.priorSummary, ...input.turns.map((t) => t.text)].filter(Boolean).join(' / ');
    return { text, usage: { inputTokens: 50, outputTokens: 10 } };
  }
}
