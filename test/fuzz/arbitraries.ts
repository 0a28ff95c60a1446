import fc from 'fast-check';
import {
  type AgentPlan,
  doneToolOf,
  inputToken,
  type LLMReply,
  type Op,
  type Plan,
  resultToken,
  type SessionPlan,
  type Step,
  type ToolPlan,
} from './plan.js';

/** Plan sizes: small enough for ≥ 1,000 cases in CI, big enough to interleave. */
export interface PlanLimits {
  maxSteps: number;
  maxTools: number;
  maxTasks: number;
  maxAgents: number;
  maxOps: number;
  horizonMs: number;
  /** Whether onUserTurnCompleted may await its say()/reply() (finding turn-hook-holds-queue). */
  turnHookAwaits: boolean;
}

export const DEFAULT_LIMITS: PlanLimits = {
  maxSteps: 8,
  maxTools: 5,
  maxTasks: 3,
  maxAgents: 3,
  maxOps: 3,
  horizonMs: 8000,
  turnHookAwaits: true,
};

const word = fc.constantFrom('alpha', 'bravo', 'charlie', 'delta', 'echo', 'golf', 'hotel');
const sentence = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => `${w.join(' ')}.`);
const speechText = fc.array(sentence, { minLength: 1, maxLength: 2 }).map((s) => s.join(' '));
const ms = (max: number) => fc.integer({ min: 0, max }).map((v) => v - (v % 10));

interface OpContext {
  kind: 'tool' | 'enter' | 'exit' | 'turn';
  nAgents: number;
  nTasks: number;
  /** Hooks of task i may only await tasks after i, so hooks cannot recurse forever. */
  minTask: number;
  inTask: boolean;
  turnHookAwaits: boolean;
}

function opArb(c: OpContext): fc.Arbitrary<Op> {
  const inTool = c.kind === 'tool';
  const awaits = c.kind === 'turn' && !c.turnHookAwaits ? fc.constant(false) : fc.boolean();
  const choices: fc.WeightedArbitrary<Op>[] = [
    { weight: 3, arbitrary: ms(1500).map((v) => ({ op: 'sleep' as const, ms: v })) },
    {
      weight: 3,
      arbitrary: fc
        .record({ text: speechText, interruptible: fc.boolean(), await: awaits })
        .map((r) => ({ op: 'say' as const, ...r })),
    },
    { weight: 2, arbitrary: awaits.map((a) => ({ op: 'reply' as const, await: a })) },
  ];
  if (inTool) {
    choices.push(
      { weight: 3, arbitrary: fc.constant({ op: 'waitPlayout' as const }) },
      { weight: 2, arbitrary: fc.constant({ op: 'waitOwn' as const }) },
      {
        weight: 2,
        arbitrary: word.map((w) => ({ op: 'update' as const, message: `progress ${w}` })),
      },
      {
        weight: 2,
        arbitrary: fc
          .record({
            agent: fc.integer({ min: 0, max: c.nAgents - 1 }),
            via: fc.constantFrom('return' as const, 'update' as const),
          })
          .map((r) => ({ op: 'handoff' as const, ...r })),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom('tool' as const, 'plain' as const)
          .map((k) => ({ op: 'throw' as const, kind: k })),
      },
    );
  }
  if (c.kind !== 'turn' && c.minTask < c.nTasks) {
    choices.push({
      weight: inTool ? 6 : 4,
      arbitrary: fc
        .integer({ min: c.minTask, max: c.nTasks - 1 })
        .map((t) => ({ op: 'task' as const, task: t })),
    });
  }
  if (c.inTask && c.kind !== 'exit') {
    choices.push({
      weight: 3,
      arbitrary: fc.boolean().map((ok) => ({ op: 'complete' as const, ok })),
    });
  }
  return fc.oneof(...choices);
}

const ops = (c: OpContext, max: number) => fc.array(opArb(c), { maxLength: max });

function agentArb(
  name: string,
  toolNames: string[],
  c: Omit<OpContext, 'kind'>,
  maxOps: number,
): fc.Arbitrary<AgentPlan> {
  return fc.record({
    name: fc.constant(name),
    allowInterruptions: fc.option(fc.boolean(), { freq: 4, nil: null }),
    tools: fc.oneof({ weight: 3, arbitrary: fc.constant(toolNames) }, fc.subarray(toolNames)),
    onEnter: ops({ ...c, kind: 'enter' }, c.inTask ? maxOps : 2),
    onExit: ops({ ...c, kind: 'exit' }, 1),
    onTurn: ops({ ...c, kind: 'turn' }, 1),
  });
}

function replyArb(when: LLMReply['when'], callable: string[]): fc.Arbitrary<LLMReply> {
  const call = fc.record({
    name: fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom(...callable) },
      { weight: 1, arbitrary: fc.constant('no_such_tool') },
    ),
    bad: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true)),
  });
  return fc
    .record({
      text: fc.option(speechText, { freq: 3, nil: undefined }),
      toolCalls: fc.oneof(fc.constant<{ name: string; bad: boolean }[]>([]), {
        weight: 2,
        arbitrary: fc.array(call, { minLength: 1, maxLength: 2 }),
      }),
      ttftMs: ms(600),
      extraMs: ms(800),
      error: fc.oneof(
        { weight: 19, arbitrary: fc.constant(undefined) },
        fc.record({ message: fc.constant('boom'), retryable: fc.boolean() }),
      ),
    })
    .map((r) => ({
      when,
      ...(r.text !== undefined ? { text: r.text } : {}),
      ...(r.toolCalls.length > 0 ? { toolCalls: r.toolCalls } : {}),
      ttftMs: r.ttftMs,
      durationMs: r.ttftMs + r.extraMs,
      ...(r.error ? { error: r.error } : {}),
    }));
}

const stepArb = (horizon: number): fc.Arbitrary<Omit<Step, 'text'> & { body?: string }> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        at: ms(horizon),
        kind: fc.constant('speech' as const),
        body: speechText,
        durationMs: fc.integer({ min: 100, max: 2000 }),
        sttDelayMs: ms(300),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        at: ms(horizon),
        kind: fc.constant('noise' as const),
        durationMs: fc.integer({ min: 100, max: 1500 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        at: ms(horizon),
        kind: fc.constant('text' as const),
        body: speechText,
        source: fc.constantFrom('text' as const, 'api' as const),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        at: ms(horizon),
        kind: fc.constant('reply' as const),
        body: fc.option(speechText, { freq: 4, nil: undefined }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        at: ms(horizon),
        kind: fc.constant('say' as const),
        body: speechText,
        interruptible: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        at: ms(horizon),
        kind: fc.constant('interrupt' as const),
        force: fc.boolean(),
      }),
    },
  ) as fc.Arbitrary<Omit<Step, 'text'> & { body?: string }>;

/** Sorts the timeline, gives every user input its token, and puts a close last (if any). */
function finishSteps(raw: (Omit<Step, 'text'> & { body?: string })[], closeAt: number | null) {
  const sorted = [...raw].sort((a, b) => a.at - b.at);
  let n = 0;
  const steps: Step[] = [];
  for (const { body, ...s } of sorted) {
    if (closeAt !== null && s.at >= closeAt) continue;
    if (s.kind === 'speech' || s.kind === 'text') {
      steps.push({ ...s, text: `${inputToken(++n)} ${body}` } as Step);
    } else if (s.kind === 'reply') {
      steps.push({
        at: s.at,
        kind: 'reply',
        userInput: body ? `${inputToken(++n)} ${body}` : null,
      });
    } else if (s.kind === 'say') {
      steps.push({ ...s, text: body ?? 'filler.' } as Step);
    } else steps.push(s as Step);
  }
  if (closeAt !== null) steps.push({ at: closeAt, kind: 'close' });
  return { steps, inputs: n };
}

const sessionArb: fc.Arbitrary<SessionPlan> = fc.record({
  model: fc.oneof(
    { weight: 6, arbitrary: fc.constant('llm' as const) },
    { weight: 2, arbitrary: fc.constant('realtime' as const) },
    { weight: 1, arbitrary: fc.constant('realtime-text' as const) },
  ),
  reporting: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
  pausable: fc.boolean(),
  allowInterruptions: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, fc.constant(false)),
  maxToolSteps: fc.integer({ min: 1, max: 3 }),
  minEndpointingMs: ms(600),
  minInterruptMs: ms(600),
  falseInterruptionMs: fc.integer({ min: 20, max: 200 }).map((v) => v * 10),
  msPerChar: fc.integer({ min: 5, max: 40 }),
  ttfbMs: ms(200),
});

/** A whole random plan. */
export function planArb(limits: PlanLimits = DEFAULT_LIMITS): fc.Arbitrary<Plan> {
  const shape = fc.record({
    nTools: fc.integer({ min: 1, max: limits.maxTools }),
    nTasks: fc.integer({ min: 0, max: limits.maxTasks }),
    nAgents: fc.integer({ min: 1, max: limits.maxAgents }),
    raw: fc.array(stepArb(limits.horizonMs), { minLength: 1, maxLength: limits.maxSteps }),
    closeAt: fc.option(ms(limits.horizonMs + 4000), { freq: 3, nil: null }),
  });
  return shape.chain(({ nTools, nTasks, nAgents, raw, closeAt }) => {
    const { steps, inputs } = finishSteps(raw, closeAt);
    const toolNames = Array.from({ length: nTools }, (_, i) => `t${i}`);
    const doneTools = Array.from({ length: nTasks }, (_, i) => doneToolOf(i));
    const callable = [...toolNames, ...doneTools];
    const base = { nAgents, nTasks, turnHookAwaits: limits.turnHookAwaits };
    const tool = (name: string): fc.Arbitrary<ToolPlan> =>
      fc.record({
        name: fc.constant(name),
        strict: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)),
        ops: ops({ ...base, kind: 'tool', minTask: 0, inTask: true }, limits.maxOps),
        result: fc.option(fc.constantFrom('done.', 'ok.'), { freq: 5, nil: null }),
      });
    const names = [
      ...Array.from({ length: nAgents }, (_, i) => `A${i}`),
      ...Array.from({ length: nTasks }, (_, i) => `T${i}`),
    ];
    const perInput = Array.from({ length: inputs }, (_, i) =>
      fc.option(replyArb({ input: inputToken(i + 1) }, callable), { freq: 5, nil: null }),
    );
    const perAgent = names.map((n) => fc.array(replyArb({ agent: n }, callable), { maxLength: 2 }));
    const perTool = callable.map((t) =>
      fc.option(replyArb({ toolResult: resultToken(t) }, callable), { freq: 3, nil: null }),
    );
    return fc
      .record({
        session: sessionArb,
        tools: fc.tuple(...toolNames.map(tool)),
        agents: fc.tuple(
          ...Array.from({ length: nAgents }, (_, i) =>
            agentArb(`A${i}`, toolNames, { ...base, minTask: 0, inTask: false }, limits.maxOps),
          ),
        ),
        tasks: fc.tuple(
          ...Array.from({ length: nTasks }, (_, i) =>
            agentArb(`T${i}`, toolNames, { ...base, minTask: i + 1, inTask: true }, limits.maxOps),
          ),
        ),
        perInput: fc.tuple(...perInput),
        perTool: fc.tuple(...perTool),
        perAgent: fc.tuple(...perAgent),
      })
      .map(
        (r): Plan => ({
          session: r.session,
          agents: { agents: r.agents, tasks: r.tasks, tools: r.tools },
          llm: [
            ...r.perInput.filter((x): x is LLMReply => x !== null),
            ...r.perTool.filter((x): x is LLMReply => x !== null),
            ...r.perAgent.flat(),
          ],
          fallbackText: 'Okay.',
          steps,
        }),
      );
  });
}
