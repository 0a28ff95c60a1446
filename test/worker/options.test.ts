/** `voxagent start` settings: defaults, the environment, and one clear line per mistake. */
import { describe, expect, it } from 'vitest';
import { defaultIdleProcesses, duration, parseStartFlags } from '../../src/worker/options.js';

const ENV = {
  LIVEKIT_URL: 'http://lk.example:7880',
  LIVEKIT_API_KEY: 'key',
  LIVEKIT_API_SECRET: 'sec',
};

describe('parseStartFlags', () => {
  it('takes the LiveKit settings from the environment and applies the defaults', () => {
    const s = parseStartFlags({}, ENV, false);
    expect(s).toEqual({
      url: 'ws://lk.example:7880',
      apiKey: 'key',
      apiSecret: 'sec',
      agentName: '',
      healthPort: 8081,
      loadThreshold: 0.7,
      drainTimeoutMs: 30 * 60_000,
      maxJobs: null,
      idleProcesses: defaultIdleProcesses(),
      jobMemoryLimitMb: 1024,
      unresponsiveMs: 30_000,
      logLevel: 'info',
      logFormat: 'json',
    });
    expect(parseStartFlags({}, ENV, true).logFormat).toBe('text');
  });

  it('flags win over the environment', () => {
    const s = parseStartFlags(
      {
        url: 'wss://cloud.example',
        agentName: ' alpha ',
        healthPort: '0',
        loadThreshold: '1',
        drainTimeout: '90',
        maxJobs: '3',
        idleProcesses: '1',
        jobMemoryLimit: '512',
        jobUnresponsiveTimeout: '1500ms',
        logFormat: 'text',
      },
      ENV,
      false,
    );
    expect(s).toMatchObject({
      url: 'wss://cloud.example',
      agentName: 'alpha',
      healthPort: 0,
      loadThreshold: 1,
      drainTimeoutMs: 90_000,
      maxJobs: 3,
      idleProcesses: 1,
      jobMemoryLimitMb: 512,
      unresponsiveMs: 1500,
      logFormat: 'text',
    });
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    [
      '--load-threshold 0',
      { loadThreshold: '0' },
      /^--load-threshold must be a number above 0 and at most 1, e\.g\. 0\.7 \(got "0"\)$/,
    ],
    ['--load-threshold x', { loadThreshold: 'x' }, /--load-threshold/],
    [
      '--max-jobs 2.5',
      { maxJobs: '2.5' },
      /^--max-jobs must be a whole number, 1 or more \(got "2\.5"\)$/,
    ],
    ['--health-port -1', { healthPort: '-1' }, /^--health-port must be a whole number, 0 to 65535/],
    [
      '--idle-processes 0',
      { idleProcesses: '0' },
      /^--idle-processes must be a whole number, 1 or more/,
    ],
    [
      '--job-memory-limit 10',
      { jobMemoryLimit: '10' },
      /^--job-memory-limit must be a whole number, 64 or more/,
    ],
    [
      '--drain-timeout 5x',
      { drainTimeout: '5x' },
      /^--drain-timeout must be a duration such as 90s, 30m or 1h \(got "5x"\)$/,
    ],
    [
      '--job-unresponsive-timeout 10ms',
      { jobUnresponsiveTimeout: '10ms' },
      /^--job-unresponsive-timeout must be a duration of at least 1 s/,
    ],
  ];
  for (const [what, flags, message] of bad) {
    it(`${what}: one line naming the flag`, () => {
      expect(() => parseStartFlags(flags, ENV)).toThrow(message);
    });
  }

  it('missing LiveKit settings name each flag and variable', () => {
    expect(() => parseStartFlags({}, {})).toThrow(/--url \(or LIVEKIT_URL\), --api-key/);
  });
});

describe('duration', () => {
  it('reads ms, s, m, h and bare seconds', () => {
    expect(duration('--x', '250ms')).toBe(250);
    expect(duration('--x', '2.5s')).toBe(2500);
    expect(duration('--x', '30m')).toBe(1_800_000);
    expect(duration('--x', '1h')).toBe(3_600_000);
    expect(duration('--x', '45')).toBe(45_000);
  });
});
