/**
 * FakeRealtimeModel on the virtual clock: scripted responses and their timing, faults, and
 * the record of what it received (requests, truncations, cancels, commits).
 */
import { describe, expect, it } from 'vitest';
import { FakeRealtimeModel, VirtualClock } from 'voxagent/testing';
import { toneFrame } from '../../src/runtime/audio/frame.js';
import { ProviderError } from '../../src/runtime/models/context.js';
import type {
  RealtimeChunk,
  RealtimeEvent,
  RealtimeItem,
  RealtimeRequest,
} from '../../src/runtime/models/realtime.js';

const user = (id: string, text: string): RealtimeItem => ({
  type: 'message',
  id,
  role: 'user',
  text,
});
const request = (items: RealtimeItem[], instructions = 'Be brief.'): RealtimeRequest => ({
  instructions,
  tools: [],
  items,
});

function setup(model: FakeRealtimeModel) {
  const clock = new VirtualClock();
  const session = model.session({ clock, signal: new AbortController().signal });
  /** Every chunk with the virtual time it arrived at. */
  const run = async (req: RealtimeRequest, signal = new AbortController().signal) => {
    const out: Array<{ at: number; chunk: RealtimeChunk }> = [];
    for await (const chunk of session.respond(req, signal)) out.push({ at: clock.now(), chunk });
    return out;
  };
  return { clock, session, run };
}

const kinds = (chunks: Array<{ chunk: RealtimeChunk }>) =>
  chunks.map(({ chunk }) => (chunk.type === 'text' ? `text:${chunk.delta}` : chunk.type));
const audioMs = (chunks: Array<{ chunk: RealtimeChunk }>) =>
  chunks.reduce(
    (ms, { chunk }) => ms + (chunk.type === 'audio' ? chunk.frame.samplesPerChannel / 24 : 0),
    0,
  );

describe('FakeRealtimeModel: responses', () => {
  it('answers by the last input, tool result or instructions; falls back; names what matched nothing', async () => {
    const model = new FakeRealtimeModel({
      responses: [
        { when: { input: 'weather' }, text: 'Sunny.' },
        { when: { toolResult: /^ok/ }, text: 'Done.' },
        { when: { instructions: 'pirate' }, text: 'Arr.', repeat: true },
      ],
    });
    const { run } = setup(model);
    const said = async (req: RealtimeRequest) =>
      (await run(req))
        .flatMap(({ chunk }) => (chunk.type === 'text' ? [chunk.delta] : []))
        .join('');
    expect(await said(request([user('u1', 'the weather?')]))).toBe('Sunny.');
    const output: RealtimeItem = {
      type: 'function_call_output',
      id: 'o1',
      callId: 'c1',
      output: 'ok: saved',
    };
    expect(await said(request([user('u1', 'save'), output]))).toBe('Done.');
    expect(await said(request([user('u2', 'hi')], 'You are a pirate'))).toBe('Arr.');
    expect(await said(request([user('u3', 'again')], 'You are a pirate'))).toBe('Arr.');
    const failure = run(request([user('u4', 'unknown')]));
    await expect(failure).rejects.toBeInstanceOf(ProviderError);
    await expect(run(request([user('u4', 'unknown')]))).rejects.toThrow(
      'no scripted realtime response for user input "unknown"',
    );
    model.add({ text: 'Added.' });
    expect(await said(request([user('u5', 'x')]))).toBe('Added.');
    const withFallback = setup(new FakeRealtimeModel({ fallback: { text: 'Sorry?' } }));
    expect(kinds(await withFallback.run(request([user('u1', '?')])))).toContain('text:Sorry?');
  });

  it('starts after firstAudioMs and spreads the words over the audio, all at once by default', async () => {
    const model = new FakeRealtimeModel({
      responses: [{ text: 'One two three.', firstAudioMs: 300, audioMs: 100 }],
    });
    const { run } = setup(model);
    const chunks = await run(request([user('u1', 'count')]));
    expect(kinds(chunks)).toEqual([
      'message_started',
      'text:One ',
      'audio',
      'audio',
      'text:two ',
      'audio',
      'audio',
      'text:three.',
      'audio',
      'usage',
    ]);
    expect(chunks.every(({ at }) => at === 300)).toBe(true);
    expect(audioMs(chunks)).toBe(100);
    const first = chunks[2]!.chunk;
    expect(first.type === 'audio' && first.frame.sampleRate).toBe(24_000);
    const itemId = chunks[0]!.chunk.type === 'message_started' ? chunks[0]!.chunk.itemId : '';
    expect(chunks.every(({ chunk }) => chunk.type === 'usage' || chunk.itemId === itemId)).toBe(
      true,
    );
    expect(chunks.at(-1)!.chunk).toEqual({
      type: 'usage',
      inputTokens: 10,
      outputTokens: 3,
      outputAudioTokens: 2,
    });
  });

  it('paced: one frame per frame length on the clock; audio length from msPerChar', async () => {
    const model = new FakeRealtimeModel({
      paced: true,
      msPerChar: 10,
      frameMs: 40,
      responses: [{ text: 'Hello.', firstAudioMs: 50 }],
    });
    const { run } = setup(model);
    const chunks = await run(request([user('u1', 'hi')]));
    const audio = chunks.filter(({ chunk }) => chunk.type === 'audio');
    expect(audio.map(({ at }) => at)).toEqual([50, 90]);
    expect(audioMs(chunks)).toBe(60);
    expect(chunks.at(-1)!.at).toBe(110);
  });

  it('without audio output it only writes (for a TTS), and says so', async () => {
    const model = new FakeRealtimeModel({
      audioOutput: false,
      responses: [{ text: 'Just text.' }],
    });
    expect(model.capabilities).toEqual({
      audioOutput: false,
      sampleRate: 24_000,
      serverTurnDetection: false,
      userTranscription: false,
      truncation: false,
    });
    const { run } = setup(model);
    expect(kinds(await run(request([user('u1', 'hi')])))).toEqual([
      'message_started',
      'text:Just ',
      'text:text.',
      'usage',
    ]);
  });

  it('calls tools after speaking, with given or generated call ids', async () => {
    const model = new FakeRealtimeModel({
      responses: [
        {
          text: 'Checking.',
          audioMs: 20,
          toolCalls: [{ name: 'lookup', arguments: { q: 1 }, id: 'call_x' }, { name: 'save' }],
        },
      ],
    });
    const { run, session } = setup(model);
    const calls = (await run(request([user('u1', 'go')]))).flatMap(({ chunk }) =>
      chunk.type === 'tool_call' ? [chunk] : [],
    );
    expect(calls.map((c) => c.call)).toEqual([
      { id: 'call_x', name: 'lookup', arguments: '{"q":1}' },
      { id: expect.stringMatching(/^call_\d+$/), name: 'save', arguments: '{}' },
    ]);
    expect(session.conversation.map((i) => [i.key, i.type])).toEqual([
      ['u1', 'message'],
      [expect.stringMatching(/^rt_item_/), 'message'],
      [calls[0]!.itemId, 'function_call'],
      [calls[1]!.itemId, 'function_call'],
    ]);
  });
});

describe('FakeRealtimeModel: one response at a time', () => {
  it('a request made while a response is in flight waits for its end; an abort ends the wait', async () => {
    const model = new FakeRealtimeModel({
      paced: true,
      responses: [
        { when: { input: 'first' }, text: 'First.', audioMs: 200 },
        { when: { input: 'second' }, text: 'Second.', firstAudioMs: 50 },
        { when: { input: 'third' }, text: 'Third.' },
      ],
    });
    const { run, clock } = setup(model);
    const first = run(request([user('u1', 'first')]));
    const second = run(request([user('u1', 'first'), user('u2', 'second')]));
    const aborted = new AbortController();
    const third = run(request([user('u3', 'third')]), aborted.signal).catch((err: Error) => err);
    clock.timer(100, () => aborted.abort(new Error('never mind')));
    const [a, b] = await Promise.all([first, second]);
    expect(a.at(-1)!.at).toBe(200);
    // Asked at 0, answered 50 ms after the first response ended.
    expect(b.find(({ chunk }) => chunk.type === 'audio')!.at).toBe(250);
    expect(await third).toMatchObject({ message: 'never mind' });
    expect(model.requests.map((r) => r.items.at(-1))).toMatchObject([
      { text: 'first' },
      { text: 'second' },
    ]);
  });
});

describe('FakeRealtimeModel: faults', () => {
  it('an error before audio fails at firstAudioMs with nothing said; its state is gone', async () => {
    const model = new FakeRealtimeModel({
      responses: [
        {
          text: 'never',
          firstAudioMs: 200,
          error: { message: 'overloaded', status: 503, retryable: true },
        },
        { text: 'Back.' },
      ],
    });
    const { run, clock, session } = setup(model);
    const failure = await run(request([user('u1', 'hi')])).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({
      provider: 'fake-realtime',
      message: 'overloaded',
      details: { status: 503, retryable: true },
    });
    expect(clock.now()).toBe(200);
    expect(session.reconnects).toBe(1);
    await run(request([user('u1', 'hi'), user('u2', 'again')]));
    // After the failure everything is created again, as after a reconnect.
    expect(session.syncs.map((s) => s.created)).toEqual([['u1'], ['u1', 'u2']]);
  });

  it('an error mid-response fails after that much audio', async () => {
    const model = new FakeRealtimeModel({
      paced: true,
      responses: [
        { text: 'A long answer.', audioMs: 400, error: { message: 'dropped', afterAudioMs: 100 } },
      ],
    });
    const { session, clock } = setup(model);
    const got: RealtimeChunk[] = [];
    const run = async () => {
      for await (const chunk of session.respond(
        request([user('u1', 'hi')]),
        new AbortController().signal,
      )) {
        got.push(chunk);
      }
    };
    await expect(run()).rejects.toThrow('dropped');
    expect(audioMs(got.map((chunk) => ({ chunk })))).toBe(100);
    expect(clock.now()).toBe(100);
  });

  it('a dropped socket mid-response: a retryable "connection closed" after that much audio; the next request reconnects', async () => {
    const model = new FakeRealtimeModel({
      responses: [
        { text: 'Cut off here.', audioMs: 400, disconnect: { afterAudioMs: 100, reason: 'gone' } },
        { text: 'Refused.', disconnect: { code: 1008 } },
        { text: 'Back.' },
      ],
    });
    const { run, session } = setup(model);
    const got: RealtimeChunk[] = [];
    const failure = await (async () => {
      for await (const chunk of session.respond(
        request([user('u1', 'hi')]),
        new AbortController().signal,
      )) {
        got.push(chunk);
      }
    })().catch((err: unknown) => err);
    expect(failure).toMatchObject({
      provider: 'fake-realtime',
      message: 'connection closed (code 1006: gone)',
      details: { status: 1006, retryable: true },
    });
    expect(audioMs(got.map((chunk) => ({ chunk })))).toBe(100);
    await expect(run(request([user('u1', 'hi'), user('u2', 'again')]))).rejects.toMatchObject({
      message: 'connection closed (code 1008)',
      details: { status: 1008, retryable: false },
    });
    await run(request([user('u1', 'hi'), user('u2', 'again'), user('u3', 'more')]));
    expect(session.reconnects).toBe(2);
    expect(model.connects.map((c) => c.refused)).toEqual([undefined, undefined, undefined]);
    expect(session.syncs.map((s) => s.created.length)).toEqual([1, 2, 3]);
  });

  it('a refused connect fails the request before the model sees it; the next one connects', async () => {
    const model = new FakeRealtimeModel({
      connectFailures: [{ message: 'invalid api key', status: 401 }],
      responses: [{ when: { input: 'hi' }, text: 'Hello.' }],
    });
    const { run, clock, session } = setup(model);
    await expect(run(request([user('u1', 'hi')]))).rejects.toMatchObject({
      message: 'invalid api key',
      details: { status: 401, retryable: false },
    });
    expect(model.requests).toEqual([]);
    clock.timer(500, () => {});
    await clock.runUntilIdle();
    const said = await run(request([user('u1', 'hi')]));
    expect(kinds(said)).toContain('text:Hello.');
    expect(model.connects).toEqual([
      { at: 0, refused: 'invalid api key' },
      { at: 500, refused: undefined },
    ]);
    expect(session.reconnects).toBe(0);
  });

  it('a response can be keyed on the agent that asks', async () => {
    const model = new FakeRealtimeModel({
      responses: [
        { when: { agent: 'Billing' }, text: 'Billing here.' },
        { when: { agent: 'Front' }, text: 'Front desk.' },
      ],
    });
    const { run } = setup(model);
    const said = await run({ ...request([user('u1', 'hi')]), agent: 'Front' });
    expect(kinds(said)).toContain('text:desk.');
    await expect(run({ ...request([user('u2', 'hi')]), agent: 'Other' })).rejects.toThrow(
      '(agent Other)',
    );
  });

  it('a response that never answers stays silent until aborted, and the cancel is recorded', async () => {
    const model = new FakeRealtimeModel({ responses: [{ hang: true }] });
    const { run, clock } = setup(model);
    const controller = new AbortController();
    clock.timer(1000, () => controller.abort(new Error('gave up')));
    await expect(run(request([user('u1', 'hi')]), controller.signal)).rejects.toThrow('gave up');
    expect(model.cancels).toEqual([{ at: 1000, itemId: undefined, audioSentMs: 0 }]);
  });
});

describe('FakeRealtimeModel: what it received', () => {
  it('records requests, the cancel of an interrupted reply and its truncation to what was heard', async () => {
    const model = new FakeRealtimeModel({
      paced: true,
      responses: [{ text: 'One two three four.', audioMs: 400 }, { text: 'Go on.' }],
    });
    const { session, clock } = setup(model);
    const controller = new AbortController();
    clock.timer(250, () => controller.abort(new Error('barge-in')));
    let itemId = '';
    const first = async () => {
      for await (const chunk of session.respond(
        request([user('u1', 'count')]),
        controller.signal,
      )) {
        if (chunk.type === 'message_started') itemId = chunk.itemId;
      }
    };
    await expect(first()).rejects.toThrow('barge-in');
    expect(model.cancels).toEqual([{ at: 250, itemId, audioSentMs: 260 }]);
    await session.truncate(itemId, 200);
    expect(model.truncations).toEqual([{ itemId, audioEndMs: 200, at: 250, heardText: 'One two' }]);
    expect(session.conversation.find((i) => i.key === itemId)).toMatchObject({
      text: 'One two',
      audioMs: 200,
    });
    const items: RealtimeItem[] = [
      user('u1', 'count'),
      { type: 'message', id: 'a1', role: 'assistant', text: 'One two', realtimeId: itemId },
      user('u2', 'and?'),
    ];
    for await (const _ of session.respond(request(items), new AbortController().signal)) {
      // drain
    }
    expect(model.requests.map((r) => r.items.length)).toEqual([1, 3]);
    expect(session.syncs.at(-1)).toEqual({ created: ['u2'], deleted: [] });
  });

  it('a reply nobody heard is deleted; the history can bring its text back', async () => {
    const model = new FakeRealtimeModel({
      responses: [
        { text: 'Unheard.', audioMs: 100 },
        { text: 'ok', repeat: true },
      ],
    });
    const { run, session } = setup(model);
    const chunks = await run(request([user('u1', 'hi')]));
    const itemId = chunks[0]!.chunk.type === 'message_started' ? chunks[0]!.chunk.itemId : '';
    await session.truncate(itemId, 0);
    expect(model.truncations[0]).toMatchObject({ itemId, heardText: '' });
    expect(session.conversation.map((i) => i.key)).toEqual(['u1']);
    await run(
      request([
        user('u1', 'hi'),
        { type: 'message', id: 'a1', role: 'assistant', text: 'Un', realtimeId: itemId },
      ]),
    );
    expect(session.syncs.at(-1)!.created).toEqual([itemId]);
  });

  it('commits pushed audio as a user item and transcribes it after the commit', async () => {
    const model = new FakeRealtimeModel({
      userTranscription: true,
      userTranscripts: ['what time is it'],
    });
    const { session, clock } = setup(model);
    const events: RealtimeEvent[] = [];
    const off = session.onEvent((event) => events.push(event));
    expect(await session.commitAudio()).toBeUndefined();
    for (let i = 0; i < 10; i++) session.pushAudio(toneFrame(20, 16_000));
    const itemId = await session.commitAudio();
    expect(itemId).toMatch(/^rt_user_\d+$/);
    expect(events).toEqual([]);
    await clock.runUntilIdle();
    expect(events).toEqual([
      { type: 'input_transcript', itemId, text: 'what time is it', final: true },
    ]);
    expect(session.commits).toEqual([{ itemId, audioMs: 200, at: 0 }]);
    expect(session.conversation).toEqual([
      { key: itemId, type: 'message', role: 'user', text: 'what time is it', audioMs: 200 },
    ]);
    session.pushAudio(toneFrame(20, 16_000));
    session.clearAudio();
    expect(await session.commitAudio()).toBeUndefined();
    expect(session.pushedAudioMs).toBe(220);
    session.emit({ type: 'speech_started' });
    off();
    session.emit({ type: 'speech_stopped' });
    expect(events.at(-1)).toEqual({ type: 'speech_started' });
  });
});
