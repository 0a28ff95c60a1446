import { describe, expect, it } from 'vitest';
import { TranscriptAssembler } from '../../plugins/deepgram/transcript.js';
import { ToolCallAssembler } from '../../plugins/openai/tool-calls.js';
import { redact, retryAfterFrom, sanitizeCause } from '../../plugins/shared/errors.js';
import { encodeWav, PcmChunker } from '../../plugins/shared/pcm.js';
import { expectNoSecret, SECRET_KEY } from './helpers.js';

describe('redaction', () => {
  it('removes the key and anything shaped like an auth header', () => {
    const text = `bad key ${SECRET_KEY}; headers: {"Authorization": "Bearer abcdefghijklmnopqrstuvwxyz"}, Token 0123456789abcdef0123`;
    const out = redact(text, [SECRET_KEY]);
    expect(out).toBe(
      'bad key [redacted]; headers: {"Authorization": "Bearer [redacted]"}, Token [redacted]',
    );
    expect(redact('Token limit reached', [])).toBe('Token limit reached');
  });

  it('a sanitized cause is a plain error without the key, whatever the original held', () => {
    const original = Object.assign(new Error(`failed for ${SECRET_KEY}`), {
      code: 'ECONNRESET',
      request: { headers: { authorization: `Bearer ${SECRET_KEY}` } },
    });
    const cause = sanitizeCause(original, [SECRET_KEY]);
    expect(cause.message).toBe('failed for [redacted]');
    expect((cause as Error & { code?: string }).code).toBe('ECONNRESET');
    expectNoSecret(cause);
  });
});

describe('retry-after', () => {
  it('reads retry-after-ms, seconds, or a date against the response date', () => {
    expect(retryAfterFrom(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterFrom(new Headers({ 'retry-after': '1.5' }))).toBe(1500);
    expect(
      retryAfterFrom(
        new Headers({
          'retry-after': 'Wed, 21 Oct 2015 07:28:03 GMT',
          date: 'Wed, 21 Oct 2015 07:28:00 GMT',
        }),
      ),
    ).toBe(3000);
    expect(retryAfterFrom(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterFrom(undefined)).toBeUndefined();
  });
});

describe('PCM', () => {
  it('cuts bytes split anywhere (even inside a sample) into whole frames', () => {
    const samples = Int16Array.from({ length: 1000 }, (_, i) => i * 3 - 1500);
    const bytes = Buffer.from(samples.buffer);
    const chunker = new PcmChunker(24_000, 10); // 240-sample frames
    const frames = [
      ...chunker.push(bytes.subarray(0, 7)),
      ...chunker.push(bytes.subarray(7, 1201)),
      ...chunker.push(bytes.subarray(1201)),
    ];
    const last = chunker.flush();
    expect(frames.map((f) => f.samplesPerChannel)).toEqual([240, 240, 240, 240]);
    expect(last?.samplesPerChannel).toBe(40);
    const joined = [...frames, last!].flatMap((f) => [...f.data]);
    expect(joined).toEqual([...samples]);
  });

  it('writes a 44-byte WAV header for mono s16', () => {
    const wav = encodeWav(Buffer.alloc(320), 16_000);
    expect(wav.length).toBe(364);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(16_000);
    expect(wav.readUInt32LE(40)).toBe(320);
  });
});

describe('ToolCallAssembler', () => {
  it('releases a call when a later index starts, and the rest at the end', () => {
    const calls = new ToolCallAssembler();
    expect(calls.push([{ index: 0, id: 'a', function: { name: 'f', arguments: '{"x"' } }])).toEqual(
      [],
    );
    expect(calls.push([{ index: 0, function: { arguments: ':1}' } }])).toEqual([]);
    expect(calls.push([{ index: 1, id: 'b', function: { name: 'g', arguments: '' } }])).toEqual([
      { id: 'a', name: 'f', arguments: '{"x":1}' },
    ]);
    expect(calls.finish()).toEqual([{ id: 'b', name: 'g', arguments: '{}' }]);
    expect(calls.finish()).toEqual([]);
  });
});

describe('TranscriptAssembler', () => {
  it('accumulates final segments into one final per utterance', () => {
    const t = new TranscriptAssembler();
    const interim = { isFinal: false, speechFinal: false };
    const segment = { isFinal: true, speechFinal: false };
    expect(t.results('', interim, undefined)).toEqual([]);
    expect(t.results('hi', interim, undefined)).toEqual([
      { type: 'start_of_speech' },
      { type: 'interim', text: 'hi' },
    ]);
    expect(t.results('hi there', segment, 40)).toEqual([{ type: 'interim', text: 'hi there' }]);
    expect(t.results('friend', { isFinal: true, speechFinal: true }, 55)).toEqual([
      { type: 'final', text: 'hi there friend', latencyMs: 55 },
      { type: 'end_of_speech' },
    ]);
    // A late UtteranceEnd after speech_final has nothing left to report.
    expect(t.endOfUtterance(10)).toEqual([]);
    // Speech with no words (noise): start and end, no final.
    expect(t.speechStarted()).toEqual([{ type: 'start_of_speech' }]);
    expect(t.endOfUtterance(undefined)).toEqual([{ type: 'end_of_speech' }]);
  });
});
