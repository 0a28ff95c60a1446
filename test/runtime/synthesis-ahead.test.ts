import { describe, expect, it } from 'vitest';
import {
  Agent,
  type AudioFrame,
  frameDurationMs,
  type ModelCallContext,
  type SynthesizedAudio,
  type TTS,
  toneFrame,
} from 'voxagent';
import { FakeTTS } from 'voxagent/testing';
import { type Harness, settle, startHarness } from './harness.js';

/**
 * Synthesis is bounded by playout (`maxSynthesisAheadMs`): text goes to the TTS, and audio
 * is taken from it, only while little enough is waiting to be heard. Everything runs on the
 * virtual clock with a TTS that answers at once, the worst case for a runaway.
 */

const MS_PER_CHAR = 60;

/** A FakeTTS that records when each text piece is handed to it and each frame taken. */
class RecordingTTS implements TTS {
  readonly label = 'recording-tts';
  readonly sampleRate = 16000;
  readonly handed: { at: number; text: string }[] = [];
  readonly taken: { at: number; ms: number }[] = [];
  readonly #inner = new FakeTTS({ msPerChar: MS_PER_CHAR });

  durationOf(text: string): number {
    return this.#inner.durationOf(text);
  }

  async *synthesize(
    text: AsyncIterable<string>,
    ctx: ModelCallContext,
  ): AsyncIterable<SynthesizedAudio> {
    const handed = this.handed;
    async function* recorded() {
      for await (const piece of text) {
        handed.push({ at: ctx.clock.now(), text: piece });
        yield piece;
      }
    }
    for await (const audio of this.#inner.synthesize(recorded(), ctx)) {
      this.taken.push({ at: ctx.clock.now(), ms: frameDurationMs(audio.frame) });
      yield audio;
    }
  }
}

/** A long model reply: `count` sentences of about 2.6 s of speech each. */
function longReply(count: number): string {
  return Array.from({ length: count }, (_, i) => `Sentence ${i + 10} is here to be heard.`).join(
    ' ',
  );
}

const quiet = () => new Agent({ name: 'A', instructions: 'x' });

async function replyHarness(sentences: number, session: Record<string, unknown> = {}) {
  const tts = new RecordingTTS();
  const h = await startHarness(quiet(), {
    responses: [{ text: longReply(sentences) }],
    session: { tts, ...session },
  });
  return { h, tts };
}

/** Milliseconds heard by `at`: playback from the first frame, minus the paused spans. */
function playedBy(h: Harness, at: number): number {
  const segment = h.output.segments[0]!;
  const paused = pausedSpans(h).reduce(
    (sum, [from, to]) => sum + Math.max(0, Math.min(at, to) - from),
    0,
  );
  return Math.max(0, Math.min(segment.receivedMs, at - segment.startedAt - paused));
}

function pausedSpans(h: Harness): [number, number][] {
  const resumed = h.of('speech.resumed');
  return h.of('speech.paused').map((p, i) => [p.t, resumed[i]?.t ?? Number.POSITIVE_INFINITY]);
}

/** The most audio that was asked for (handed text) and not yet heard, over the run. */
function maxRequestedAhead(h: Harness, tts: RecordingTTS): number {
  let requested = 0;
  let max = 0;
  for (const piece of tts.handed) {
    // Checked as each piece is handed over: what came before it and is still unheard.
    max = Math.max(max, requested - playedBy(h, piece.at));
    requested += tts.durationOf(piece.text);
  }
  return max;
}

/** The most audio taken from the TTS and not yet heard, at the moment of each take. */
function maxTakenAhead(h: Harness, tts: RecordingTTS): number {
  let taken = 0;
  let max = 0;
  for (const frame of tts.taken) {
    max = Math.max(max, taken - playedBy(h, frame.at));
    taken += frame.ms;
  }
  return max;
}

describe('synthesis runs a bounded amount of audio ahead of playout', () => {
  it('a long reply: text is handed over only as playout catches up (default 10 s)', async () => {
    const { h, tts } = await replyHarness(40);
    const reply = longReply(40);
    h.session.generateReply({ userInput: 'tell me everything' });
    await settle(h, 600_000);
    const done = h.of('speech.done')[0]!;
    const longest = Math.max(...tts.handed.map((p) => tts.durationOf(p.text)));
    expect(done).toMatchObject({ reason: 'completed', fullText: reply, spokenText: reply });
    // Every piece was asked for exactly once.
    expect(tts.handed.map((p) => p.text).join(' ')).toBe(reply);
    // Never more than the bound (plus the sentence being synthesized) ahead of the listener…
    expect(maxRequestedAhead(h, tts)).toBeLessThanOrEqual(10_000 + longest);
    expect(maxTakenAhead(h, tts)).toBeLessThanOrEqual(10_000 + 20);
    // …and the lookahead is used: the output never ran dry.
    expect(maxRequestedAhead(h, tts)).toBeGreaterThan(10_000 - longest);
    const segment = h.output.segments[0]!;
    expect(segment.endedAt! - segment.startedAt).toBe(done.totalMs);
    expect(done.totalMs).toBe(tts.handed.reduce((sum, p) => sum + tts.durationOf(p.text), 0));
    // Requests follow playback: in the first 30 s of playback, ~40 s of audio was asked for.
    const askedEarly = tts.handed
      .filter((p) => p.at <= segment.startedAt + 30_000)
      .reduce((sum, p) => sum + tts.durationOf(p.text), 0);
    expect(askedEarly).toBeLessThanOrEqual(30_000 + 10_000 + longest);
  });

  it('the bound is a session option', async () => {
    const { h, tts } = await replyHarness(20, { maxSynthesisAheadMs: 3000 });
    h.session.generateReply({ userInput: 'go on' });
    await settle(h, 600_000);
    const longest = Math.max(...tts.handed.map((p) => tts.durationOf(p.text)));
    expect(h.of('speech.done')[0]).toMatchObject({ reason: 'completed' });
    expect(maxRequestedAhead(h, tts)).toBeLessThanOrEqual(3000 + longest);
    expect(maxTakenAhead(h, tts)).toBeLessThanOrEqual(3000 + 20);
  });

  it('a paused speech holds synthesis; it goes on when the speech resumes', async () => {
    const { h, tts } = await replyHarness(30, {
      interruption: { falseInterruptionTimeoutMs: 4000 },
    });
    h.session.generateReply({ userInput: 'talk' });
    // Noise from 20 s to 21 s: the speech pauses after 0.5 s, resumes 4 s after the noise ends.
    h.user.speak({ startMs: 20_000, endMs: 21_000 });
    await settle(h, 600_000);
    expect(h.of('speech.done')[0]).toMatchObject({ reason: 'completed' });
    const [[pausedAt, resumedAt]] = pausedSpans(h) as [[number, number]];
    expect(resumedAt - pausedAt).toBeGreaterThanOrEqual(4000);
    const during = (at: number) => at > pausedAt && at < resumedAt;
    expect(tts.handed.filter((p) => during(p.at))).toEqual([]);
    expect(tts.taken.filter((f) => during(f.at))).toEqual([]);
    // It was holding back (not done) when the pause began, and went on after it.
    expect(tts.handed.some((p) => p.at >= resumedAt)).toBe(true);
    const longest = Math.max(...tts.handed.map((p) => tts.durationOf(p.text)));
    expect(maxRequestedAhead(h, tts)).toBeLessThanOrEqual(10_000 + longest);
    expect(maxTakenAhead(h, tts)).toBeLessThanOrEqual(10_000 + 20);
  });

  it('an interruption releases the held synthesis at once, and the next speech plays', async () => {
    // No away window either: no timer may be left at the end.
    const { h, tts } = await replyHarness(30, { userAwayTimeoutMs: null });
    const reply = h.session.generateReply({ userInput: 'talk' });
    await h.advance(5000);
    const handedBefore = tts.handed.length;
    expect(handedBefore).toBeLessThan(30);
    reply.interrupt();
    await h.advance(0);
    expect(reply.endReason).toBe('interrupted');
    expect(h.of('speech.done')[0]!.t).toBe(5000);
    const next = h.session.say('Next thing.');
    await settle(h);
    expect(next.endReason).toBe('completed');
    // Nothing more of the interrupted reply was asked for, and no wait of it is left.
    expect(tts.handed.slice(handedBefore).map((p) => p.text)).toEqual(['Next thing.']);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('pre-rendered audio for say() is taken no faster than the bound allows', async () => {
    const h = await startHarness(quiet());
    const taken: number[] = [];
    async function* minute(): AsyncGenerator<AudioFrame> {
      for (let ms = 0; ms < 60_000; ms += 20) {
        taken.push(h.clock.now());
        yield toneFrame(20, 16000);
      }
    }
    const handle = h.session.say('A minute of tone.', { audio: minute() });
    await settle(h, 600_000);
    expect(handle.endReason).toBe('completed');
    const startedAt = h.output.segments[0]!.startedAt;
    const worst = Math.max(...taken.map((at, i) => i * 20 - Math.max(0, at - startedAt)));
    expect(worst).toBeLessThanOrEqual(10_000 + 20);
    expect(h.of('speech.done')[0]).toMatchObject({ totalMs: 60_000 });
  });

  it('rejects a bound that is not a positive number, naming the option', async () => {
    for (const bad of [0, -5, Number.NaN]) {
      await expect(
        startHarness(quiet(), { session: { maxSynthesisAheadMs: bad } }),
      ).rejects.toThrow(`maxSynthesisAheadMs must be a number > 0`);
    }
  });
});
