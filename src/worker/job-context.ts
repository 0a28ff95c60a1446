/**
 * The job context an agent factory gets under `voxagent start` (`ctx.job`): which job, room
 * and dispatch it serves, and how to end the job or act when it ends. Under `dev` and
 * `connect` there is no job and `ctx.job` is undefined, so one agent module runs in all three.
 */

/** The participant a participant job is for. */
export interface JobParticipant {
  readonly identity: string;
  readonly name: string;
  readonly sid: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** What a job is: the parts of LiveKit's `Job` an agent needs (plain data, crosses processes). */
export interface JobInfo {
  /** LiveKit's job id (`AJ_…`). */
  readonly id: string;
  readonly dispatchId: string;
  readonly agentName: string;
  /** The dispatch's metadata (`lk dispatch create --metadata`, a token's room configuration). */
  readonly metadata: string;
  readonly room: { readonly name: string; readonly sid: string; readonly metadata: string };
  /** Participant jobs only; null for room jobs. */
  readonly participant: JobParticipant | null;
}

export type ShutdownCallback = (reason: string) => void | Promise<void>;

export interface JobContext extends JobInfo {
  /** The agent's own identity in the room (`agent-<job id>`). */
  readonly identity: string;
  /** The worker that runs the job, as the LiveKit server registered it. */
  readonly workerId: string;
  /** Ends the job: the session closes, the agent leaves the room, shutdown callbacks run. */
  shutdown(reason?: string): void;
  /** Runs `fn(reason)` once the job ends and the agent has left the room; returns the removal. */
  addShutdownCallback(fn: ShutdownCallback): () => void;
}

/** Why and how a job ended. */
export interface JobEnd {
  readonly reason: string;
  /** Set when the job failed (reported to LiveKit as JS_FAILED with this text). */
  readonly error: string | null;
}

/**
 * The job's end, decided once by whoever comes first (the agent, the room, the server, the
 * worker), and the shutdown callbacks to run after it.
 */
export class JobControl {
  readonly context: JobContext;
  readonly ended: Promise<JobEnd>;
  readonly #callbacks = new Set<ShutdownCallback>();
  #resolve!: (end: JobEnd) => void;
  #end: JobEnd | null = null;

  constructor(info: JobInfo, identity: string, workerId: string) {
    this.ended = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    const control = this;
    this.context = {
      ...info,
      identity,
      workerId,
      shutdown(reason = 'the agent ended the job') {
        control.end({ reason, error: null });
      },
      addShutdownCallback(fn) {
        control.#callbacks.add(fn);
        return () => control.#callbacks.delete(fn);
      },
    };
  }

  get isEnded(): boolean {
    return this.#end !== null;
  }

  /** The first call decides how the job ended; later ones are ignored. */
  end(end: JobEnd): void {
    if (this.#end) return;
    this.#end = end;
    this.#resolve(end);
  }

  /**
   * Runs every shutdown callback at once; resolves when all have settled or `timeoutMs` has
   * passed. Returns a line per callback that threw or was too slow.
   */
  async runShutdownCallbacks(reason: string, timeoutMs: number): Promise<string[]> {
    const problems: string[] = [];
    const runs = [...this.#callbacks].map((fn) =>
      Promise.resolve()
        .then(() => fn(reason))
        .catch((err: unknown) => {
          problems.push(`a shutdown callback threw: ${err instanceof Error ? err.message : err}`);
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const outcome = await Promise.race([Promise.all(runs).then(() => 'done' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') problems.push(`shutdown callbacks still running after ${timeoutMs} ms`);
    return problems;
  }
}
