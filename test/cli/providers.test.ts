import { describe, expect, it } from 'vitest';
import { isRealtimeModel, UsageError } from 'voxagent';
import { FakeLLM, FakeTTS } from 'voxagent/testing';
import { demoOf } from '../../src/cli/agent-demo.js';
import { chooseModels } from '../../src/cli/providers.js';

const demo = {
  llm: () => new FakeLLM({ label: 'demo-llm' }),
  tts: () => new FakeTTS({ label: 'demo-tts' }),
};
const roles = (choices: { role: string; name: string }[]) =>
  Object.fromEntries(choices.map((c) => [c.role, c.name]));

describe('choosing models', () => {
  it('with no keys: the demo model, the demo TTS (else espeak), no STT', async () => {
    expect(roles((await chooseModels({}, demo, {})).choices)).toEqual({
      llm: 'demo-llm',
      tts: 'demo-tts',
      stt: 'none: type with t',
    });
    const withoutDemoTts = await chooseModels({}, { llm: demo.llm }, {});
    expect(roles(withoutDemoTts.choices).tts).toBe('espeak-ng');
  });

  it('with keys: OpenAI for the LLM and speech, Deepgram for STT, and says why', async () => {
    const env = { OPENAI_API_KEY: 'sk-test-0000', DEEPGRAM_API_KEY: 'dg-test-0000' };
    const chosen = await chooseModels({}, demo, env);
    expect(chosen.llm.label).toMatch(/^openai\//);
    expect(chosen.choices.find((c) => c.role === 'llm')?.why).toBe('OPENAI_API_KEY is set');
    expect(chosen.choices.find((c) => c.role === 'stt')?.name).toBe('deepgram');
  });

  it('a provider asked for without its key names the variable and the offline alternative', async () => {
    const cases: [Parameters<typeof chooseModels>[0], RegExp][] = [
      [{ llm: 'openai' }, /^OPENAI_API_KEY is not set: export it, or use --llm demo \(offline\)$/],
      [
        { tts: 'openai' },
        /^OPENAI_API_KEY is not set: export it, or use --tts espeak \(offline\)$/,
      ],
      [
        { tts: 'deepgram' },
        /^DEEPGRAM_API_KEY is not set: export it, or use --tts espeak \(offline\)$/,
      ],
      [{ stt: 'deepgram' }, /^DEEPGRAM_API_KEY is not set: export it, or type your turns instead/],
    ];
    for (const [flags, message] of cases) {
      const attempt = chooseModels(flags, demo, {});
      await expect(attempt).rejects.toBeInstanceOf(UsageError);
      await expect(attempt).rejects.toThrow(message);
    }
  });

  it('--llm openai-realtime: the realtime model hears the user (no STT), the TTS only for say()', async () => {
    const env = { OPENAI_API_KEY: 'sk-test-0000', DEEPGRAM_API_KEY: 'dg-test-0000' };
    const chosen = await chooseModels(
      { llm: 'openai-realtime', llmModel: 'gpt-realtime-mini', voice: 'cedar', tts: 'espeak' },
      demo,
      env,
    );
    expect(isRealtimeModel(chosen.llm)).toBe(true);
    expect(chosen.llm.label).toBe('openai-realtime/gpt-realtime-mini');
    expect(chosen.stt).toBeUndefined();
    expect(roles(chosen.choices)).toEqual({
      llm: 'openai-realtime/gpt-realtime-mini',
      tts: 'espeak-ng',
      stt: 'the realtime model',
    });
    await expect(
      chooseModels({ llm: 'openai-realtime', stt: 'deepgram' }, demo, env),
    ).rejects.toThrow(
      '--stt deepgram cannot be used with --llm openai-realtime: the realtime model hears the user itself',
    );
    await expect(chooseModels({ llm: 'openai-realtime' }, demo, {})).rejects.toThrow(
      /^OPENAI_API_KEY is not set: export it, or use --llm demo \(offline\)$/,
    );
  });

  it('an agent with no demo model and no key says how to get one, in the right shape', async () => {
    await expect(chooseModels({}, undefined, {})).rejects.toThrow(
      "this agent has no offline demo model: export OPENAI_API_KEY=... to use OpenAI, or add one to the agent module (export const demo = defineDemo({ llm: () => new FakeLLM({ … }) }), with defineDemo from 'voxagent' and FakeLLM from 'voxagent/testing')",
    );
  });
});

describe('the demo export of an agent module (checked at run time too)', () => {
  it('takes factories, and nothing', () => {
    expect(demoOf(demo, 'agent.ts')).toBe(demo);
    expect(demoOf(undefined, 'agent.ts')).toBeUndefined();
  });

  it('names the file, the field and the fix for a model where a factory belongs', () => {
    expect(() => demoOf({ llm: new FakeLLM() }, 'agent.ts')).toThrow(
      new UsageError(
        'demo.llm in agent.ts must be a function that returns an LLM (got a FakeLLM object): export const demo = defineDemo({ llm: () => new FakeLLM({ … }) })',
      ),
    );
    expect(() => demoOf({ tts: 'espeak' }, 'agent.ts')).toThrow(
      /^demo\.tts in agent\.ts must be a function that returns a TTS \(got a string\)/,
    );
    expect(() => demoOf(42, 'agent.ts')).toThrow(/^the demo export of agent\.ts must be an object/);
  });
});
