import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateLatency, turnLatencies } from '../../src/replay/latency.js';
import { SessionFileError, validateSessionObject } from '../../src/replay/load.js';
import { runSessionFile } from '../../src/replay/runner.js';
import { toChromeTrace } from '../../src/replay/trace.js';
import type { TurnLatencyParts } from '../../src/runtime/events/types.js';
import { assertValidTrace, EventListBuilder } from './helpers.js';

const ZERO: TurnLatencyParts = {
  transcriptionMs: 0,
  endpointingMs: 0,
  hookMs: 0,
  queueMs: 0,
  toolsMs: 0,
  llmTtftMs: 0,
  llmSentenceMs: 0,
  ttsTtfbMs: 0,
  outputMs: 0,
};

/** Two spoken turns: a quick one, and one that waited for the slow endpointing setting. */
function twoTurns() {
  const b = new EventListBuilder();
  const turn = (turnId: string, t: number) =>
    b.add('user.turn', t, { turnId, text: turnId, source: 'speech', agentId: 'a', waited: false });
  turn('turn_1', 1500);
  b.add('metrics.turn', 1700, {
    turnId: 'turn_1',
    speechId: 'speech_1',
    e2eMs: 700,
    parts: { ...ZERO, transcriptionMs: 100, endpointingMs: 400, llmTtftMs: 150, ttsTtfbMs: 50 },
    endpointingSetting: 'minEndpointingDelayMs',
  });
  turn('turn_2', 9000);
  b.add('metrics.turn', 9650, {
    turnId: 'turn_2',
    speechId: 'speech_2',
    e2eMs: 2650,
    parts: { ...ZERO, transcriptionMs: 100, endpointingMs: 2000, llmTtftMs: 400, ttsTtfbMs: 150 },
    endpointingSetting: 'maxEndpointingDelayMs',
  });
  return b.events;
}

const expectations = (latency: unknown) =>
  validateSessionObject({ agent: './a.ts', expect: { latency } }, 'inline').expect.latency;

describe('latency attribution', () => {
  it('reads each turn from metrics.turn, starting when the user stopped speaking', () => {
    expect(turnLatencies(twoTurns())).toEqual([
      expect.objectContaining({ turnId: 'turn_1', startMs: 1000, e2eMs: 700 }),
      expect.objectContaining({ turnId: 'turn_2', startMs: 6900, e2eMs: 2650 }),
    ]);
  });

  it('bounds every turn, and names the parts and the setting of a slow one', () => {
    const [result] = evaluateLatency(
      expectations({ e2e: '<800ms', llmTtft: '<=400ms' }),
      twoTurns(),
    );
    expect(result).toEqual({
      description: 'latency of every turn: e2e < 800ms, llmTtft <= 400ms',
      passed: false,
      path: 'expect.latency',
      detail:
        'turn_2: e2e 2650ms (expected < 800ms); e2e 2650ms = transcription 100ms + endpointing 2s (maxEndpointingDelayMs) + llmTtft 400ms + ttsTtfb 150ms',
    });
    const [ok] = evaluateLatency(expectations({ e2e: '<3s', ttsTtfb: '>=50ms' }), twoTurns());
    expect(ok).toMatchObject({
      passed: true,
      detail:
        '2 turn(s); slowest turn_2: e2e 2650ms = transcription 100ms + endpointing 2s (maxEndpointingDelayMs) + llmTtft 400ms + ttsTtfb 150ms',
    });
  });

  it('checks one turn exactly, by position or id, and its endpointing setting', () => {
    const results = evaluateLatency(
      expectations([
        {
          turn: 1,
          e2e: '700ms',
          endpointing: '400ms',
          endpointingSetting: 'minEndpointingDelayMs',
        },
        { turn: 'turn_2', endpointingSetting: 'minEndpointingDelayMs' },
        { turn: 3, e2e: '<1s' },
      ]),
      twoTurns(),
    );
    expect(results.map((r) => [r.path, r.passed, r.detail.split(';')[0]])).toEqual([
      ['expect.latency[0]', true, '1 turn(s)'],
      [
        'expect.latency[1]',
        false,
        'turn_2: endpointing owned by maxEndpointingDelayMs (expected minEndpointingDelayMs)',
      ],
      ['expect.latency[2]', false, 'there were only 2 user turns'],
    ]);
  });

  it('rejects bounds it cannot read, and exact parts that do not add up', () => {
    expect(() => expectations({ e2e: 'fast' })).toThrow(
      /expect\.latency\.e2e: expected a bound like "<800ms", "<=1s" or 650ms \(exactly\), got "fast"/,
    );
    expect(() => expectations({ e2e: '500ms', llmTtft: '400ms', ttsTtfb: '200ms' })).toThrow(
      SessionFileError,
    );
    expect(() => expectations({ e2e: '500ms', llmTtft: '400ms', ttsTtfb: '200ms' })).toThrow(
      /the parts add up to 600ms, not to e2e 500ms/,
    );
    expect(() => expectations({ lllmTtft: '<1s' })).toThrow(/unknown field "lllmTtft"/);
  });

  it('draws each turn as a span with its parts nested inside, on one lane', () => {
    const trace = toChromeTrace(twoTurns(), { name: 'x' });
    assertValidTrace(trace);
    const spans = trace.traceEvents.filter((e) => e.cat === 'latency');
    expect(spans.map((s) => [s.name, s.ts / 1000, (s.dur ?? 0) / 1000])).toEqual([
      ['turn_1 e2e 700ms', 1000, 700],
      ['transcription', 1000, 100],
      ['endpointing', 1100, 400],
      ['llmTtft', 1500, 150],
      ['ttsTtfb', 1650, 50],
      ['turn_2 e2e 2650ms', 6900, 2650],
      ['transcription', 6900, 100],
      ['endpointing', 7000, 2000],
      ['llmTtft', 9000, 400],
      ['ttsTtfb', 9400, 150],
    ]);
    expect(new Set(spans.map((s) => s.tid)).size).toBe(1);
  });
});

describe('latency of the seed sessions', () => {
  const seeds = readdirSync('sessions').filter((f) => f.startsWith('seed-'));

  it.each(seeds)(
    '%s: every answered turn is attributed, its parts add up, the file says so',
    async (f) => {
      const result = await runSessionFile(`sessions/${f}`);
      expect(result.latency.length).toBeGreaterThan(0);
      for (const l of result.latency) {
        expect(Object.values(l.parts).reduce((a, b) => a + b, 0)).toBe(l.e2eMs);
      }
      const checked = result.expectations.filter((x) => x.path?.startsWith('expect.latency'));
      expect(checked).toHaveLength(result.latency.length);
      expect(checked.every((x) => x.passed)).toBe(true);
    },
  );
});
