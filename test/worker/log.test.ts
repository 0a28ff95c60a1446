/** The worker's structured log: JSON or text lines, levels, per-job fields, masked secrets. */
import { describe, expect, it } from 'vitest';
import { WorkerLog } from '../../src/worker/log.js';

function capture(format: 'json' | 'text', level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const log = new WorkerLog({
    level,
    format,
    secrets: ['the-api-secret', 'short'],
    write: (l) => lines.push(l),
  });
  return { log, lines };
}

describe('WorkerLog', () => {
  it('writes one JSON object per line, with the fields of its scope', () => {
    const { log, lines } = capture('json');
    log.with({ job_id: 'AJ_1', room: 'r1' }).info('job started', { metadata: 'vip', n: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      level: 'info',
      msg: 'job started',
      job_id: 'AJ_1',
      room: 'r1',
      metadata: 'vip',
      n: 2,
    });
    expect(Number.isNaN(Date.parse(String(parsed.time)))).toBe(false);
  });

  it('writes text as time, level, message and key=value pairs (quoted when needed)', () => {
    const { log, lines } = capture('text');
    log.warn('job failed', { job_id: 'AJ_1', error: 'it broke down', extra: undefined });
    expect(lines[0]).toMatch(/^\S+Z WARN {2}job failed job_id=AJ_1 error="it broke down"\n$/);
  });

  it('drops lines below its level', () => {
    const { log, lines } = capture('json', 'info');
    log.debug('session event');
    log.error('bad');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['bad']);
  });

  it('masks secrets, including ones learnt later (assignment tokens)', () => {
    const { log, lines } = capture('json');
    log.addSecret('eyJ.token.value');
    log.info('oops the-api-secret and eyJ.token.value', { detail: 'the-api-secret' });
    expect(lines[0]).not.toContain('the-api-secret');
    expect(lines[0]).not.toContain('eyJ.token.value');
    expect(lines[0]).toContain('***');
  });
});
