/**
 * The OpenAI Realtime plugin through the real SDK (`OpenAIRealtimeWS`) against a local TLS
 * server speaking the GA protocol: configuration, conversation sync, streamed output.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeOpenAIRealtimeServer } from '../support/fake-openai-realtime-server.js';
import { fakePcm } from '../support/fake-openai-server.js';
import { collect, SECRET_KEY, testContext } from './helpers.js';
import {
  assistant,
  audioSamples,
  messageId,
  openSession,
  realtimeModel,
  request,
  respond,
  shape,
  user,
  withoutIds,
} from './realtime-helpers.js';

let server: FakeOpenAIRealtimeServer;
beforeEach(async () => {
  server = await FakeOpenAIRealtimeServer.start();
});
afterEach(async () => {
  await server.close();
});

const weather = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('OpenAIRealtimeModel: configuration', () => {
  it('connects with the GA protocol and sends the whole configuration as one session.update', async () => {
    server.respond({ text: ['Hi.'], audioMs: 100 });
    const { session } = openSession(server, { voice: 'cedar' });
    await collect(
      respond(
        session,
        request([user('m1', 'hello')], { tools: [weather], toolChoice: 'required' }),
      ),
    );
    const conn = server.connections[0]!;
    expect(conn.query.get('model')).toBe('gpt-realtime');
    expect(conn.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    // The beta header would select the old protocol.
    expect(conn.headers['openai-beta']).toBeUndefined();
    expect(conn.events.slice(0, 3)).toEqual([
      {
        type: 'session.update',
        event_id: 'vx_evt_1',
        session: {
          type: 'realtime',
          output_modalities: ['audio'],
          audio: {
            input: {
              format: { type: 'audio/pcm', rate: 24000 },
              transcription: { model: 'gpt-4o-mini-transcribe' },
              turn_detection: {
                type: 'server_vad',
                create_response: false,
                interrupt_response: false,
              },
            },
            output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'cedar' },
          },
          instructions: 'Be brief.',
          tools: [{ type: 'function', ...weather }],
          tool_choice: 'required',
        },
      },
      {
        type: 'conversation.item.create',
        event_id: 'vx_evt_2',
        item: {
          type: 'message',
          id: 'vx_item_1',
          role: 'user',
          content: [{ type: 'input_text', text: 'hello' }],
        },
      },
      {
        type: 'response.create',
        event_id: 'vx_evt_3',
        response: { metadata: { voxagent_response: 'r1' } },
      },
    ]);
    // The server accepted it: no beta key, and a GA session type.
    expect(server.last.session.tool_choice).toBe('required');
    await session.close();
  });

  it('turns options into the session: text output, no server VAD, no transcription, tuning', async () => {
    server.respond({ text: ['ok'] });
    const model = realtimeModel(server, {
      model: 'gpt-realtime-mini',
      modalities: 'text',
      turnDetection: null,
      inputTranscription: false,
      noiseReduction: 'far_field',
      maxOutputTokens: 300,
    });
    expect(model.label).toBe('openai-realtime/gpt-realtime-mini');
    expect(model.capabilities).toEqual({
      audioOutput: false,
      sampleRate: 24000,
      serverTurnDetection: false,
      userTranscription: false,
      truncation: false,
    });
    const session = model.session(testContext());
    await collect(respond(session, request([user('m1', 'hi')], { toolChoice: { name: 'x' } })));
    expect(server.connections[0]!.query.get('model')).toBe('gpt-realtime-mini');
    expect(server.connections[0]!.events[0]!.session).toEqual({
      type: 'realtime',
      output_modalities: ['text'],
      audio: {
        input: {
          format: { type: 'audio/pcm', rate: 24000 },
          turn_detection: null,
          noise_reduction: { type: 'far_field' },
        },
      },
      max_output_tokens: 300,
      instructions: 'Be brief.',
      tools: [],
      tool_choice: { type: 'function', name: 'x' },
    });
    await session.close();
  });

  it('sends semantic VAD and server VAD tuning with the hands off the responses', async () => {
    server.respond({ text: ['ok'] });
    const { session } = openSession(server, {
      turnDetection: { type: 'semantic_vad', eagerness: 'low' },
      inputTranscription: { model: 'whisper-1', language: 'fr', prompt: 'noms propres' },
    });
    await collect(respond(session, request([user('m1', 'salut')])));
    const input = (server.connections[0]!.events[0]!.session as { audio: { input: unknown } }).audio
      .input;
    expect(input).toMatchObject({
      transcription: { model: 'whisper-1', language: 'fr', prompt: 'noms propres' },
      turn_detection: {
        type: 'semantic_vad',
        eagerness: 'low',
        create_response: false,
        interrupt_response: false,
      },
    });
    const vad = openSession(server, {
      turnDetection: {
        type: 'server_vad',
        threshold: 0.7,
        silenceDurationMs: 350,
        prefixPaddingMs: 200,
      },
    });
    server.respond({ text: ['ok'] });
    await collect(respond(vad.session, request([user('m1', 'hi')])));
    expect(
      (
        server.connections[1]!.events[0]!.session as {
          audio: { input: { turn_detection: unknown } };
        }
      ).audio.input.turn_detection,
    ).toEqual({
      type: 'server_vad',
      create_response: false,
      interrupt_response: false,
      threshold: 0.7,
      silence_duration_ms: 350,
      prefix_padding_ms: 200,
    });
    await session.close();
    await vad.session.close();
  });

  it('sends only what changed of instructions, tools and tool choice', async () => {
    server.respond({ text: ['one'] }, { text: ['two'] }, { text: ['three'] });
    const { session } = openSession(server);
    const items = [user('m1', 'hi')];
    await collect(respond(session, request(items)));
    await collect(respond(session, request(items)));
    await collect(
      respond(session, request(items, { instructions: 'Be a pirate.', tools: [weather] })),
    );
    const updates = server.eventsOf('session.update');
    expect(updates).toHaveLength(2);
    expect(updates[1]!.session).toEqual({
      type: 'realtime',
      instructions: 'Be a pirate.',
      tools: [{ type: 'function', ...weather }],
      tool_choice: 'auto',
    });
    await session.close();
  });
});

describe('OpenAIRealtimeModel: output', () => {
  it('streams the message, its audio (24 kHz frames) with the transcript in order, then usage', async () => {
    server.respond({ text: ['Hello ', 'there, ', 'friend.'], audioMs: 500 });
    const { session } = openSession(server);
    const chunks = await collect(respond(session, request([user('m1', 'hi')])));
    const itemId = messageId(chunks);
    expect(itemId).toMatch(/^item_/);
    // Three transcript deltas spread over five ~100 ms audio deltas, as the server sent them.
    expect(shape(chunks)).toEqual([
      'message_started',
      'text:Hello ',
      'audio',
      'text:there, ',
      'audio',
      'text:friend.',
      'audio',
      'usage',
    ]);
    expect(chunks.every((c) => c.type === 'usage' || c.itemId === itemId)).toBe(true);
    const pcm = Buffer.concat(
      chunks.flatMap((c) => (c.type === 'audio' ? [Buffer.from(c.frame.data.buffer)] : [])),
    );
    expect(pcm.equals(fakePcm(12_000))).toBe(true);
    const frames = chunks.filter((c) => c.type === 'audio');
    expect(frames.every((c) => c.type === 'audio' && c.frame.sampleRate === 24_000)).toBe(true);
    expect(chunks.at(-1)).toEqual({
      type: 'usage',
      inputTokens: 20,
      outputTokens: 30,
      inputAudioTokens: 0,
      outputAudioTokens: 10,
    });
    await session.close();
  });

  it('streams text output (for a separate TTS) as text chunks, with no audio', async () => {
    server.respond({ text: ['Plain ', 'text.'] });
    const { session } = openSession(server, { modalities: 'text' });
    const chunks = await collect(respond(session, request([user('m1', 'hi')])));
    expect(shape(chunks)).toEqual(['message_started', 'text:Plain ', 'text:text.', 'usage']);
    expect(audioSamples(chunks)).toBe(0);
    await session.close();
  });

  it('streams a tool call, then answers its output in a new response', async () => {
    server.respond(
      {
        text: ['Let me check.'],
        audioMs: 200,
        toolCalls: [{ name: 'get_weather', callId: 'call_1', arguments: ['{"ci', 'ty":"Oslo"}'] }],
      },
      { text: ['Sunny in Oslo.'], audioMs: 200 },
    );
    const { session } = openSession(server);
    const first = await collect(
      respond(session, request([user('m1', 'weather?')], { tools: [weather] })),
    );
    const message = first.find((c) => c.type === 'message_started');
    const call = first.find((c) => c.type === 'tool_call');
    expect(shape(first).slice(-2)).toEqual(['tool:get_weather', 'usage']);
    expect(call).toMatchObject({
      call: { id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    });
    const callItemId = call?.type === 'tool_call' ? call.itemId : '';
    const replyId = message?.type === 'message_started' ? message.itemId : '';
    const items = [
      user('m1', 'weather?'),
      assistant('m2', 'Let me check.', replyId),
      {
        type: 'function_call' as const,
        id: 'm3',
        realtimeId: callItemId,
        callId: 'call_1',
        name: 'get_weather',
        arguments: '{"city":"Oslo"}',
      },
      { type: 'function_call_output' as const, id: 'm4', callId: 'call_1', output: 'sunny' },
    ];
    const second = await collect(respond(session, request(items, { tools: [weather] })));
    expect(shape(second)).toContain('text:Sunny in Oslo.');
    // Only the output was new: no deletes, one create, then the response.
    expect(withoutIds(server.connections[0]!.events.slice(3))).toEqual([
      {
        type: 'conversation.item.create',
        item: { type: 'function_call_output', id: 'vx_item_2', call_id: 'call_1', output: 'sunny' },
      },
      { type: 'response.create', response: { metadata: { voxagent_response: 'r2' } } },
    ]);
    await session.close();
  });
});

describe('OpenAIRealtimeModel: conversation sync', () => {
  it('creates only missing items, deletes removed ones, and replaces edited copies', async () => {
    server.respond({ text: ['A.'] }, { text: ['B.'] }, { text: ['C.'] });
    const { session } = openSession(server);
    const first = await collect(respond(session, request([user('m1', 'one'), user('m2', 'two')])));
    const replyId = messageId(first);
    const kept = [user('m1', 'one'), assistant('m3', 'A.', replyId)];
    const second = await collect(respond(session, request([...kept, user('m4', 'three')])));
    const secondReplyId = messageId(second);
    await collect(
      respond(session, request([user('m1', 'one (edited)'), kept[1]!, user('m4', 'three')])),
    );
    const sync = server.connections[0]!.events.filter((e) =>
      ['conversation.item.create', 'conversation.item.delete'].includes(String(e.type)),
    );
    expect(withoutIds(sync)).toEqual([
      { type: 'conversation.item.create', item: expect.objectContaining({ id: 'vx_item_1' }) },
      { type: 'conversation.item.create', item: expect.objectContaining({ id: 'vx_item_2' }) },
      // Second request: m2 is gone, m4 is new (appended: no anchor).
      { type: 'conversation.item.delete', item_id: 'vx_item_2' },
      { type: 'conversation.item.create', item: expect.objectContaining({ id: 'vx_item_3' }) },
      // Third: m1's text changed, so its copy is replaced at the front; reply B is gone.
      { type: 'conversation.item.delete', item_id: 'vx_item_1' },
      { type: 'conversation.item.delete', item_id: secondReplyId },
      {
        type: 'conversation.item.create',
        previous_item_id: 'root',
        item: {
          type: 'message',
          id: 'vx_item_4',
          role: 'user',
          content: [{ type: 'input_text', text: 'one (edited)' }],
        },
      },
    ]);
    // The server holds what the history holds, in order (plus the last reply).
    expect(server.connections[0]!.conversation.map((i) => [i.id, i.text])).toEqual([
      ['vx_item_4', 'one (edited)'],
      [replyId, 'A.'],
      ['vx_item_3', 'three'],
      [expect.stringMatching(/^item_/), 'C.'],
    ]);
    await session.close();
  });

  it('inserts a missing item after its predecessor, and skips empty messages', async () => {
    server.respond({ text: ['A.'] }, { text: ['B.'] });
    const { session } = openSession(server);
    const first = await collect(respond(session, request([user('m1', 'one')])));
    const replyId = messageId(first);
    const items = [
      user('m1', 'one'),
      { type: 'message' as const, id: 'm0', role: 'system' as const, text: 'Note: VIP caller.' },
      assistant('m2', 'A.', replyId),
      user('m3', '   '),
    ];
    await collect(respond(session, request(items)));
    const creates = server.eventsOf('conversation.item.create');
    expect(withoutIds(creates.slice(1))).toEqual([
      {
        type: 'conversation.item.create',
        previous_item_id: 'vx_item_1',
        item: {
          type: 'message',
          id: 'vx_item_2',
          role: 'system',
          content: [{ type: 'input_text', text: 'Note: VIP caller.' }],
        },
      },
    ]);
    expect(server.connections[0]!.conversation.map((i) => i.id).slice(0, 3)).toEqual([
      'vx_item_1',
      'vx_item_2',
      replyId,
    ]);
    await session.close();
  });
  it('replaces a text reply the history cut (text output has no audio to truncate)', async () => {
    server.respond({ text: ['The long ', 'answer.'] }, { text: ['ok'] }, { text: ['ok'] });
    const { session } = openSession(server, { modalities: 'text' });
    const first = await collect(respond(session, request([user('m1', 'hi')])));
    const replyId = messageId(first);
    const second = await collect(
      respond(session, request([user('m1', 'hi'), assistant('m2', 'The long answer.', replyId)])),
    );
    // Its text is what the server holds: kept.
    expect(server.eventsOf('conversation.item.delete')).toEqual([]);
    const cut = [user('m1', 'hi'), assistant('m2', 'The long', replyId)];
    await collect(respond(session, request(cut)));
    const sync = server.connections[0]!.events.slice(-4, -1);
    expect(withoutIds(sync)).toEqual([
      { type: 'conversation.item.delete', item_id: replyId },
      { type: 'conversation.item.delete', item_id: messageId(second) },
      {
        type: 'conversation.item.create',
        item: {
          type: 'message',
          id: 'vx_item_2',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'The long' }],
        },
      },
    ]);
    await session.close();
  });
});
