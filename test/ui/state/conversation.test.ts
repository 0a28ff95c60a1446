import { expect, test } from 'vitest';
import {
  conversationReducer,
  initialConversation,
  MAX_TURNS,
} from '../../../src/ui/state/conversation.js';
import { ev, fold } from '../helpers.js';

const done = (
  id: string,
  t: number,
  spokenText: string,
  fullText: string,
  reason: 'completed' | 'interrupted' | 'failed' = 'completed',
) =>
  ev('speech.done', t, {
    speechId: id,
    state: 'done',
    reason,
    playedMs: 0,
    totalMs: 0,
    spokenText,
    fullText,
    error: null,
  });

test('interim transcript, then a committed user turn replaces it', () => {
  const s1 = fold(conversationReducer, initialConversation, [
    ev('user.transcript', 1, { text: 'what is the', final: false }),
  ]);
  expect(s1.interim).toEqual({ text: 'what is the', final: false });
  const s2 = fold(conversationReducer, s1, [
    ev('user.turn', 2, {
      turnId: 'u1',
      text: 'what is the weather',
      source: 'speech',
      agentId: 'a1',
      waited: false,
    }),
    ev('history.added', 2, {
      itemId: 'i1',
      kind: 'message',
      role: 'user',
      text: 'what is the weather',
      interrupted: false,
    }),
  ]);
  expect(s2.interim).toBeNull();
  expect(s2.turns).toHaveLength(1);
  expect(s2.turns[0]).toMatchObject({
    role: 'user',
    text: 'what is the weather',
    source: 'speech',
  });
});

test('an interrupted agent turn keeps what was heard, the cut-off rest and who interrupted', () => {
  const s = fold(conversationReducer, initialConversation, [
    ev('speech.interrupted', 5, {
      speechId: 's1',
      step: 0,
      state: 'interrupting',
      by: 'user_speech',
      force: false,
    }),
    ev('history.added', 6, {
      itemId: 'i2',
      kind: 'message',
      role: 'assistant',
      text: 'It is sunny.',
      interrupted: true,
    }),
    done('s1', 6, 'It is sunny.', 'It is sunny. Tomorrow it rains.', 'interrupted'),
  ]);
  expect(s.turns).toHaveLength(1);
  expect(s.turns[0]).toMatchObject({
    role: 'agent',
    text: 'It is sunny.',
    cut: 'Tomorrow it rains.',
    interrupted: true,
    interruptedBy: 'user_speech',
    speechId: 's1',
  });
  expect(s.interrupts).toEqual({});
});

test('history first or speech first, one agent turn; silent handles add nothing', () => {
  const s = fold(conversationReducer, initialConversation, [
    done('s1', 1, 'Hi!', 'Hi!'),
    ev('history.added', 1, {
      itemId: 'i1',
      kind: 'message',
      role: 'assistant',
      text: 'Hi!',
      interrupted: false,
    }),
    done('s2', 2, '', ''),
    ev('history.added', 3, {
      itemId: 'i3',
      kind: 'function_call_output',
      role: 'tool',
      text: '{"ok":true}',
      interrupted: false,
    }),
  ]);
  expect(s.turns.map((t) => t.text)).toEqual(['Hi!']);
});

test('typed input and handoffs show; the same words twice are two turns', () => {
  const s = fold(conversationReducer, initialConversation, [
    ev('user.turn', 1, { turnId: 'u1', text: 'yes', source: 'text', agentId: 'a1', waited: true }),
    ev('user.turn', 2, {
      turnId: 'u2',
      text: 'yes',
      source: 'speech',
      agentId: 'a1',
      waited: false,
    }),
    ev('agent.changed', 3, {
      agentId: 'b',
      agentName: 'Billing',
      previousAgentId: 'a1',
      reason: 'handoff',
      stack: ['b'],
    }),
  ]);
  expect(s.turns.map((t) => [t.role, t.text, t.source])).toEqual([
    ['user', 'yes', 'text'],
    ['user', 'yes', 'speech'],
    ['note', 'handoff: Billing', null],
  ]);
  expect(s.turns[0]!.waited).toBe(true);
});

test('turns are bounded', () => {
  const events = Array.from({ length: MAX_TURNS + 10 }, (_, i) =>
    ev('user.turn', i, {
      turnId: `u${i}`,
      text: `turn ${i}`,
      source: 'text',
      agentId: 'a',
      waited: false,
    }),
  );
  const s = fold(conversationReducer, initialConversation, events);
  expect(s.turns).toHaveLength(MAX_TURNS);
  expect(s.turns.at(-1)!.text).toBe(`turn ${MAX_TURNS + 9}`);
});

test('a false interruption is noted; tool call items are not turns', () => {
  const s = fold(conversationReducer, initialConversation, [
    ev('user.false_interruption', 1, { speechId: 's1', resumed: true }),
    ev('history.added', 2, {
      itemId: 'i1',
      kind: 'function_call',
      role: 'assistant',
      text: 'weather({})',
      interrupted: false,
    }),
  ]);
  expect(s.turns.map((t) => [t.role, t.text])).toEqual([
    ['note', 'false interruption of s1: agent resumed'],
  ]);
});

test('a speech with a tool step is shown once per step, not again as a whole', () => {
  const said = (id: string, t: number, text: string) =>
    ev('history.added', t, {
      itemId: id,
      kind: 'message',
      role: 'assistant',
      text,
      interrupted: false,
    });
  const s = fold(conversationReducer, initialConversation, [
    said('i1', 1, 'Let me check.'),
    said('i2', 5, 'We have Giants.'),
    done('speech_1', 6, 'Let me check. We have Giants.', 'Let me check. We have Giants.'),
  ]);
  expect(s.turns.map((t) => t.text)).toEqual(['Let me check.', 'We have Giants.']);
  expect(s.turns[1]).toMatchObject({ speechId: 'speech_1' });
});
