import { describe, expect, it } from 'vitest';
import { type StepActions, TimelineDriver } from '../../src/replay/driver.js';
import { validateSessionObject } from '../../src/replay/load.js';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import type { SessionEvent } from '../../src/runtime/events/types.js';

/** Drives a timeline against stub actions and a scripted event source on a virtual clock. */
async function drive(
  user: unknown[],
  emitted: { at: number; type: SessionEvent['type'] }[] = [],
  actions: Partial<StepActions> = {},
) {
  const script = validateSessionObject({ agent: './a.ts', user }, 'inline');
  const clock = new VirtualClock({ autoAdvance: false });
  const log: string[] = [];
  const record = (what: string) => () => {
    log.push(`${clock.now()} ${what}`);
  };
  const stub: StepActions = {
    speech: (a) => record(`speech ${a.transcript} ${a.durationMs}`)(),
    noise: (a) => record(`noise ${a.durationMs}`)(),
    text: (a) => record(`text ${a.text}`)(),
    interrupt: async (a) => record(`interrupt ${a.force}`)(),
    say: (a) => record(`say ${a.text}`)(),
    reply: () => record('reply')(),
    close: async (a) => record(`close ${a.reason}`)(),
    reload: async () => record('reload')(),
    ...actions,
  };
  const driver = new TimelineDriver(script.user, clock, stub);
  let seq = 0;
  for (const e of emitted) {
    clock.timer(e.at, () => {
      const event = { type: e.type, t: clock.now(), seq: seq++ } as SessionEvent;
      log.push(`${clock.now()} event ${e.type}`);
      driver.onEvent(event);
    });
  }
  driver.start();
  await clock.runUntilIdle();
  return { log, driver };
}

describe('user timeline driver', () => {
  it('runs absolute and sequential steps at their times', async () => {
    const { log, driver } = await drive([
      { speech: 'hello', at: '1s', duration: '500ms' },
      { wait: '2s' },
      { text: 'typed' },
      { say: 'from the api', at: 200 },
    ]);
    expect(log).toEqual(['200 say from the api', '1000 speech hello 500', '3500 text typed']);
    expect(driver.allRan).toBe(true);
    expect(driver.records.map((r) => [r.startedAt, r.endedAt])).toEqual([
      [1000, 1500],
      [1500, 3500],
      [3500, 3500],
      [200, 200],
    ]);
  });

  it('anchors steps on the nth event and on other steps', async () => {
    const { log } = await drive(
      [
        { id: 'ask', speech: 'hi', at: 0, duration: 400 },
        { noise: 300, after: { event: 'speech.playing', nth: 2, offset: '300ms' } },
        { interrupt: { force: true }, after: { step: 'ask', offset: 100 } },
        { text: 'later', after: { step: 'ask', edge: 'start', offset: 50 } },
      ],
      [
        { at: 600, type: 'speech.playing' },
        { at: 900, type: 'speech.playing' },
      ],
    );
    expect(log).toEqual([
      '0 speech hi 400',
      '50 text later',
      '500 interrupt true',
      '600 event speech.playing',
      '900 event speech.playing',
      '1200 noise 300',
    ]);
  });

  it('counts `since` a step only after that step ran', async () => {
    const { log } = await drive(
      [
        { id: 'second', text: 'go', at: 700 },
        { say: 'x', after: { event: 'speech.playing', since: 'second' } },
      ],
      [
        { at: 600, type: 'speech.playing' },
        { at: 800, type: 'speech.playing' },
      ],
    );
    expect(log).toEqual([
      '600 event speech.playing',
      '700 text go',
      '800 event speech.playing',
      '800 say x',
    ]);
  });

  it('explains steps that never ran', async () => {
    const { driver } = await drive([
      { say: 'a', after: { event: 'speech.done', nth: 2 } },
      { text: 'b' },
    ]);
    expect(driver.allRan).toBe(false);
    expect(driver.explainPending()).toEqual([
      'step 1 (say "a") never ran: waiting for speech.done #2, seen 0',
      'step 2 (text "b") never ran: step 1 before it never ran',
    ]);
  });

  it('records what a step threw', async () => {
    const { driver } = await drive([{ say: 'late', at: 10 }, { interrupt: true }], [], {
      say: () => {
        throw new Error('the session is closed');
      },
      interrupt: () => Promise.reject(new Error('nope')),
    });
    expect(driver.records.map((r) => r.error)).toEqual([
      'Error: the session is closed',
      'Error: nope',
    ]);
  });
});
