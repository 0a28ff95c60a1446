import { RealClock } from '../runtime/clock/real-clock.js';
import type { LLM } from '../runtime/models/llm.js';
import type { HistoryEntry } from './observed.js';

/**
 * Judged expectations: `judge: { intent }` on an agent message in `expect.history`. A model
 * the user configures reads the conversation up to that message and says whether the
 * message does what the intent says, and why. Runs on the real clock, after the replay.
 */

/** Which judge model to build (plain data: it is passed to a file's worker thread). */
export interface JudgeSetting {
  provider: 'openai';
  /** Default: the plugin's default model. */
  model?: string;
}

/** `judge` of ReplayOptions: a setting, or a model built by the caller (tests, the API). */
export type JudgeOption = JudgeSetting | { llm: LLM };

export const DEFAULT_JUDGE: JudgeSetting = { provider: 'openai' };

/** The judge cannot be built: the run stops (exit code 2) instead of skipping judgements. */
export class JudgeConfigError extends Error {
  override readonly name = 'JudgeConfigError';
  readonly exitCode = 2;
}

export interface Verdict {
  passed: boolean;
  reason: string;
}

/** What one judged expectation asks. */
export interface JudgeRequest {
  intent: string;
  /** The agent message being judged. */
  message: HistoryEntry;
  /** The history up to and including that message. */
  context: readonly HistoryEntry[];
}

/** `--judge-llm openai` or `openai:gpt-4o`. */
export function parseJudgeSetting(value: string): JudgeSetting | null {
  const [provider, ...model] = value.split(':');
  if (provider !== 'openai') return null;
  const name = model.join(':').trim();
  return name ? { provider, model: name } : { provider };
}

/** Builds the judge's model, or says in one line how to configure one. */
export async function judgeModel(option: JudgeOption, needBy: string): Promise<LLM> {
  if ('llm' in option) return option.llm;
  const env = process.env;
  if (!(env.OPENAI_API_KEY ?? '').trim()) {
    throw new JudgeConfigError(
      `${needBy} needs a judge model: set OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server), or choose one with --judge-llm openai:<model>`,
    );
  }
  const { OpenAILLM } = await import('../../plugins/openai/llm.js');
  return new OpenAILLM({
    env,
    temperature: 0,
    ...(option.model ? { model: option.model } : {}),
  });
}

const INSTRUCTIONS = [
  'You check the replies of a voice agent in an automated test.',
  'You get the conversation so far, the agent message to check, and the intent that message must fulfil.',
  'Judge only that message, in the context of the conversation.',
  'Answer with one JSON object and nothing else: {"verdict": "pass" or "fail", "reason": "one short sentence"}.',
].join(' ');

function transcript(entries: readonly HistoryEntry[]): string {
  return entries.map((e) => `${e.role}: ${e.text}`).join('\n');
}

/** Asks the model for a verdict. A reply that is not one fails the expectation, saying so. */
export async function judge(llm: LLM, request: JudgeRequest): Promise<Verdict> {
  const content = [
    'Conversation so far:',
    transcript(request.context.slice(0, -1)) || '(nothing before it)',
    '',
    'Agent message to check:',
    request.message.text,
    '',
    'Intent:',
    request.intent,
  ].join('\n');
  let reply = '';
  const signal = AbortSignal.timeout(60_000);
  try {
    const stream = llm.chat(
      {
        messages: [
          { role: 'system', content: INSTRUCTIONS },
          { role: 'user', content },
        ],
        tools: [],
      },
      { clock: new RealClock(), signal },
    );
    for await (const chunk of stream) if (chunk.type === 'text') reply += chunk.delta;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { passed: false, reason: `the judge model failed: ${why}` };
  }
  return parseVerdict(reply);
}

export function parseVerdict(reply: string): Verdict {
  const json = /\{[\s\S]*\}/.exec(reply)?.[0];
  try {
    const value = JSON.parse(json ?? '') as { verdict?: unknown; reason?: unknown };
    const verdict = typeof value.verdict === 'string' ? value.verdict.toLowerCase() : '';
    if (verdict === 'pass' || verdict === 'fail') {
      const reason = typeof value.reason === 'string' ? value.reason : '(no reason given)';
      return { passed: verdict === 'pass', reason };
    }
  } catch {
    // Falls through: not a verdict.
  }
  const shown = reply.trim().slice(0, 200) || '(empty)';
  return { passed: false, reason: `the judge's reply is not a verdict: ${shown}` };
}

/** What a judged expectation contributes to the result. */
export interface JudgedResult {
  description: string;
  passed: boolean;
  detail: string;
  path: string;
}

/** Asks the judge about each judged item (in parallel) and reports verdicts and reasons. */
export async function runJudgements(
  llm: LLM,
  pending: readonly {
    intent: string;
    path: string;
    message: HistoryEntry | null;
    context: readonly HistoryEntry[];
  }[],
): Promise<JudgedResult[]> {
  return Promise.all(
    pending.map(async (p) => {
      const description = `judge: ${p.intent}`;
      if (!p.message) {
        return {
          description,
          passed: false,
          detail: 'not judged: no message matched this history item',
          path: p.path,
        };
      }
      const verdict = await judge(llm, {
        intent: p.intent,
        message: p.message,
        context: p.context,
      });
      const said = JSON.stringify(p.message.text);
      return {
        description,
        passed: verdict.passed,
        detail: `${verdict.passed ? 'pass' : 'fail'} (${said}): ${verdict.reason}`,
        path: p.path,
      };
    }),
  );
}
