import { describe, expect, it } from 'vitest';
import { runTravelAgent, TRAVELLER } from '../../examples/travel-agent/travel-agent.js';
import { AgentMemory } from '../../sdk/src/index.js';
import { uniqueStoreId, useLocalStack } from '../support/local-stack-fixture.js';

/** `npm run example` keeps working: the same code, against the test's local stack. */
const stack = useLocalStack();

describe('the travel-agent example', () => {
  it('ends with the vegetarian found for "dietary restrictions" and in the next memory prompt', async () => {
    const storeId = uniqueStoreId('example');
    await stack().createStore(storeId);
    const apiKey = await stack().mintApiKey({ [storeId]: ['read', 'write'] });
    const lines: string[] = [];
    const result = await runTravelAgent(
      new AgentMemory({ serverURL: stack().apiUrl, apiKey, storeId }),
      (line) => lines.push(line),
    );

    expect(result.memories).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^The user is a vegetarian/),
        expect.stringMatching(/Japan/),
      ]),
    );
    expect(result.dietary[0]).toMatch(/vegetarian/);
    const [system, ...rest] = result.promptMessages;
    expect(system?.role).toBe('system');
    expect(system?.content).toMatch(/The user is a vegetarian/);
    expect(rest.at(-1)).toEqual({ role: 'user', content: 'Can you book us a dinner in Kyoto?' });
    expect(lines.join('\n')).toContain('-> The user is a vegetarian');

    // Its memories are the traveller's, in this store only.
    const mine = await new AgentMemory({ serverURL: stack().apiUrl, apiKey, storeId }).searchLongTermMemory({
      filter: { ownerId: { eq: TRAVELLER } },
    });
    expect(mine.items.map((m) => m.text).sort()).toEqual([...result.memories].sort());
  });
});
