/**
 * Session files with `models.realtime`: the scripted realtime model replaces the chat
 * model; its faults (refused connect, server error, dropped socket, no answer) replay as a
 * live model's would, and `expect.realtime` checks what the model was told to cut.
 */
import { describe, expect, it } from 'vitest';
import { runSessionText } from '../../src/replay/runner.js';
import type { SessionEvent } from '../../src/runtime/events/types.js';
import type { FakeRealtimeModel } from '../../src/testing/index.js';

const FILE = 'sessions/realtime-check.yaml';
const HEAD = 'name: x\nagent: ../examples/replay/talker.ts\n';

async function replay(body: string) {
  let model: FakeRealtimeModel | undefined;
  const result = await runSessionText(HEAD + body, FILE, {
    onSession: (_session, fakes) => {
      model = fakes.realtime;
    },
  });
  const of = <K extends SessionEvent['type']>(type: K) =>
    result.eventLog.filter((e): e is Extract<SessionEvent, { type: K }> => e.type === type);
  return { result, model: model!, of };
}

describe('models.realtime in a replay', () => {
  it('faults: a refused connect, a server error and a dropped socket each give one error event; the next turn works', async () => {
    const { result, model, of } = await replay(`models:
  realtime:
    connectFailures: [{ message: invalid api key, status: 401, provider: openai.realtime }]
    responses:
      - { when: { input: one }, text: never heard }
      - when: { input: two }
        text: Cut off in the middle of a sentence.
        audio: 2s
        disconnect: { afterAudio: 500ms, reason: network }
      - when: { input: three }
        error: { message: "server error (server_error): overloaded", retryable: true }
        firstAudio: 300ms
      - { when: { input: four }, text: Back again., firstAudio: 100ms }
user:
  - { text: one, at: 0ms }
  - { text: two, at: 1s }
  - { text: three, at: 2s }
  - { text: four, at: 3s }
expect:
  noUnhandledError: false
`);
    expect(result.errors).toEqual([]);
    expect(of('error').map((e) => [e.t, e.source, e.message, e.recoverable])).toEqual([
      [0, 'openai.realtime', 'openai.realtime failed (status 401): invalid api key', true],
      [
        1000,
        'fake-realtime',
        'fake-realtime failed (status 1006): connection closed (code 1006: network)',
        true,
      ],
      [
        2300,
        'fake-realtime',
        'fake-realtime failed: server error (server_error): overloaded',
        true,
      ],
    ]);
    expect(of('speech.done').map((e) => e.reason)).toEqual([
      'failed',
      'failed',
      'failed',
      'completed',
    ]);
    expect(of('speech.done').at(-1)).toMatchObject({ spokenText: 'Back again.' });
    // The refused request never reached the model; each failure dropped the connection.
    expect(model.requests.map((r) => r.items.at(-1))).toMatchObject([
      { text: 'two' },
      { text: 'three' },
      { text: 'four' },
    ]);
    expect(model.connects.map((c) => [c.at, c.refused])).toEqual([
      [0, 'invalid api key'],
      [1000, undefined],
      [2000, undefined],
      [3000, undefined],
    ]);
  });

  it('a response that never answers holds its turn until it is interrupted', async () => {
    const { result, of } = await replay(`models:
  realtime:
    responses:
      - { when: { input: hello }, hang: true }
      - { when: { input: again }, text: Here I am., firstAudio: 50ms }
user:
  - { text: hello, at: 0ms }
  - { interrupt: true, at: 10s }
  - { text: again }
expect:
  events:
    - { event: speech.interrupted, at: 10s }
    - { event: speech.playing, at: 10050ms }
  realtime:
    truncations: []
`);
    expect(result.passed, JSON.stringify(result.expectations)).toBe(true);
    expect(of('speech.done').map((e) => e.reason)).toEqual(['interrupted', 'completed']);
  });

  it('say() speaks through models.tts; without it, the step fails with the runtime error', async () => {
    const body = (tts: string) => `models:
  realtime:
    responses: [{ text: Hi., repeat: true }]
${tts}user:
  - { say: Welcome back., at: 0ms }
`;
    const withTts = await replay(body('  tts: { msPerChar: 10 }\n'));
    expect(withTts.result.passed).toBe(true);
    expect(withTts.of('speech.done')).toMatchObject([
      { spokenText: 'Welcome back.', playedMs: 130 },
    ]);
    const without = await replay(body(''));
    expect(without.result.passed).toBe(false);
    expect(without.result.errors).toEqual([
      expect.stringMatching(
        /^step 1 \(say "Welcome back\."\) failed: .*say\(\) needs a TTS with a realtime model/,
      ),
    ]);
  });

  it('a model that writes (audioOutput: false) is spoken by models.tts', async () => {
    const { result, of } = await replay(`models:
  realtime:
    audioOutput: false
    responses: [{ when: { input: hi }, text: Hello there., firstAudio: 100ms }]
  tts: { msPerChar: 20, ttfb: 30ms }
user:
  - { text: hi, at: 0ms }
`);
    expect(result.passed).toBe(true);
    expect(of('speech.playing')[0]?.t).toBe(130);
    expect(of('speech.done')).toMatchObject([{ spokenText: 'Hello there.', playedMs: 240 }]);
  });

  it('expect.realtime.truncations fails with what the model was told instead', async () => {
    const { result } = await replay(`models:
  realtime:
    responses:
      - { when: { input: story }, text: One two three four five six seven eight., audio: 4s }
      - { when: { input: stop }, text: Okay. }
user:
  - { text: tell a story, at: 0ms }
  - { text: stop, at: 1s }
expect:
  realtime:
    truncations:
      - { audioEnd: 2s, heard: One two }
`);
    const check = result.expectations.find((x) => x.path === 'expect.realtime.truncations');
    expect(check).toMatchObject({
      passed: false,
      // The line of `truncations:` in the text.
      line: 13,
      detail:
        'truncation 1 (cut at 2s, heard "One two") does not match; truncations were: cut at 1s, heard "One two"',
    });
  });
});
