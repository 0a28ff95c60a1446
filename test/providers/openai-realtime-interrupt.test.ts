/**
 * Interruptions and the user's side of the OpenAI Realtime plugin, through the real SDK
 * against the local TLS server: cancel on abort (and its races), truncation at the played
 * position, server turn detection, input transcription and local commits.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RealtimeChunk } from '../../src/runtime/models/realtime.js';
import { FakeOpenAIRealtimeServer } from '../support/fake-openai-realtime-server.js';
import { collect, testContext } from './helpers.js';
import {
  assistant,
  audioSamples,
  messageId,
  openSession,
  readUntil,
  realtimeModel,
  request,
  respond,
  shape,
  speech,
  until,
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

const hi = request([user('m1', 'hi')]);
const hasAudio = (ms: number) => {
  let samples = 0;
  return (chunk: RealtimeChunk) => {
    if (chunk.type === 'audio') samples += chunk.frame.samplesPerChannel;
    return samples >= ms * 24;
  };
};

/** Starts a response held by the server at `holdMs` of audio; reads up to that point. */
async function heldResponse(holdMs: number, extra: { cancelDelayMs?: number } = {}) {
  server.respond({
    text: ['One, ', 'two, ', 'three.'],
    audioMs: 1000,
    holdAtAudioMs: holdMs,
    ...extra,
  });
  const opened = openSession(server);
  const controller = new AbortController();
  const { chunks, rest } = await readUntil(
    respond(opened.session, hi, controller.signal),
    hasAudio(holdMs - 20),
  );
  await server.held();
  return { ...opened, controller, chunks, rest, itemId: messageId(chunks) };
}

describe('OpenAIRealtimeModel: interruption', () => {
  it('an abort ends the response at once and cancels it on the server', async () => {
    const { session, events, controller, rest } = await heldResponse(300);
    const waiting = rest.next();
    const reason = new Error('interrupted by the user');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await server.waitFor(() => server.eventsOf('response.cancel').length === 1);
    expect(server.eventsOf('response.cancel')[0]).toMatchObject({
      response_id: expect.stringMatching(/^resp_/),
    });
    server.respond({ text: ['Next.'], audioMs: 100 });
    const next = await collect(respond(session, hi));
    expect(shape(next)).toContain('text:Next.');
    expect(events).toEqual([]);
    await session.close();
  });

  it('waits for a cancelled response to end before asking for the next one', async () => {
    const { session, events, controller, rest } = await heldResponse(200, { cancelDelayMs: 150 });
    const waiting = rest.next();
    controller.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
    server.respond({ text: ['After.'], audioMs: 100 });
    const next = await collect(respond(session, hi));
    expect(shape(next)).toContain('text:After.');
    // One create for each response: the second was not refused as "already active".
    expect(server.eventsOf('response.create')).toHaveLength(2);
    expect(server.connections[0]!.errorsSent).toEqual([]);
    expect(events).toEqual([]);
    await session.close();
  });

  it('asks again when response.create meets a response it did not know was active yet', async () => {
    server.respond(
      { text: ['Long answer.'], audioMs: 1000, holdAtAudioMs: 0 },
      { text: ['Second.'] },
    );
    const { session, events } = openSession(server);
    const first = new AbortController();
    const pending = respond(session, hi, first.signal)[Symbol.asyncIterator]().next();
    // Aborted before `response.created` arrives: the client has no response id to cancel.
    await server.waitFor(() => server.eventsOf('response.create').length === 1);
    first.abort(new Error('interrupted early'));
    await expect(pending).rejects.toThrow('interrupted early');
    const second = await collect(respond(session, hi));
    expect(shape(second)).toContain('text:Second.');
    const flow = server.connections[0]!.events.filter((e) =>
      String(e.type).startsWith('response.'),
    );
    expect(withoutIds(flow)).toEqual([
      { type: 'response.create', response: { metadata: { voxagent_response: 'r1' } } },
      // Refused: response 1 is still active on the server.
      { type: 'response.create', response: { metadata: { voxagent_response: 'r2' } } },
      // response.created named response 1: it is cancelled by its id…
      { type: 'response.cancel', response_id: expect.stringMatching(/^resp_/) },
      // …and once it is done, the second response is asked for again.
      { type: 'response.create', response: { metadata: { voxagent_response: 'r2' } } },
    ]);
    expect(server.connections[0]!.errorsSent).toEqual(['conversation_already_has_active_response']);
    expect(events).toEqual([]);
    await session.close();
  });

  it('tolerates a cancel that arrives after the response ended', async () => {
    server.connect({ lateCancels: true });
    const { session, events, controller, rest } = await heldResponse(200);
    const waiting = rest.next();
    controller.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
    server.release();
    server.respond({ text: ['Still fine.'] });
    const next = await collect(respond(session, hi));
    expect(shape(next)).toContain('text:Still fine.');
    // The server did refuse the cancel; the session kept quiet about it.
    expect(server.connections[0]!.errorsSent).toEqual(['response_cancel_not_active']);
    expect(events).toEqual([]);
    await session.close();
  });

  it('truncates the interrupted item at the played position, and keeps it in the next sync', async () => {
    const { session, events, controller, rest, itemId } = await heldResponse(400);
    const waiting = rest.next();
    controller.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow();
    await session.truncate(itemId, 250);
    const conn = server.connections[0]!;
    expect(conn.truncations).toEqual([{ itemId, requestedMs: 250, audioEndMs: 250 }]);
    expect(server.eventsOf('conversation.item.truncate')[0]).toMatchObject({
      item_id: itemId,
      content_index: 0,
      audio_end_ms: 250,
    });
    // The history now holds what was heard; the server's item is that item, cut.
    server.respond({ text: ['Sorry, go on.'] });
    await collect(
      respond(session, request([user('m1', 'hi'), assistant('m2', 'One, two,', itemId)])),
    );
    expect(server.eventsOf('conversation.item.create')).toHaveLength(1);
    expect(server.eventsOf('conversation.item.delete')).toHaveLength(0);
    const item = conn.conversation.find((i) => i.id === itemId);
    expect(item).toMatchObject({ audioMs: 250, text: '' });
    expect(events).toEqual([]);
    await session.close();
  });

  it('cuts no later than the audio it received, and deletes an item nobody heard', async () => {
    const { session, events, controller, rest, chunks, itemId } = await heldResponse(300);
    const waiting = rest.next();
    controller.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow();
    const receivedMs = Math.floor(audioSamples(chunks) / 24);
    await session.truncate(itemId, 5000);
    const cut = server.connections[0]!.truncations[0]!;
    expect(cut.requestedMs).toBeGreaterThanOrEqual(receivedMs);
    expect(cut.requestedMs).toBeLessThanOrEqual(300);
    expect(cut.audioEndMs).toBe(cut.requestedMs); // Not refused: within what the server made.

    server.respond({ text: ['Unheard.'], audioMs: 300 });
    const second = await collect(respond(session, hi));
    const unheard = messageId(second);
    await session.truncate(unheard, 0);
    const deletes = () => server.eventsOf('conversation.item.delete').map((e) => e.item_id);
    await server.waitFor(() => deletes().includes(unheard));
    expect(server.connections[0]!.conversation.some((i) => i.id === unheard)).toBe(false);
    expect(events).toEqual([]);
    await session.close();
  });
  it('close() ends a response in flight and the connection; the session then refuses work', async () => {
    const { session, rest } = await heldResponse(200);
    const waiting = rest.next();
    await session.close();
    await expect(waiting).rejects.toThrow('the realtime session was closed');
    await server.waitFor(() => server.connections[0]!.closed);
    session.pushAudio(speech(20)[0]!);
    await expect(collect(respond(session, hi))).rejects.toThrow('the realtime session is closed');
    expect(server.connections).toHaveLength(1);
  });

  it('the model call signal closes the session', async () => {
    server.respond({ text: ['ok'] });
    const controller = new AbortController();
    const session = realtimeModel(server).session({ ...testContext(), signal: controller.signal });
    await collect(respond(session, hi));
    controller.abort();
    await server.waitFor(() => server.connections[0]!.closed);
    await expect(collect(respond(session, hi))).rejects.toThrow('closed');
  });
});

describe('OpenAIRealtimeModel: the user side', () => {
  it('reports server speech detection and transcription, and answers only when asked', async () => {
    server.connect({ userSpeech: [{ startMs: 200, endMs: 600, transcript: ['what ', 'time'] }] });
    const { session, events } = openSession(server);
    for (const frame of speech(800)) session.pushAudio(frame);
    await until(() => events.some((e) => e.type === 'input_transcript' && e.final));
    const itemId = events[1]?.type === 'speech_stopped' ? events[1].itemId : undefined;
    expect(itemId).toMatch(/^item_/);
    expect(events).toEqual([
      { type: 'speech_started' },
      { type: 'speech_stopped', itemId },
      { type: 'input_transcript', itemId, text: 'what ', final: false },
      { type: 'input_transcript', itemId, text: 'what time', final: false },
      { type: 'input_transcript', itemId, text: 'what time', final: true },
    ]);
    const conn = server.connections[0]!;
    // Audio held while connecting was sent after the configuration, resampled to 24 kHz.
    expect(conn.events[0]!.type).toBe('session.update');
    await server.waitFor(() => conn.appendedMs >= 799);
    expect(conn.appendedMs).toBeCloseTo(800, 0);
    // With create_response false the server started nothing: only the user's item exists.
    expect(conn.conversation.map((i) => i.role)).toEqual(['user']);

    server.respond({ text: ['Noon.'] });
    const reply = await collect(respond(session, request([user('u1', 'what time', itemId)])));
    expect(shape(reply)).toContain('text:Noon.');
    expect(server.eventsOf('conversation.item.create')).toHaveLength(0);
    await session.close();
  });

  it('commits and clears the buffer for voxagent turn detection', async () => {
    const { session, events } = openSession(server, { turnDetection: null });
    expect(await session.commitAudio()).toBeUndefined(); // Not connected, nothing buffered.
    for (const frame of speech(300)) session.pushAudio(frame);
    await until(() => (server.connections[0]?.appendedMs ?? 0) >= 299);
    const itemId = await session.commitAudio();
    expect(itemId).toMatch(/^item_/);
    expect(server.connections[0]!.conversation).toEqual([
      expect.objectContaining({ id: itemId, role: 'user', text: 'hello' }),
    ]);
    await until(() => events.some((e) => e.type === 'input_transcript' && e.final));
    expect(events.filter((e) => e.type === 'input_transcript' && e.final)).toEqual([
      { type: 'input_transcript', itemId, text: 'hello', final: true },
    ]);
    for (const frame of speech(40)) session.pushAudio(frame);
    // Less than the server accepts: dropped, not committed, and not an error.
    expect(await session.commitAudio()).toBeUndefined();
    for (const frame of speech(200)) session.pushAudio(frame);
    session.clearAudio();
    await server.waitFor(() => server.eventsOf('input_audio_buffer.clear').length === 2);
    expect(server.eventsOf('input_audio_buffer.commit')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await session.close();
  });

  it('cancels a response the server started on its own', async () => {
    server.respond({ text: ['Mine.'] }, { text: ['Unasked.'], audioMs: 1000, holdAtAudioMs: 100 });
    const { session, events } = openSession(server);
    await collect(respond(session, hi));
    server.last.startResponse();
    await server.waitFor(() => server.eventsOf('response.cancel').length === 1);
    server.respond({ text: ['Mine again.'] });
    const next = await collect(respond(session, request([user('m1', 'hi')])));
    expect(shape(next)).toContain('text:Mine again.');
    // Its item was never part of the history: it is removed from the server's conversation.
    expect(server.connections[0]!.conversation.map((i) => i.text)).toEqual(['hi', 'Mine again.']);
    expect(events).toEqual([]);
    await session.close();
  });
});
