/**
 * A long scripted session for replay scaling: `turns` user turns (speech and typed text),
 * every tenth with a tool call, each anchored on the previous answer, with expectations per
 * turn. Used by bench/replay-long.ts and test/replay/long-session.test.ts.
 */

export interface LongSessionOptions {
  turns: number;
  /** The agent module as the script names it. */
  agent: string;
}

const pad = (i: number) => String(i).padStart(6, '0');

export function longSessionScript(o: LongSessionOptions): Record<string, unknown> {
  const llm: Record<string, unknown>[] = [];
  const user: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  for (let i = 1; i <= o.turns; i++) {
    const q = `question q${pad(i)}`;
    const tooled = i % 10 === 0;
    llm.push(
      tooled
        ? {
            when: { input: `q${pad(i)}` },
            text: 'Let me look.',
            toolCalls: [{ name: 'lookup' }],
            ttft: '120ms',
          }
        : {
            when: { input: `q${pad(i)}` },
            text: `Answer a${pad(i)}. Anything else?`,
            ttft: '150ms',
          },
    );
    if (tooled)
      llm.push({ when: { toolResult: 'found' }, text: `Found a${pad(i)}.`, ttft: '80ms' });
    const step: Record<string, unknown> =
      i % 2 === 0 ? { text: q } : { speech: q, duration: '1200ms', sttDelay: '100ms' };
    if (i > 1) step.after = { event: 'speech.done', since: 'previous', offset: '400ms' };
    else step.at = '200ms';
    user.push(step);
    events.push({ event: 'user.turn', where: { text: q } });
    events.push({ event: 'speech.done', where: { reason: 'completed' } });
  }
  return {
    name: `long-${o.turns}`,
    agent: o.agent,
    options: { turnDetection: { minEndpointingDelayMs: '300ms' } },
    models: { llm, tts: { msPerChar: 20, ttfb: '30ms' } },
    user,
    run: { limit: `${Math.min(o.turns * 6 + 60, 86_400)}s` },
    expect: { events },
  };
}
