/**
 * Muting the input mid-speech: the models hear silence, so the user's speech ends and the
 * session does not wait forever on a turn that cannot finish. A real energy VAD reads real
 * PCM paced by the virtual clock.
 */
import { expect, it } from 'vitest';
import { Agent, AgentSession, type AudioFrame, type SessionEvent, toneFrame } from 'voxagent';
import { FakeAudioOutput, FakeLLM, VirtualClock } from 'voxagent/testing';
import { EnergyVAD } from '../../src/audio/energy-vad.js';
import { drive } from './harness.js';

/** A microphone that hears a loud tone for `toneMs`, then silence, 20 ms per frame. */
function toneMicrophone(clock: VirtualClock, toneMs: number, totalMs: number) {
  return {
    label: 'tone microphone',
    sampleRate: 16000,
    async *frames(signal: AbortSignal): AsyncIterable<AudioFrame> {
      for (let t = 0; t < totalMs && !signal.aborted; t += 20) {
        yield t < toneMs ? toneFrame(20, 16000, 300, 12000, t * 16) : toneFrame(20, 16000, 0, 0);
        await clock.sleep(20, signal).catch(() => undefined);
      }
    },
  };
}

it('ends speech under way when the input is muted (the VAD hears silence, not nothing)', async () => {
  const clock = new VirtualClock({ autoAdvance: false });
  const session = new AgentSession({
    clock,
    llm: new FakeLLM({ responses: [] }),
    vad: new EnergyVAD(),
    input: toneMicrophone(clock, 5000, 6000),
    output: new FakeAudioOutput(clock),
  });
  const events: SessionEvent[] = [];
  session.onAny((e) => events.push(e));
  await session.start({ agent: new Agent({ name: 'A', instructions: 'x' }) });
  await clock.advance(1000);
  expect(events.some((e) => e.type === 'user.speech_started')).toBe(true);
  session.setInputMuted(true);
  await clock.advance(1000);
  // The energy VAD's hangover is 550 ms: the end comes well before the tone stops (5 s).
  const ended = events.find((e) => e.type === 'user.speech_ended');
  expect(ended?.t).toBeLessThan(1700);
  const lastUserState = events.filter((e) => e.type === 'user.state').at(-1);
  expect(lastUserState).toMatchObject({ state: 'listening' });
  // Unmuted while the tone still plays: the user is heard again.
  session.setInputMuted(false);
  await clock.advance(500);
  expect(events.filter((e) => e.type === 'user.speech_started')).toHaveLength(2);
  await drive(clock, session.close(), 60_000);
});
