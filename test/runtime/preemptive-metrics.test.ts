/**
 * metrics.llm of a reply that used a preemptive request reports that request: its time to
 * first chunk, first sentence and end, counted from when it was made (LiveKit reports the
 * model call the same way). Found by replaying LiveKit's test_events_and_metrics
 * (sessions/livekit/events-and-metrics.yaml), where it reported 0 ms for everything.
 */
import { describe, expect, it } from 'vitest';
import { Agent } from 'voxagent';
import { settle, startHarness } from './harness.js';

async function spokenTurn(preemptiveGeneration: boolean) {
  const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
    utterances: [{ startMs: 500, endMs: 2500, transcript: 'Hello, how are you?', sttDelayMs: 200 }],
    responses: [
      {
        when: { input: 'how are you' },
        text: "I'm doing well, thank you!",
        ttftMs: 100,
        durationMs: 300,
      },
    ],
    session: { preemptiveGeneration },
  });
  await h.advance(6000);
  await settle(h);
  return h;
}

describe('metrics.llm of a preemptive reply', () => {
  it("reports the early request's own timings, not the wait for it", async () => {
    const h = await spokenTurn(true);
    expect(h.of('preemptive.used')).toHaveLength(1);
    const [llm] = h.of('metrics.llm');
    expect(llm).toMatchObject({ ttftMs: 100, ttfsMs: 300, durationMs: 300 });
    // The latency split still says the reply waited for no model time after the turn ended.
    expect(h.of('metrics.turn')[0]!.parts.llmTtftMs).toBe(0);
  });

  it('matches what the same request reports without preemptive generation', async () => {
    const h = await spokenTurn(false);
    expect(h.of('preemptive.started')).toHaveLength(0);
    expect(h.of('metrics.llm')[0]).toMatchObject({ ttftMs: 100, ttfsMs: 300, durationMs: 300 });
  });
});
