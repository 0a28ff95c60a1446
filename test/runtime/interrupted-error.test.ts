import { describe, expect, it } from 'vitest';
import { InterruptedError } from 'voxagent';

// That an interruption gives its waits and its tools' signal one and the same error is
// checked with seed 003 (seeds.test.ts), on both kinds of output.
describe('InterruptedError', () => {
  it('carries no stack frames (it is control flow) and leaves the stack limit as it was', () => {
    const before = Error.stackTraceLimit;
    const error = new InterruptedError('speech_7');
    expect(error.stack).toBe('InterruptedError: speech_7 was interrupted');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('other').stack).toContain('\n    at ');
  });
});
