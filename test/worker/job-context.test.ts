/** A job's end is decided once; its shutdown callbacks run once it ended, bounded in time. */
import { describe, expect, it } from 'vitest';
import { JobControl, type JobInfo } from '../../src/worker/job-context.js';

const INFO: JobInfo = {
  id: 'AJ_1',
  dispatchId: 'AD_1',
  agentName: 'alpha',
  metadata: 'vip',
  room: { name: 'r1', sid: 'RM_1', metadata: '' },
  participant: null,
};

describe('JobControl', () => {
  it('gives the factory the job, its identity and worker; the first end wins', async () => {
    const control = new JobControl(INFO, 'agent-AJ_1', 'AW_1');
    expect(control.context).toMatchObject({ ...INFO, identity: 'agent-AJ_1', workerId: 'AW_1' });
    control.context.shutdown();
    control.end({ reason: 'later', error: 'ignored' });
    expect(await control.ended).toEqual({ reason: 'the agent ended the job', error: null });
    expect(control.isEnded).toBe(true);
  });

  it('runs every shutdown callback with the reason; one that throws or hangs is reported, not fatal', async () => {
    const control = new JobControl(INFO, 'agent-AJ_1', 'AW_1');
    const seen: string[] = [];
    control.context.addShutdownCallback((reason) => {
      seen.push(`a ${reason}`);
    });
    const remove = control.context.addShutdownCallback(() => {
      seen.push('removed');
    });
    remove();
    control.context.addShutdownCallback(async () => {
      throw new Error('boom');
    });
    control.context.addShutdownCallback(() => new Promise<void>(() => undefined));
    const problems = await control.runShutdownCallbacks('terminated', 50);
    expect(seen).toEqual(['a terminated']);
    expect(problems).toEqual([
      'a shutdown callback threw: boom',
      'shutdown callbacks still running after 50 ms',
    ]);
  });
});
