/** Thrown by say()/generateReply()/run() after close() (contract C2). */
export class SessionClosedError extends Error {
  override readonly name = 'SessionClosedError';
  constructor(message = 'the session is closed') {
    super(message);
  }
}

/**
 * A wait on speech that was interrupted (contract C5). It is expected control flow, not a
 * fault, so it carries no stack trace: capturing one was the largest single cost of an
 * interrupt. Who interrupted is in the `speech.interrupted` event (`by`).
 */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(
    readonly speechId: string,
    message = `${speechId} was interrupted`,
  ) {
    const frames = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = frames;
  }
}

/** A wait that would close a cycle, or a run that can never advance (contracts C4, C10). */
export class DeadlockError extends Error {
  override readonly name = 'DeadlockError';
  constructor(
    readonly cycle: readonly string[],
    message?: string,
  ) {
    super(message ?? `circular wait: ${cycle.join(' → ')}`);
  }
}

/** The awaited AgentTask was cancelled (session closed, or its agent went away). */
export class TaskCancelledError extends Error {
  override readonly name = 'TaskCancelledError';
  constructor(
    readonly taskName: string,
    readonly reason: string,
  ) {
    super(`task ${taskName} was cancelled: ${reason}`);
  }
}

/** Throw from a tool to tell the model what went wrong, in these words (contract C7). */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

/** A user mistake in configuration or input: shown as one line, never with a stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
