import { expect, test } from 'vitest';
import { alertsReducer, initialAlerts, MAX_ALERTS } from '../../../src/ui/state/alerts.js';
import { ev, fold } from '../helpers.js';

test('warnings and errors are listed, repeats counted, the list bounded', () => {
  const events = [
    ev('warning', 1, { code: 'slow_tts', message: 'TTS is slow', speechId: 's1' }),
    ev('error', 2, {
      code: 'rate_limited',
      message: '429 Too Many Requests',
      source: 'openai.llm',
      recoverable: true,
      status: 429,
    }),
    ev('warning', 3, { code: 'slow_tts', message: 'TTS is slow' }),
  ];
  const s = fold(alertsReducer, initialAlerts, events);
  expect(s.items.map((a) => [a.level, a.code, a.count])).toEqual([
    ['error', 'rate_limited', 1],
    ['warning', 'slow_tts', 2],
  ]);
  expect(s.items[1]).toMatchObject({ firstAt: 1, lastAt: 3 });
  expect(s.items[0]).toMatchObject({ source: 'openai.llm', status: 429 });

  const many = Array.from({ length: MAX_ALERTS + 5 }, (_, i) =>
    ev('warning', i, { code: `w${i}`, message: 'm' }),
  );
  expect(fold(alertsReducer, initialAlerts, many).items).toHaveLength(MAX_ALERTS);
});

test('a deadlock is kept apart with its cycle and open waits', () => {
  const s = fold(alertsReducer, initialAlerts, [
    ev('deadlock', 7, {
      cycle: ['speech_1', 'tool call_1'],
      description: 'speech_1 waits for call_1 which waits for speech_1',
      openWaits: ['tool call_1 playout of speech_1, 340 ms'],
    }),
    ev('warning', 8, { code: 'x', message: 'y' }),
  ]);
  expect(s.deadlock).toMatchObject({ t: 7, cycle: ['speech_1', 'tool call_1'] });
  expect(s.items).toHaveLength(1);
});
