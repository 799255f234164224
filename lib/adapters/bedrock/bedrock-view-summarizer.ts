import { fits } from '../../domain/custom-attributes.js';
import { VIEW_LIMITS } from '../../domain/summary-views.js';
import type { ViewSummarizer, ViewSummaryInput, ViewSummaryResult } from '../../ports/summary-views.js';
import { type BedrockConverseOptions, ConverseCaller } from './converse/caller.js';
import { cutToLength, readText, readToolInput } from './converse/read-output.js';
import {
  RECORD_VIEW_SUMMARY_TOOL,
  viewFieldsToolConfig,
  viewSystemPrompt,
  viewUserMessage,
} from './converse/view-prompts.js';

/**
 * Summary-view refreshes over Bedrock Converse, through the same caller as extraction (throttling
 * backoff inside the invocation's time, usage of unusable replies carried on the error). Text views
 * read the reply's text; structured views force `record_view_summary`, whose input keeps only the
 * declared fields whose values have their declared type.
 */
export class BedrockConverseViewSummarizer implements ViewSummarizer {
  readonly id: string;
  readonly #caller: ConverseCaller;

  constructor(options: BedrockConverseOptions) {
    this.#caller = new ConverseCaller(options, 1_024);
    this.id = options.modelId;
  }

  async summarize(input: ViewSummaryInput): Promise<ViewSummaryResult> {
    const system = viewSystemPrompt(input.output);
    const user = viewUserMessage(input);
    if (input.output.format === 'text') {
      const { value, usage } = await this.#caller.call({ system, user }, readText, 'summary text');
      return { text: cutToLength(value, VIEW_LIMITS.resultChars), usage };
    }
    const declared = input.output.schema.fields;
    const { value, usage } = await this.#caller.call(
      { system, user, toolConfig: viewFieldsToolConfig(input.output) },
      (output) => {
        const raw = readToolInput(output, RECORD_VIEW_SUMMARY_TOOL);
        if (!raw.ok) return raw;
        if (typeof raw.value !== 'object' || raw.value === null || Array.isArray(raw.value)) {
          return { ok: false, problem: `${RECORD_VIEW_SUMMARY_TOOL} input is not an object` };
        }
        const given = raw.value as Record<string, unknown>;
        const fields: Record<string, unknown> = {};
        for (const field of declared) {
          const v = given[field.name];
          if (v !== undefined && fits(v, field.type)) fields[field.name] = v;
        }
        if (JSON.stringify(fields).length > VIEW_LIMITS.resultChars) {
          return { ok: false, problem: 'the fields are longer than a view result may be' };
        }
        return { ok: true, value: fields };
      },
      `${RECORD_VIEW_SUMMARY_TOOL} tool call`,
    );
    return { fields: value, usage };
  }
}
