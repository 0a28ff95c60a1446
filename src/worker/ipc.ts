/**
 * Messages between the worker and its job processes (Node IPC, JSON). A job process loads
 * the agent once (`init` → `ready`), then runs one job (`start` → `joined` → `ended`) and
 * exits. The worker pings it to see that its event loop is alive and how much memory and
 * CPU it uses.
 */
import type { ProviderFlags } from '../cli/providers.js';
import type { LogLevel } from '../livekit/rtc-log.js';
import type { JobInfo } from './job-context.js';
import type { LogFields } from './log.js';

/** Everything a job process needs to join its room. */
export interface JobLaunch {
  readonly job: JobInfo;
  /** Where to join (the assignment's URL, or the worker's). */
  readonly url: string;
  /** The token LiveKit assigned to this job: the only one a job joins with. */
  readonly token: string;
  readonly identity: string;
  readonly name: string;
  readonly workerId: string;
}

export interface JobProcessInit {
  /** The agent module, bundled once by the worker (an .mjs file). */
  readonly bundle: string;
  readonly bundleFiles: readonly string[];
  /** The agent file as the user named it (for messages). */
  readonly agentPath: string;
  readonly flags: ProviderFlags;
  readonly logLevel: LogLevel;
}

export type ToJobProcess =
  | { readonly type: 'init'; readonly init: JobProcessInit }
  | { readonly type: 'start'; readonly launch: JobLaunch }
  | { readonly type: 'shutdown'; readonly reason: string }
  | { readonly type: 'ping'; readonly sentAt: number };

export type FromJobProcess =
  /** The agent is loaded and its models chosen: ready for a job. */
  | { readonly type: 'ready' }
  /** Loading failed (one line); the process exits. */
  | { readonly type: 'initFailed'; readonly error: string }
  | {
      readonly type: 'pong';
      readonly sentAt: number;
      readonly rssBytes: number;
      /** user + system CPU time of the process since it started, microseconds. */
      readonly cpuMicros: number;
    }
  | {
      readonly type: 'log';
      readonly level: LogLevel;
      readonly msg: string;
      readonly fields?: LogFields;
    }
  /** The job's agent is in the room. */
  | { readonly type: 'joined' }
  /** The job is over (the process exits next). */
  | { readonly type: 'ended'; readonly reason: string; readonly error: string | null };
