import { describe, expect, it } from 'vitest';
import { plainRecords, planSessions, splitsOf, TurnIds } from '../../bench/recall/plan.js';
import { benchQuestions, figuresBySplit, type ScoredQuestion } from '../../bench/recall/score.js';
import type { Conversation } from '../../bench/retrieval/locomo.js';

/** The pure pieces of `npm run bench:recall`: what is sent, who owns it, and how results are scored. */

/** Two sessions; the second opens with speaker B, as 50 of the 128 development sessions do. */
const conversation: Conversation = {
  sampleId: 'conv-26',
  speakers: ['Caroline', 'Melanie'],
  sessions: [
    {
      number: 1,
      dateText: '1:56 pm on 8 May, 2023',
      date: '2023-05-08T13:56:00.000Z',
      turns: [
        { diaId: 'D1:1', session: 1, speaker: 'Caroline', text: 'I went to a support group.' },
        {
          diaId: 'D1:2',
          session: 1,
          speaker: 'Melanie',
          text: 'Look at this!',
          blipCaption: 'a photo of a sunset',
        },
      ],
    },
    {
      number: 2,
      dateText: '9:00 am on 10 May, 2023',
      date: '2023-05-10T09:00:00.000Z',
      turns: [
        { diaId: 'D2:1', session: 2, speaker: 'Melanie', text: 'How was the weekend?' },
        { diaId: 'D2:2', session: 2, speaker: 'Caroline', text: 'I painted a lake.' },
      ],
    },
  ],
  questions: [
    { question: 'Where did Caroline go?', category: 4, evidence: ['D1:1'] },
    { question: 'What did Caroline paint and when?', category: 2, evidence: ['D2:2', 'D1:1'] },
  ],
};

describe('bench:recall session events', () => {
  it('makes every session the user’s, keeps each turn’s true role, and leaves the name out of the text', () => {
    // Act
    const sessions = planSessions(conversation);

    // Assess
    expect(sessions.map((s) => s.sessionId)).toEqual(['conv-26-D1', 'conv-26-D2']);
    const events = sessions.flatMap((s) => s.events);
    expect(events.map((e) => e.diaId)).toEqual(['D1:1', 'D1:2', 'D2:1', 'D2:2']);
    // The owner is the first event's actor: the user's id even when speaker B opens the session.
    expect(events.map((e) => e.request.actorId)).toEqual(['conv-26', 'conv-26', 'conv-26', 'conv-26']);
    expect(sessions[1]!.events[0]!.request.role).toBe('ASSISTANT');
    expect(events.map((e) => e.request.role)).toEqual(['USER', 'ASSISTANT', 'ASSISTANT', 'USER']);
    expect(events.map((e) => e.request.sessionId)).toEqual([
      'conv-26-D1',
      'conv-26-D1',
      'conv-26-D2',
      'conv-26-D2',
    ]);
    expect(events[1]!.request.content).toEqual([{ text: 'Look at this! [shares a photo of a sunset]' }]);
    for (const event of events) {
      expect(event.request.content[0]!.text).not.toMatch(/Caroline|Melanie/);
    }
    expect(events.map((e) => e.request.createdAt)).toEqual([
      '2023-05-08T13:56:00.000Z',
      '2023-05-08T13:56:30.000Z',
      '2023-05-10T09:00:00.000Z',
      '2023-05-10T09:00:30.000Z',
    ]);
  });

  it('refuses a session without a usable date and a speaker who is neither A nor B', () => {
    const undated: Conversation = {
      ...conversation,
      sessions: [{ ...conversation.sessions[0]!, dateText: 'someday', date: undefined }],
    };
    expect(() => planSessions(undated)).toThrow(/session 1: date "someday" does not parse/);

    const stranger: Conversation = {
      ...conversation,
      sessions: [
        {
          ...conversation.sessions[0]!,
          turns: [{ diaId: 'D1:1', session: 1, speaker: 'Bob', text: 'Hi' }],
        },
      ],
    };
    expect(() => planSessions(stranger)).toThrow(/D1:1: speaker is neither A nor B/);
  });
});

describe('bench:recall plain client', () => {
  it('stores one record per turn with the speaker in the text, its session and turn id, and nothing else', () => {
    const records = plainRecords(conversation);

    expect(records).toHaveLength(4);
    expect(records[1]).toEqual({
      id: 'conv-26-D1-2',
      text: 'Melanie: Look at this! [shares a photo of a sunset]',
      ownerId: 'conv-26',
      sessionId: 'conv-26-D1',
      sourceRefs: ['D1:2'],
    });
  });
});

describe('bench:recall scoring', () => {
  it('turns event ids back into turn ids, once each, and counts references it does not know', () => {
    const turnIds = new TurnIds();
    turnIds.add('evt-a', 'D1:1');
    turnIds.add('evt-b', 'D2:2');
    turnIds.add('evt-a', 'D1:1'); // the same answer twice (a retried append) is fine

    expect(turnIds.turnsOf(['evt-b', 'evt-x', 'evt-a', 'evt-b'])).toEqual(['D2:2', 'D1:1']);
    expect(turnIds.turnsOf(undefined)).toEqual([]);
    expect(turnIds.unknownRefs).toBe(1);
    expect(() => turnIds.add('evt-a', 'D2:1')).toThrow(/returned for both D1:1 and D2:1/);
  });

  it('scores mapped results per split, and a conversation outside the splits only under all', () => {
    // Prepare: the question of conv-26 finds half its evidence in the top 5; conv-41's finds all
    // of it at rank 6; conv-99 (not in a split) finds nothing.
    const turnIds = new TurnIds();
    turnIds.add('evt-1', 'D2:2');
    turnIds.add('evt-2', 'D1:1');
    const miss = turnIds.turnsOf(['evt-none']);
    const outcomes: ScoredQuestion[] = [
      {
        sampleId: 'conv-26',
        category: 2,
        evidence: ['D2:2', 'D1:1'],
        retrieved: [turnIds.turnsOf(['evt-1']), miss, miss, miss, miss],
      },
      {
        sampleId: 'conv-41',
        category: 4,
        evidence: ['D1:1'],
        retrieved: [miss, miss, miss, miss, miss, turnIds.turnsOf(['evt-2'])],
      },
      { sampleId: 'conv-99', category: 4, evidence: ['D1:1'], retrieved: [] },
    ];

    // Act
    const figures = figuresBySplit(outcomes);

    // Assess
    expect(Object.keys(figures)).toEqual(['tune', 'held-out', 'all']);
    expect(figures.tune!.all!.turnRecall).toEqual({ 5: 0.5, 10: 0.5 });
    expect(figures['held-out']!.all!.turnRecall).toEqual({ 5: 0, 10: 1 });
    expect(figures.all!.all!.questions).toBe(3);
    expect(figures.all!.all!.turnRecall[10]).toBe(0.5);
    expect(figures.all!['4']!.turnRecall[10]).toBe(0.5);
    expect(splitsOf('conv-99')).toEqual(['all']);
  });

  it('asks every question of the conversation, or the first n of each', () => {
    expect(benchQuestions([conversation]).map((q) => [q.ownerId, q.category])).toEqual([
      ['conv-26', 4],
      ['conv-26', 2],
    ]);
    expect(benchQuestions([conversation], 1)).toHaveLength(1);
  });
});
