/**
 * B9's agent, run by `voxagent start` in each job process: it talks without a pause (one
 * long line of FakeTTS audio, paced in real time by the room's output) so every job's
 * outgoing frames can be timed at the LiveKit double.
 */
import { Agent, type LLM, type TTS } from 'voxagent';
import { FakeLLM, FakeTTS } from 'voxagent/testing';

const LINE = 'This is a long benchmark monologue that goes on and on.';

export const demo = {
  llm: (): LLM => new FakeLLM({ label: 'bench scripted', fallback: { text: LINE, ttftMs: 0 } }),
  tts: (): TTS =>
    new FakeTTS({ label: 'bench tone', audioMs: { [LINE]: 120_000 }, sampleRate: 24_000 }),
};

export default () =>
  new Agent({
    name: 'BenchTalker',
    instructions: 'Talk.',
    onEnter: (agent) => {
      agent.session.say(LINE);
    },
  });
