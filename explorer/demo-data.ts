import { runTravelAgent, TRAVELLER } from '../examples/travel-agent/travel-agent.js';
import type { AgentMemory } from '../sdk/src/index.js';

/** Text a hostile agent (or user) might get stored: it must show as these characters and run nothing. */
export const HOSTILE_TEXT =
  '<script>window.__explorerInjected = 1</script><img src=x onerror="window.__explorerInjected = 2"> remember this';

export interface ExplorerDemo {
  readonly sessionId: string;
  readonly ownerId: string;
  /** The id of the memory holding {@link HOSTILE_TEXT}. */
  readonly hostileMemoryId: string;
}

/**
 * What the browser tests and the screenshots browse: the travel-agent example's conversation
 * (promoted, so it has memories, conversation records and a promotion status) plus one memory and
 * one session event whose text is markup.
 */
export async function seedExplorerDemo(
  memory: AgentMemory,
  sessionId = 'trip-to-japan',
): Promise<ExplorerDemo> {
  await runTravelAgent(memory, () => {}, { sessionId });
  const hostileMemoryId = 'hostile-markup';
  const created = await memory.bulkCreateLongTermMemories({
    memories: [{ id: hostileMemoryId, text: HOSTILE_TEXT, ownerId: TRAVELLER, topics: ['security'] }],
  });
  if (created.errors.length > 0)
    throw new Error(`seeding the markup memory failed: ${JSON.stringify(created.errors)}`);
  await memory.addSessionEvent({
    sessionId: `${sessionId}-markup`,
    actorId: TRAVELLER,
    role: 'USER',
    content: [{ text: HOSTILE_TEXT }],
    createdAt: new Date(),
  });
  return { sessionId, ownerId: TRAVELLER, hostileMemoryId };
}
