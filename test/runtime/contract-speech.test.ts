import { describe, expect, it } from 'vitest';
import {
  Agent,
  AgentSession,
  AgentTask,
  SessionClosedError,
  type SessionEvent,
  tool,
} from 'voxagent';
import { FakeAudioOutput, FakeTTS, FakeUserSpeech, VirtualClock } from 'voxagent/testing';
import { z } from 'zod';
import { drive, settle, startHarness } from './harness.js';

const quiet = () => new Agent({ name: 'A', instructions: 'x' });

describe('C1: one queue, explicit order', () => {
  it('plays speech one at a time, first come first served', async () => {
    const h = await startHarness(quiet());
    const a = h.session.say('First sentence here.');
    const b = h.session.say('Second sentence here.');
    const c = h.session.say('Third sentence here.');
    await settle(h);
    expect(h.output.segments.map((s) => s.speechId)).toEqual([a.id, b.id, c.id]);
    for (let i = 1; i < 3; i++) {
      expect(h.output.segments[i]!.startedAt).toBeGreaterThanOrEqual(
        h.output.segments[i - 1]!.endedAt!,
      );
    }
  });

  it('releases the output while tools run, and queues the tool reply ahead of normal speech', async () => {
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        slow: tool({
          description: 'slow',
          execute: async (_a, ctx) => {
            await ctx.session.clock.sleep(2000);
            return 'slow result';
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        { when: { input: 'go' }, text: 'Working on it.', toolCalls: [{ name: 'slow' }] },
        { when: { toolResult: 'slow result' }, text: 'Here is the slow result.' },
      ],
    });
    h.session.sendUserText('go');
    await h.advance(500);
    // The tool still runs: other speech may use the output meanwhile.
    const during = h.session.say('Meanwhile, some news.');
    await h.advance(1300);
    const long = h.session.say(
      'A long announcement that is still playing when the tool result arrives here.',
    );
    await h.advance(100);
    // Queued before the tool finishes, but normal priority: the tool reply goes first.
    const after = h.session.say('This was queued later.');
    await settle(h);
    const order = h.output.segments.map((s) => s.speechId);
    expect(order).toEqual(['speech_1', during.id, long.id, 'speech_1', after.id]);
    expect(
      h
        .of('speech.queued')
        .filter((e) => e.speechId === 'speech_1')
        .map((e) => e.step),
    ).toEqual([0, 1]);
  });
});

describe('C2: asking to speak never fails while the session is open', () => {
  it('accepts say() while a task starts, completes, and during a handoff; all of it plays', async () => {
    class Ask extends AgentTask<string> {
      constructor() {
        super({
          name: 'Ask',
          instructions: 'ask',
          tools: {
            done: tool({
              description: 'done',
              execute: async (_a, ctx) => {
                this.complete('yes');
                ctx.session.say('Said while the task completes.');
                return 'ok';
              },
            }),
          },
          onEnter: (a) => {
            a.session.say('Said in the task onEnter.');
          },
        });
      }
    }
    const second = new Agent({ name: 'Second', instructions: 'y' });
    const first = new Agent({
      name: 'First',
      instructions: 'x',
      tools: {
        ask: tool({
          description: 'ask',
          execute: async (_a, ctx) => {
            ctx.session.say('Said as the task starts.');
            const answer = await new Ask();
            ctx.session.updateAgent(second);
            ctx.session.say('Said during the handoff.');
            return answer;
          },
        }),
      },
    });
    const h = await startHarness(first, {
      responses: [
        { when: { input: 'start' }, toolCalls: [{ name: 'ask' }] },
        { when: { input: 'finish' }, toolCalls: [{ name: 'done' }] },
      ],
    });
    h.session.sendUserText('start');
    await settle(h);
    h.session.sendUserText('finish');
    await settle(h);
    const says = h.of('speech.created').filter((e) => e.source === 'say');
    expect(says).toHaveLength(4);
    const ends = h.of('speech.done').filter((d) => says.some((s) => s.speechId === d.speechId));
    expect(ends.map((e) => e.reason)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(h.session.agent.name).toBe('Second');
    expect(h.of('error')).toEqual([]);
  });

  it('after close(), say() and generateReply() fail at once with SessionClosedError', async () => {
    const h = await startHarness(quiet());
    await h.drive(h.session.close());
    expect(() => h.session.say('late')).toThrow(SessionClosedError);
    expect(() => h.session.generateReply()).toThrow(SessionClosedError);
    await expect(h.session.run({ userInput: 'x' })).rejects.toThrow(SessionClosedError);
  });
});

describe('C5: waits see interruptions at once', () => {
  it('clears the output in the same tick as the interruption and records what was heard', async () => {
    const h = await startHarness(quiet(), { tts: { msPerChar: 20 } });
    const handle = h.session.say('One two three four five six seven eight nine ten.');
    await h.advance(400);
    void h.session.interrupt();
    const interrupted = h.of('speech.interrupted')[0]!;
    const cleared = h.of('output.cleared')[0]!;
    expect(cleared.t).toBe(interrupted.t);
    await h.drive(handle.waitForPlayout());
    const done = h.of('speech.done')[0]!;
    expect(done).toMatchObject({ reason: 'interrupted', playedMs: 400 });
    expect(done.t).toBe(interrupted.t);
    expect(done.spokenText).toBe('One two three four');
    expect(h.session.history.at(-1)).toMatchObject({
      role: 'assistant',
      text: 'One two three four',
      interrupted: true,
    });
  });

  it('an interruption while the TTS is still producing keeps what was said, and nothing follows done', async () => {
    // Paced at typical speech (65 ms a character): the sentence is still being synthesized.
    const h = await startHarness(quiet(), { tts: { msPerChar: 65, paced: true } });
    const text = 'One two three four five six seven eight nine ten.';
    const handle = h.session.say(text);
    await h.advance(1300);
    void h.session.interrupt();
    await settle(h);
    const done = h.of('speech.done')[0]!;
    expect(done).toMatchObject({
      reason: 'interrupted',
      fullText: text,
      spokenText: 'One two three four',
    });
    expect(done.playedMs).toBeGreaterThan(0);
    expect(done.totalMs).toBeGreaterThanOrEqual(done.playedMs);
    const after = h.events.filter(
      (e) => e.seq > done.seq && 'speechId' in e && e.speechId === handle.id,
    );
    expect(after).toEqual([]);
    expect(h.session.history.at(-1)).toMatchObject({
      text: 'One two three four',
      interrupted: true,
    });
  });

  it('with an output that never reports, settles within playoutSettleMs and warns', async () => {
    const h = await startHarness(quiet(), {
      output: { reporting: false },
      session: { playoutSettleMs: 120 },
    });
    const handle = h.session.say('A long sentence that will be cut off midway.');
    await h.advance(300);
    void h.session.interrupt();
    const at = h.clock.now();
    await h.drive(handle.waitForPlayout());
    expect(h.clock.now() - at).toBe(120);
    expect(h.of('warning').map((w) => w.code)).toContain('output_never_reports');
    expect(h.of('speech.done')[0]!.playedMs).toBe(300);
  });
});

describe('C6: user input is never dropped', () => {
  it('input during non-interruptible speech waits and runs right after it', async () => {
    const h = await startHarness(quiet(), {
      responses: [{ when: { input: 'question' }, text: 'The answer.' }],
    });
    const notice = h.session.say('This notice cannot be interrupted, please listen.', {
      allowInterruptions: false,
    });
    await h.advance(200);
    h.session.sendUserText('a question');
    await settle(h);
    expect(h.of('user.turn')[0]).toMatchObject({ text: 'a question', waited: true });
    expect(h.of('speech.done').map((d) => [d.speechId, d.reason])).toEqual([
      [notice.id, 'completed'],
      ['speech_2', 'completed'],
    ]);
    expect(h.output.segments[1]!.startedAt).toBe(h.output.segments[0]!.endedAt);
  });

  it('input during interruptible speech interrupts it; every input is a turn and in the history', async () => {
    const h = await startHarness(quiet(), {
      responses: [
        { when: { input: 'one' }, text: 'Reply to the first input, which is long enough.' },
        { when: { input: 'two' }, text: 'Reply two.' },
        { when: { input: 'three' }, text: 'Reply three.' },
      ],
    });
    h.session.sendUserText('one');
    await h.advance(100);
    h.session.sendUserText('two');
    h.session.generateReply({ userInput: 'three' });
    await settle(h);
    expect(h.of('user.turn').map((t) => t.text)).toEqual(['one', 'two', 'three']);
    const users = h.session.history.filter((i) => i.type === 'message' && i.role === 'user');
    expect(users).toHaveLength(3);
    expect(h.of('speech.done')[0]).toMatchObject({ speechId: 'speech_1', reason: 'interrupted' });
  });

  it('user speech interrupts the agent after the minimum duration; the heard part enters the history', async () => {
    const h = await startHarness(quiet(), {
      responses: [{ when: { input: 'stop' }, text: 'Okay.' }],
      tts: { msPerChar: 50 },
      output: { canPause: false },
    });
    const handle = h.session.say('I will keep talking for quite a while about many things.');
    h.user.speak({ startMs: 1000, endMs: 1800, transcript: 'stop please' });
    await settle(h);
    expect(handle.endReason).toBe('interrupted');
    const done = h.of('speech.done').find((d) => d.speechId === handle.id)!;
    expect(done.playedMs).toBe(1500 - h.of('speech.playing')[0]!.t);
    const heard = h.session.history.find((i) => i.type === 'message' && i.role === 'assistant');
    expect(heard).toMatchObject({ interrupted: true, text: done.spokenText });
    expect(done.spokenText.length).toBeGreaterThan(0);
    expect(h.of('user.turn').map((t) => t.text)).toEqual(['stop please']);
    expect(h.session.history.at(-1)).toMatchObject({ text: 'Okay.' });
  });

  it('noise pauses a pausable output and the speech resumes (false interruption)', async () => {
    const h = await startHarness(quiet(), {
      tts: { msPerChar: 25 },
      session: { interruption: { falseInterruptionTimeoutMs: 500 } },
    });
    const handle = h.session.say('A sentence that is long enough to be paused by a cough.');
    h.user.speak({ startMs: 300, endMs: 1000 });
    await settle(h);
    expect(handle.endReason).toBe('completed');
    expect(
      h.trail(
        (e) =>
          e.type === 'speech.paused' ||
          e.type === 'speech.resumed' ||
          e.type === 'user.false_interruption',
      ),
    ).toEqual([
      `speech.paused:${handle.id}`,
      `speech.resumed:${handle.id}`,
      `user.false_interruption:${handle.id}`,
    ]);
    const total = 'A sentence that is long enough to be paused by a cough.'.length * 25;
    expect(h.output.segments[0]!.playedMs).toBe(total);
    expect(h.of('user.turn')).toEqual([]);
  });
});

describe('parameters are validated', () => {
  it('rejects a negative option with a clear error', async () => {
    await expect(startHarness(quiet(), { session: { playoutSettleMs: -1 } })).rejects.toThrow(
      'playoutSettleMs must be a number ≥ 0',
    );
    expect(z).toBeDefined();
  });
});

describe('barge-in with a VAD and no speech-to-text', () => {
  it('speech longer than the minimum interrupts at once (no words can confirm a pause)', async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const user = new FakeUserSpeech([{ startMs: 1000, endMs: 2500 }]);
    const output = new FakeAudioOutput(clock);
    const session = new AgentSession({
      clock,
      vad: user,
      tts: new FakeTTS({ msPerChar: 60 }),
      output,
    });
    const events: SessionEvent[] = [];
    session.onAny((e) => events.push(e));
    await session.start({ agent: quiet() });
    const handle = session.say('A long announcement that the caller talks over after one second.');
    await drive(clock, handle.waitForPlayout());
    expect(handle.endReason).toBe('interrupted');
    const interrupted = events.find((e) => e.type === 'speech.interrupted');
    expect(interrupted).toMatchObject({ t: 1500, by: 'user_speech' });
    expect(events.some((e) => e.type === 'speech.paused')).toBe(false);
    await drive(clock, session.close());
  });
});

describe('turn detection and pre-rendered audio', () => {
  it('commits after the minimum delay, or waits up to the maximum when the detector says the user is not done', async () => {
    const h = await startHarness(quiet(), {
      responses: [{ text: 'Okay.', repeat: true }],
      session: {
        turnDetection: {
          minEndpointingDelayMs: 300,
          maxEndpointingDelayMs: 2000,
          endOfTurn: (text) => !/\band$/.test(text),
        },
      },
    });
    h.user.speak({ startMs: 0, endMs: 500, transcript: 'book a table', sttDelayMs: 50 });
    h.user.speak({ startMs: 3000, endMs: 3500, transcript: 'for two and', sttDelayMs: 50 });
    await h.advance(6000);
    await settle(h);
    expect(h.of('user.turn').map((t) => [t.text, t.t])).toEqual([
      ['book a table', 800],
      ['for two and', 5500],
    ]);
  });

  it('say() plays pre-rendered audio with its transcript', async () => {
    const { toneFrame } = await import('voxagent');
    async function* audio() {
      for (let i = 0; i < 10; i++) yield toneFrame(100, 16000);
    }
    const h = await startHarness(quiet());
    const handle = h.session.say(audio(), { text: 'A recorded greeting.' });
    await settle(h);
    expect(h.output.segmentsOf(handle.id)[0]).toMatchObject({ receivedMs: 1000, nonSilent: true });
    expect(h.of('speech.done')[0]).toMatchObject({
      spokenText: 'A recorded greeting.',
      playedMs: 1000,
    });
  });
});
