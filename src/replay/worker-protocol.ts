import type { FileJob, FileOutcome, Progress } from './file-job.js';
import type { JudgeSetting } from './judge.js';

/** What the parent gives a session file's worker thread. */
export interface WorkerInput {
  job: FileJob;
  /** Running from TypeScript sources: the bootstrap registers tsx, then imports this. */
  entry?: string;
  judge?: JudgeSetting;
}

/** What the worker tells the parent, in this order: progress…, then `done` or `exit`. */
export type WorkerMessage =
  | { type: 'progress'; progress: Progress }
  /** Agent code called process.exit(): the thread ends right after this message. */
  | { type: 'exit'; code: number | string; where: string | null }
  | { type: 'done'; outcome: FileOutcome };
