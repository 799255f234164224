import type { AgentMemory } from '../../sdk/src/index.js';

/**
 * The travel-agent conversation from the product description, through the SDK: the chat goes into
 * working memory, is promoted to long-term memory at the end of the conversation, and a new
 * conversation days later starts from what was learnt ("dietary restrictions" finds that the
 * user is a vegetarian). Exported as a function so a test runs it against the local stack.
 */
export const TRAVELLER = 'traveller-1';

const CHAT: ReadonlyArray<readonly ['USER' | 'ASSISTANT', string]> = [
  ['USER', "I'm planning a trip to Japan next month and need help finding some restaurants for the trip."],
  ['ASSISTANT', 'Nice! What cities are you visiting?'],
  ['USER', "I'm going to Tokyo and Kyoto. Also, I'm a vegetarian."],
  ['ASSISTANT', "Good to know! I'll look for vegetarian-friendly places in both cities."],
];

export interface TravelAgentResult {
  readonly sessionId: string;
  readonly memories: readonly string[];
  readonly dietary: readonly string[];
  readonly promptMessages: ReadonlyArray<{ readonly role: string; readonly content: string }>;
}

export async function runTravelAgent(
  memory: AgentMemory,
  /**
   * Where the walk-through goes: the example's own terminal (main.ts) or a test's buffer. It shows
   * the demo conversation on purpose; nothing of it reaches the service's logs, which never hold
   * conversation text.
   */
  print: (line: string) => void,
  options: { readonly sessionId?: string; readonly promotionTimeoutMs?: number } = {},
): Promise<TravelAgentResult> {
  const sessionId = options.sessionId ?? `trip-${Date.now().toString(36)}`;
  print(`1. The conversation (session ${sessionId}) goes into working memory:`);
  for (const [i, [role, text]] of CHAT.entries()) {
    await memory.addSessionEvent({
      sessionId,
      actorId: role === 'USER' ? TRAVELLER : 'travel-agent',
      role,
      content: [{ text }],
      createdAt: new Date(Date.now() - (CHAT.length - i) * 1000),
    });
    print(`   ${role.padEnd(9)} ${text}`);
  }

  print('2. The conversation ends: promote it to long-term memory now, and wait for extraction.');
  await memory.promoteSessionNow(sessionId);
  await waitForPromotion(memory, sessionId, print, options.promotionTimeoutMs ?? 60_000);

  const { items } = await memory.searchLongTermMemory({
    filter: { sessionId: { eq: sessionId } },
    limit: 20,
  });
  const memories = items.map((m) => m.text);
  print('   Long-term memories extracted:');
  for (const text of memories) print(`   - ${text}`);

  print('3. Days later, a new conversation: what does the agent know about dietary restrictions?');
  const dietary = (
    await memory.searchLongTermMemory({
      text: 'dietary restrictions',
      filter: { ownerId: { eq: TRAVELLER } },
      limit: 1,
    })
  ).items.map((m) => m.text);
  for (const text of dietary) print(`   -> ${text}`);

  print('4. The memory prompt for the next question, ready for the LLM:');
  const prompt = await memory.memoryPrompt({
    query: 'Can you book us a dinner in Kyoto?',
    ownerId: TRAVELLER,
  });
  for (const message of prompt.messages)
    print(`   [${message.role}] ${message.content.replace(/\n/g, '\n            ')}`);
  return { sessionId, memories, dietary, promptMessages: prompt.messages };
}

async function waitForPromotion(
  memory: AgentMemory,
  sessionId: string,
  print: (line: string) => void,
  timeoutMs: number,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    const status = await memory.getPromotionStatus(sessionId);
    if (status.pendingEvents === 0 && status.processedEvents > 0) {
      print(
        `   extracted ${status.processedEvents} events into ${status.memoriesWritten} memories in ${Date.now() - started} ms`,
      );
      return;
    }
    if (status.lastError) print(`   last run failed (${status.lastError.code}); it is retried`);
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `promotion did not finish within ${timeoutMs} ms (${status.pendingEvents} events pending)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
