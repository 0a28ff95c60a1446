/**
 * LiveKit's turn-taking, black-box on the virtual clock (issue 11, items 1, 2, 14): the
 * scenarios follow LiveKit's own timeline tests (tests/test_agent_session.py), in ms.
 */
import { describe, expect, it } from 'vitest';
import { Agent } from 'voxagent';
import { type Harness, settle, startHarness } from './harness.js';

const agent = () => new Agent({ name: 'A', instructions: 'x' });

/** The user asks for a story at 0.5–2.5 s; the reply's audio is `storyMs` long. */
function story(storyMs: number, llm: { ttftMs?: number; durationMs?: number } = {}) {
  return {
    responses: [{ when: { input: 'story' }, text: 'Here is a long story for you.', ...llm }],
    tts: { audioMs: { 'Here is a long story for you.': storyMs } },
  };
}

const finished = (h: Harness) => h.output.segments.map((s) => [s.playedMs, s.interrupted]);

describe('minWords gates interruption by a turn (item 1)', () => {
  it('"Stop!" alone neither commits nor interrupts; "ok, stop!" after it interrupts at its final transcript', async () => {
    const h = await startHarness(agent(), {
      ...story(5000),
      utterances: [
        { startMs: 500, endMs: 2500, transcript: 'Tell me a story.' },
        { startMs: 5000, endMs: 6000, transcript: 'Stop!' },
        { startMs: 6500, endMs: 7500, transcript: 'ok, stop!', sttDelayMs: 0 },
      ],
      session: { interruption: { minWords: 3 }, preemptiveGeneration: false },
    });
    await h.advance(20_000);
    await settle(h);
    const interrupted = h.of('speech.interrupted');
    expect(interrupted.map((e) => [e.t, e.by])).toEqual([[7500, 'user_speech']]);
    // Playback started at 3 100 ms (EOU 3 000 + the model and TTS at 0): heard 4 400 ms.
    expect(finished(h)[0]).toEqual([7500 - h.of('speech.playing')[0]!.t, true]);
    // The short words joined the next turn: one turn, not two.
    expect(h.of('user.turn').map((e) => e.text)).toEqual(['Tell me a story.', 'Stop! ok, stop!']);
  });

  it('without speech playing, a turn of fewer words than the minimum is still a turn', async () => {
    const h = await startHarness(agent(), {
      responses: [{ when: { input: 'Hi' }, text: 'Hello.' }],
      utterances: [{ startMs: 500, endMs: 900, transcript: 'Hi' }],
      session: { interruption: { minWords: 3 } },
    });
    await h.advance(5000);
    await settle(h);
    expect(h.of('user.turn').map((e) => e.text)).toEqual(['Hi']);
  });

  it('words kept back become a turn when the agent stops speaking (input is never dropped)', async () => {
    const h = await startHarness(agent(), {
      ...story(3000),
      utterances: [
        { startMs: 500, endMs: 2500, transcript: 'Tell me a story.' },
        { startMs: 4000, endMs: 4600, transcript: 'wow' },
      ],
      session: { interruption: { minWords: 2 }, preemptiveGeneration: false },
    });
    await h.advance(20_000);
    await settle(h);
    expect(h.of('speech.interrupted')).toEqual([]);
    const turns = h.of('user.turn');
    expect(turns.map((e) => e.text)).toEqual(['Tell me a story.', 'wow']);
    // Committed when the story ended, not before.
    expect(turns[1]!.t).toBe(h.of('speech.done')[0]!.t);
  });
});

describe('false interruptions hold, then resume (item 2)', () => {
  it('noise before the first audio holds the reply; it plays after the timeout with a resumed event', async () => {
    const h = await startHarness(agent(), {
      ...story(5000, { ttftMs: 1000, durationMs: 1000 }),
      utterances: [
        { startMs: 500, endMs: 2500, transcript: 'Tell me a story.' },
        // 1.15 s of sound without words while the reply is still generating.
        { startMs: 3100, endMs: 4250 },
      ],
      session: { preemptiveGeneration: false },
    });
    await h.advance(20_000);
    await settle(h);
    expect(h.of('speech.paused').map((e) => [e.t, e.playedMs])).toEqual([[3600, 0]]);
    expect(h.of('user.false_interruption')).toMatchObject([{ t: 4250 + 2000, resumed: true }]);
    // It kept generating and played in full once resumed: the question was answered.
    expect(h.of('speech.playing')[0]!.t).toBe(6250);
    expect(h.of('speech.done')[0]).toMatchObject({ reason: 'completed', playedMs: 5000 });
    expect(h.of('speech.interrupted')).toEqual([]);
  });

  it('a short noise during the false-interruption timeout does not strand the held reply (fuzz finding)', async () => {
    const h = await startHarness(agent(), {
      ...story(5000, { ttftMs: 1000, durationMs: 1000 }),
      utterances: [
        { startMs: 500, endMs: 2500, transcript: 'Tell me a story.' },
        // Long noise holds the reply; a cough shorter than the minimum duration comes
        // during its false-interruption timeout (2 s) and ends with no words either.
        { startMs: 3100, endMs: 4250 },
        { startMs: 4400, endMs: 4500 },
      ],
      session: { preemptiveGeneration: false },
    });
    await h.advance(20_000);
    await settle(h);
    expect(h.of('deadlock')).toEqual([]);
    // The timeout counts again from the cough's end, then the reply resumes and plays in full.
    expect(h.of('user.false_interruption')).toMatchObject([{ t: 4500 + 2000, resumed: true }]);
    expect(h.of('speech.done')[0]).toMatchObject({ reason: 'completed', playedMs: 5000 });
  });

  it('words during the hold interrupt the reply instead', async () => {
    const h = await startHarness(agent(), {
      ...story(5000, { ttftMs: 1000, durationMs: 1000 }),
      utterances: [
        { startMs: 500, endMs: 2500, transcript: 'Tell me a story.' },
        { startMs: 3100, endMs: 4000, transcript: 'no wait' },
      ],
      session: { preemptiveGeneration: false },
    });
    await h.advance(20_000);
    await settle(h);
    // Words came before the minimum duration was reached: no hold, an interruption.
    expect(h.of('speech.interrupted').map((e) => e.t)).toEqual([3600]);
    expect(h.of('speech.done')[0]).toMatchObject({ reason: 'interrupted', playedMs: 0 });
    expect(h.of('user.false_interruption')).toEqual([]);
    expect(h.output.segments.filter((s) => s.speechId === 'speech_1')).toEqual([]);
  });

  it('noise shorter than the minimum while thinking holds the first audio until its VAD end', async () => {
    const h = await startHarness(agent(), {
      responses: [{ when: { input: 'story' }, text: 'Here is a short reply.', ttftMs: 50 }],
      tts: { ttfbMs: 50 },
      utterances: [
        { startMs: 500, endMs: 2500, transcript: 'Tell me a story.' },
        // The turn commits at 3 000 ms; the noise starts while the reply is generating.
        { startMs: 3020, endMs: 3320 },
      ],
      session: { preemptiveGeneration: false },
    });
    await h.advance(20_000);
    await settle(h);
    // The reply's audio was ready at 3 100 ms but waited for the noise to end.
    expect(h.of('speech.playing').map((e) => e.t)).toEqual([3320]);
    expect(h.of('speech.paused')).toEqual([]);
    expect(h.of('agent.state').map((e) => [e.t, e.state])).toEqual([
      [0, 'listening'],
      [3000, 'thinking'],
      [3320, 'speaking'],
      [h.of('speech.done')[0]!.t, 'listening'],
    ]);
  });
});

describe('AEC warm-up (item 14)', () => {
  const scenario = (aecWarmupMs: number) =>
    startHarness(agent(), {
      ...story(15_000),
      utterances: [
        { startMs: 500, endMs: 2500, transcript: 'Tell me a story.' },
        { startMs: 4000, endMs: 5000, transcript: 'Stop!', sttDelayMs: 200 },
      ],
      session: { aecWarmupMs, preemptiveGeneration: false },
    });

  it('user speech within the warm-up does not interrupt by its sound; its committed turn does', async () => {
    const h = await scenario(3000);
    await h.advance(30_000);
    await settle(h);
    // Without warm-up the sound interrupts at 4 500 ms; with it, the turn does at 5 500 ms.
    expect(h.of('speech.interrupted').map((e) => [e.t, e.by])).toEqual([[5500, 'user_speech']]);
  });

  it('without warm-up the same speech interrupts after the minimum duration', async () => {
    const h = await scenario(0);
    await h.advance(30_000);
    await settle(h);
    expect(h.of('speech.interrupted').map((e) => e.t)).toEqual([4500]);
  });
});
