import type { Agent } from 'voxagent';
import { PlanBuilder, Recorder } from './build.js';
import type { AgentsPlan } from './plan.js';

/**
 * The agent module of fuzz session files (test/fuzz/cases/*.yaml): it builds the plan's
 * agents, tasks and tools from `options.userData.fuzzPlan`. What plan code sees that the
 * contract forbids is printed on stderr, since a replay has no recorder to hand it to.
 */
class PrintingRecorder extends Recorder {
  override violation(message: string): void {
    super.violation(message);
    process.stderr.write(`fuzz violation: ${message}\n`);
  }
}

export default (ctx: { userData: Record<string, unknown> | undefined }): Agent => {
  const plan = ctx.userData?.fuzzPlan as AgentsPlan | undefined;
  if (!plan) throw new Error('this agent module needs options.userData.fuzzPlan (a fuzz case)');
  return new PlanBuilder(plan, new PrintingRecorder()).agent(0);
};
