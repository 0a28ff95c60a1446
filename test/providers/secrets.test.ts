/**
 * API keys never appear anywhere a session's story is told (contract C9): the event stream,
 * the log file, a recording, the JSONL events, the Chrome trace, or the console screen.
 * The local server echoes the key in its 401 body, as a careless proxy would.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Agent, AgentSession, type SessionEvent } from 'voxagent';
import { OpenAILLM, OpenAITTS } from 'voxagent/openai';
import { Logger } from '../../src/cli/logger.js';
import { logSessionEvent } from '../../src/cli/session-log.js';
import { eventsToJsonl } from '../../src/replay/canonical.js';
import { SessionRecorder } from '../../src/replay/recorder.js';
import { toChromeTrace } from '../../src/replay/trace.js';
import { App } from '../../src/ui/app.js';
import { realScheduler } from '../../src/ui/scheduler.js';
import { FakeOpenAIServer } from '../support/fake-openai-server.js';
import { SECRET_KEY } from './helpers.js';

let server: FakeOpenAIServer;
beforeEach(async () => {
  server = await FakeOpenAIServer.start();
});
afterEach(() => server.close());

it('the key is in no event, log line, recording, JSONL, trace or screen', async () => {
  server.chat({ type: 'status', status: 401 }, { type: 'reply', text: ['Hello ', 'there.'] });
  server.speech({ type: 'audio' }, { type: 'audio' });
  const logger = new Logger({
    name: 'secrets-test',
    dir: join(tmpdir(), 'voxagent-test-logs'),
    level: 'debug',
  });
  const recorder = new SessionRecorder({ agent: './agent.ts' });
  const session = new AgentSession({
    llm: recorder.wrapLLM(new OpenAILLM({ apiKey: SECRET_KEY, baseURL: server.url })),
    tts: recorder.wrapTTS(new OpenAITTS({ apiKey: SECRET_KEY, baseURL: server.url })),
    retry: { attempts: 0 },
  });
  const events: SessionEvent[] = [];
  session.onAny((e) => {
    events.push(e);
    logSessionEvent(logger, e);
  });
  recorder.attach(session);
  const screen = render(
    createElement(App, {
      events: session,
      controller: {
        interrupt: () => {},
        sendText: () => {},
        say: () => {},
        toggleMute: () => false,
        toggleAudio: () => 'text' as const,
        quit: () => {},
      },
      header: { agentName: 'Tester', models: [], mode: 'text' },
      now: () => session.clock.now(),
      scheduler: realScheduler,
    }),
  );
  await session.start({ agent: new Agent({ name: 'Tester', instructions: 'Be brief.' }) });
  await session.sendUserText('first').waitForPlayout();
  await session.sendUserText('second').waitForPlayout();
  await session.waitForIdle();
  await session.close();
  await logger.close();

  expect(events.some((e) => e.type === 'error' && e.status === 401)).toBe(true);
  expect(events.some((e) => e.type === 'speech.done' && e.spokenText === 'Hello there.')).toBe(
    true,
  );
  const surfaces: Record<string, string> = {
    events: JSON.stringify(events),
    log: readFileSync(logger.path, 'utf8'),
    recording: recorder.toYaml(),
    jsonl: eventsToJsonl(events),
    trace: JSON.stringify(toChromeTrace(events)),
    screen: screen.lastFrame() ?? '',
  };
  expect(surfaces.log).toContain('401');
  for (const [name, text] of Object.entries(surfaces)) {
    expect(text.length, name).toBeGreaterThan(0);
    expect(text.includes(SECRET_KEY), `${name} contains the key`).toBe(false);
  }
  screen.unmount();
});
