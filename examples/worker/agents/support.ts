/**
 * An agent for `voxagent start` that uses its job: it greets the caller by the dispatch's
 * metadata and says goodbye in the log when the job ends. Under `voxagent dev` or
 * `connect` there is no job, and it simply greets.
 *
 *   voxagent start examples/worker/agents/support.ts --agent-name support
 *   lk dispatch create --room my-room --agent-name support --metadata '{"customer":"Ada"}'
 */
import { Agent, type AgentFactoryContext, type LLM } from 'voxagent';
import { FakeLLM } from 'voxagent/testing';

/** Offline: with no OPENAI_API_KEY every answer is this line (and speech is espeak-ng). */
export const demo = {
  llm: (): LLM =>
    new FakeLLM({ label: 'support demo', fallback: { text: 'Let me look into that for you.' } }),
};

export default (ctx: AgentFactoryContext) => {
  const job = ctx.job;
  let customer = 'there';
  try {
    customer = (JSON.parse(job?.metadata || '{}') as { customer?: string }).customer ?? customer;
  } catch {
    // metadata that is not JSON: greet generically
  }
  job?.addShutdownCallback((reason) => {
    console.log(`support call in ${job.room.name} ended: ${reason}`);
  });
  return new Agent({
    name: 'Support',
    instructions: 'You are a helpful support agent. Keep answers short.',
    onEnter: (agent) => {
      agent.session.say(`Hello ${customer}, how can I help you today?`);
    },
  });
};
