/**
 * The console's controller never loses input: what is typed, said or interrupted while no
 * session exists (before the first one, during a hot reload, during a mode switch) waits and
 * is applied to the next session in order. Driven through the controller the screen gets,
 * at the exact moments no session exists: no sleeps, no timing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveConsoleOptions } from '../../src/cli/live-console.js';
import { FakeTTS } from '../../src/testing/fake-tts.js';
import { renderConsole } from '../../src/ui/render-console.js';
import { eventually } from '../livekit/helpers.js';
import { FakeIn, FakeOut, plain } from '../ui/helpers.js';
import {
  type ConsoleRig,
  consoleRig,
  loadedAgent,
  scriptedModels,
  silentLink,
  waitForEvent,
} from './live-console.helpers.js';

let rig: ConsoleRig | undefined;
afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

describe('inputs before the session exists', () => {
  it('wait, are listed in the footer, then reach the first session in the order given', async () => {
    rig = consoleRig();
    const { live, screen } = rig;
    live.show();
    const c = screen.controller;
    expect(await c.sendText('hello')).toBe('waiting');
    expect(await c.say('One moment please.')).toBe('waiting');
    expect(await c.interrupt(true)).toBe('waiting');
    expect(screen.header.waitingInputs).toEqual([
      'you: hello',
      'say: One moment please.',
      'force interrupt',
    ]);
    expect(screen.events).toEqual([]);

    await live.start(loadedAgent('Greeter'), scriptedModels());
    expect(screen.header.waitingInputs).toEqual([]);
    const turn = await waitForEvent(screen, 'user.turn', (e) => e.text === 'hello');
    const say = await waitForEvent(screen, 'speech.created', (e) => e.source === 'say');
    expect(say).toMatchObject({ origin: 'console', text: 'One moment please.' });
    expect(turn.seq).toBeLessThan(say.seq);
    // The interrupt came last: it cuts both the reply and the say, labelled as the console's.
    const cut = await waitForEvent(
      screen,
      'speech.interrupted',
      (e) => e.speechId === say.speechId,
    );
    expect(cut).toMatchObject({ by: 'console', force: true });
    expect(cut.seq).toBeGreaterThan(say.seq);
    // Once the session runs, input goes straight in.
    expect(await c.sendText('and now?')).toBe('sent');
    await waitForEvent(screen, 'user.turn', (e) => e.text === 'and now?');
    expect(rig.logLines).toContain('info you: hello: waits for the session to start');
  });

  it('during a hot reload reach the new session, not the old one', async () => {
    rig = consoleRig();
    const { live, screen } = rig;
    await live.start(loadedAgent('Old'), scriptedModels('Old answer.'));
    const statuses: unknown[] = [];
    // beginSession is called between the old session's close and the new one's start.
    screen.onBeginSession = () => {
      statuses.push(screen.controller.sendText('typed during the reload'));
    };
    await live.reload(loadedAgent('New'), '/tmp/agent.ts', scriptedModels('New answer.'));
    expect(statuses).toEqual(['waiting']);
    const turn = await waitForEvent(
      screen,
      'user.turn',
      (e) => e.text === 'typed during the reload',
    );
    const reply = await waitForEvent(screen, 'speech.done', (e) => e.fullText === 'New answer.');
    expect(reply.seq).toBeGreaterThan(turn.seq);
    expect(screen.of('speech.done').some((e) => e.fullText === 'Old answer.')).toBe(false);
  });

  it('during an audio/text switch reach the session of the new mode', async () => {
    rig = consoleRig({ mode: 'audio', openAudio: async () => silentLink() });
    const { live, screen } = rig;
    await live.start(loadedAgent('Switcher'), scriptedModels());
    screen.onBeginSession = () => {
      void screen.controller.say('Said while switching.');
    };
    expect(await screen.controller.toggleAudio()).toBe('text');
    const said = await waitForEvent(
      screen,
      'speech.created',
      (e) => e.text === 'Said while switching.',
    );
    expect(said.origin).toBe('console');
    expect(screen.sessionsBegun.at(-1)).toMatchObject({
      sessionNotice: 'session 2 · switched to text mode',
      mode: 'text',
    });
  });
});

describe('one screen for the whole run', () => {
  it('a reload or a mode switch starts the new session on the same screen, with a notice', async () => {
    rig = consoleRig();
    const { live, screen } = rig;
    await live.start(loadedAgent('First'), scriptedModels());
    await live.reload(loadedAgent('Second'), `${process.cwd()}/agent.ts`, scriptedModels());
    await screen.controller.toggleAudio();
    expect(screen.renders).toBe(1);
    expect(screen.sessionsBegun.map((p) => p.sessionNotice)).toEqual([
      undefined,
      expect.stringMatching(/^session 2 · reloaded after agent\.ts changed \(.+\)$/),
      'session 3 · switched to text mode',
    ]);
    expect(screen.sessionsBegun.map((p) => p.agentName)).toEqual(['First', 'Second', 'Second']);
  });

  it('no event of a closed session reaches the screen after the next one began', async () => {
    rig = consoleRig();
    const { live, screen } = rig;
    await live.start(loadedAgent('First'), scriptedModels());
    let begun = -1;
    screen.onBeginSession = () => {
      begun = screen.events.length;
    };
    await live.reload(loadedAgent('Second'), '/tmp/agent.ts', scriptedModels());
    const after = screen.events.slice(begun);
    expect(after[0]?.type).toBe('session.started');
    expect(after.filter((e) => e.type === 'session.closed')).toEqual([]);
  });

  it('a reload whose agent factory throws keeps the running session and says why', async () => {
    rig = consoleRig();
    const { live, screen } = rig;
    await live.start(loadedAgent('Keeper'), scriptedModels('Still here.'));
    const broken = {
      ...loadedAgent('Broken'),
      factory: () => {
        throw new Error('missing API_TOKEN');
      },
    };
    await live.reload(broken, '/tmp/agent.ts', scriptedModels());
    expect(screen.header.loadError).toBe('missing API_TOKEN');
    expect(screen.sessionsBegun).toHaveLength(1);
    expect(await screen.controller.sendText('are you there?')).toBe('sent');
    await waitForEvent(screen, 'speech.done', (e) => e.fullText === 'Still here.');
  });
});

describe('the voice meter', () => {
  it("follows the agent's voice as it plays, and is quiet after", async () => {
    rig = consoleRig();
    const { live, screen } = rig;
    const models = { ...scriptedModels(), tts: new FakeTTS({ msPerChar: 40 }) };
    await live.start(loadedAgent('Talker'), models);
    const level = () => screen.options.getOutputLevel?.() ?? 0;
    expect(level()).toBe(0);
    await screen.controller.say('A line long enough to be heard for a second or two.');
    await eventually(() => level() > 0.05, 'the voice on the meter');
    await waitForEvent(screen, 'speech.done');
    expect(level()).toBe(0);
  });
});

describe('mute', () => {
  it('m mutes the audio link and the session, and says so in the log', async () => {
    const link = silentLink();
    rig = consoleRig({ mode: 'audio', openAudio: async () => link });
    const { live, screen } = rig;
    await live.start(loadedAgent('Listener'), scriptedModels());
    expect(await screen.controller.toggleMute()).toBe(true);
    expect(await screen.controller.toggleMute()).toBe(false);
    expect(link.muted).toEqual([false, true, false]);
    expect(rig.logLines).toContain('info microphone muted');
  });
});

describe('the screen after a switch or a reload (Ink, fake terminal)', () => {
  /** The console drawn by the real renderer into an 80 × 24 terminal; `frame()` is the last. */
  function drawn(options: Partial<LiveConsoleOptions> = {}) {
    const stdout = new FakeOut(80, 24);
    const r = consoleRig({
      ...options,
      screen: (o) =>
        renderConsole({
          ...o,
          stdout: stdout as unknown as NodeJS.WriteStream,
          stderr: new FakeOut() as unknown as NodeJS.WriteStream,
          stdin: new FakeIn(true) as unknown as NodeJS.ReadStream,
          debug: true,
        }),
    });
    const frame = () => plain(stdout.chunks.at(-1));
    const until = (test: (f: string) => boolean, what: string) =>
      eventually(() => test(frame()) && frame(), `${what}; frame:\n${frame()}`);
    return { ...r, frame, until };
  }

  it('a: the old session speech is gone, the new session is announced', async () => {
    const view = drawn({ mode: 'audio', openAudio: async () => silentLink() });
    rig = view;
    await view.live.start(loadedAgent('Switcher'), scriptedModels());
    await rig.screen.controller.say('Old session line.');
    await view.until((f) => f.includes('agent: Old session line.'), 'the first session speaking');
    await rig.screen.controller.toggleAudio();
    await rig.screen.controller.say('New session line.');
    const after = await view.until(
      (f) => f.includes('agent: New session line.'),
      'the second session speaking',
    );
    expect(after).toContain('↻ session 2 · switched to text mode');
    expect(after).toContain('mode text');
    expect(after).not.toContain('Old session line');
    // The old session's speech_1 must not merge with the new one's (same id, other session).
    expect(after.match(/agent: New session line\./g)).toHaveLength(1);
    expect(after.split('\n').length).toBeLessThan(24);
  });

  it('reload: one frame, the new agent, the old conversation gone', async () => {
    const view = drawn();
    rig = view;
    await view.live.start(loadedAgent('Before'), scriptedModels('Before reply.'));
    await rig.screen.controller.sendText('hi');
    await view.until((f) => f.includes('agent: Before reply.'), 'the first reply');
    await view.live.reload(loadedAgent('After'), `${process.cwd()}/agent.ts`, scriptedModels());
    const after = await view.until(
      (f) => f.includes('agent After · running'),
      'the reloaded session running',
    );
    expect(after).toMatch(/↻ session 2 · reloaded after agent\.ts changed/);
    expect(after).not.toContain('Before reply.');
    expect(after).not.toContain('you (text): hi');
    expect(after.match(/voxagent dev · agent/g)).toHaveLength(1);
  });
});
