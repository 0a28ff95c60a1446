/**
 * The queue API and interruption order as LiveKit has them (issue 11, items 3, 13, 15),
 * black-box on the virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { Agent, AgentTask, tool } from 'voxagent';
import { settle, startHarness } from './harness.js';

const agent = () => new Agent({ name: 'A', instructions: 'x' });

describe('a non-forced interrupt walks the queue in play order (item 3)', () => {
  it('stops at the first protected speech and leaves what is behind it alone', async () => {
    const h = await startHarness(agent());
    const first = h.session.say('First, interruptible and long enough to be playing.');
    const notice = h.session.say('A protected notice.', { allowInterruptions: false });
    const behind = h.session.say('Queued behind the notice.');
    await h.advance(100);
    await h.session.interrupt();
    await settle(h);
    expect([first.endReason, notice.endReason, behind.endReason]).toEqual([
      'interrupted',
      'completed',
      'completed',
    ]);
  });

  it('with force, everything goes', async () => {
    const h = await startHarness(agent());
    const first = h.session.say('First.');
    const notice = h.session.say('A protected notice.', { allowInterruptions: false });
    const behind = h.session.say('Behind.');
    await h.advance(10);
    await h.session.interrupt({ force: true });
    expect([first.endReason, notice.endReason, behind.endReason]).toEqual([
      'interrupted',
      'interrupted',
      'interrupted',
    ]);
  });

  it('a user turn during a protected speech leaves a reply queued behind it alone too', async () => {
    const h = await startHarness(agent(), {
      responses: [{ text: 'Sure.', repeat: true }],
    });
    const notice = h.session.say('A protected notice that plays for a while.', {
      allowInterruptions: false,
    });
    const reply = h.session.generateReply();
    await h.advance(50);
    h.session.sendUserText('hello');
    await settle(h);
    expect(notice.endReason).toBe('completed');
    expect(reply.endReason).toBe('completed');
  });
});

describe('the queue API (item 13)', () => {
  it('say() takes a priority: high goes ahead of normal, low after it', async () => {
    const h = await startHarness(agent());
    const playing = h.session.say('Playing now.');
    const low = h.session.say('Low.', { priority: 'low' });
    const normal = h.session.say('Normal.');
    const high = h.session.say('High.', { priority: 'high' });
    await settle(h);
    expect(h.output.segments.map((s) => s.speechId)).toEqual([
      playing.id,
      high.id,
      normal.id,
      low.id,
    ]);
    expect(h.of('speech.created').map((e) => e.priority)).toEqual([5, 0, 5, 10]);
  });

  it('a queued speech is visible and can be interrupted through its handle', async () => {
    const h = await startHarness(agent());
    const current = h.session.say('Playing now, for a while.');
    const queued = h.session.say('Waiting.');
    await h.advance(10);
    expect(h.session.currentSpeech?.id).toBe(current.id);
    expect(queued.state).toBe('queued');
    queued.interrupt();
    await settle(h);
    expect(queued.endReason).toBe('interrupted');
    expect(current.endReason).toBe('completed');
    expect(h.output.segments.map((s) => s.speechId)).toEqual([current.id]);
  });

  it("a filler say() in the same tick as the task it starts plays before the task's first speech, whatever the call order", async () => {
    class Ask extends AgentTask<string> {
      constructor() {
        super({
          name: 'Ask',
          instructions: 'ask',
          onEnter: (a) => {
            a.session.say('The task asks its question.');
          },
        });
      }
    }
    let running: Promise<string> | undefined;
    const a = new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        start: tool({
          description: 'start',
          execute: async (_args, ctx) => {
            // run() before say(): agents-js plays the filler first all the same.
            running = new Ask().run();
            ctx.session.say('One moment, a filler.');
            return undefined;
          },
        }),
      },
    });
    const h = await startHarness(a, {
      responses: [{ when: { input: 'go' }, toolCalls: [{ name: 'start' }] }],
    });
    h.session.sendUserText('go');
    await settle(h);
    const says = h.of('speech.created').filter((e) => e.source === 'say');
    expect(says.map((e) => e.text)).toEqual([
      'One moment, a filler.',
      'The task asks its question.',
    ]);
    expect(h.output.segments.map((s) => s.speechId)).toEqual(says.map((e) => e.speechId));
    void running?.catch(() => {});
  });

  it('session.run() does not interrupt the speech playing: its reply waits its turn', async () => {
    const h = await startHarness(agent(), {
      responses: [{ when: { input: 'q' }, text: 'Answer.' }],
    });
    const playing = h.session.say('Something long that is playing when run() is called.');
    await h.advance(100);
    const result = await h.drive(h.session.run({ userInput: 'q' }));
    expect(playing.endReason).toBe('completed');
    // The speech that was playing finished during the run: its words are in the result first.
    result.expect.nextEvent().isMessage({ role: 'assistant', text: /Something long/ });
    result.expect.nextEvent().isMessage({ role: 'user', text: 'q' });
    result.expect.nextEvent().isMessage({ role: 'assistant', text: 'Answer.' });
  });
});

describe('late playback reports stay with their own speech (item 15)', () => {
  it('an output that reports every segment 300 ms late never settles a later speech early', async () => {
    const h = await startHarness(agent(), {
      output: { reportDelayMs: 300 },
      session: { playoutSettleMs: 250 },
    });
    const handles = [
      h.session.say('One.'),
      h.session.say('Two is a little longer.'),
      h.session.say('Three.'),
      h.session.say('Four, the last one.'),
    ];
    await settle(h);
    const playing = new Map(h.of('speech.playing').map((e) => [e.speechId, e.t]));
    for (const handle of handles) {
      const done = h.of('speech.done').find((e) => e.speechId === handle.id)!;
      const segment = h.output.segmentsOf(handle.id)[0]!;
      // Done only after its own audio played (never before it even started).
      expect(done.t).toBeGreaterThanOrEqual(playing.get(handle.id)! + segment.receivedMs);
      expect(done.playedMs).toBe(segment.receivedMs);
    }
  });
});
