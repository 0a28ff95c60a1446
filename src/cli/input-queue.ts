/**
 * What the developer types (`t`), makes the agent say (`s`) or interrupts (`i`/`I`) in the
 * console. Before a session exists (at start, during a hot reload or a mode switch) nothing
 * is dropped: inputs wait here, in order, and are applied to the next session the moment it
 * has started (contract C6: user input is never dropped).
 */

export type ConsoleInput =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'say'; readonly text: string }
  | { readonly kind: 'interrupt'; readonly force: boolean };

/** The part of a session the console's inputs use (an AgentSession). */
export interface InputTarget {
  sendUserText(text: string, options: { source: 'text' }): unknown;
  say(text: string, options: { origin: 'console' }): unknown;
  interrupt(options: { force: boolean; origin: 'console' }): Promise<void>;
}

export type Submitted =
  | { readonly status: 'sent'; readonly done: Promise<void> }
  | { readonly status: 'waiting' };

/** How an input reads in the footer's waiting list. */
export function describeInput(input: ConsoleInput): string {
  switch (input.kind) {
    case 'text':
      return `you: ${input.text}`;
    case 'say':
      return `say: ${input.text}`;
    case 'interrupt':
      return input.force ? 'force interrupt' : 'interrupt';
  }
}

export interface InputQueueOptions {
  /** Hears the waiting list whenever it changes (the footer shows it). */
  onChange?: (waiting: readonly ConsoleInput[]) => void;
  /** An input that waited failed when it was applied (nobody awaits it any more). */
  onError?: (err: unknown, input: ConsoleInput) => void;
}

export class InputQueue {
  readonly #onChange: (waiting: readonly ConsoleInput[]) => void;
  readonly #onError: (err: unknown, input: ConsoleInput) => void;
  #waiting: ConsoleInput[] = [];
  #target: InputTarget | null = null;

  constructor(options: InputQueueOptions = {}) {
    this.#onChange = options.onChange ?? (() => {});
    this.#onError = options.onError ?? (() => {});
  }

  get waiting(): readonly ConsoleInput[] {
    return this.#waiting;
  }

  /** Applies `input` to the running session, or keeps it for the next one. */
  submit(input: ConsoleInput): Submitted {
    const target = this.#target;
    if (!target) {
      this.#waiting = [...this.#waiting, input];
      this.#onChange(this.#waiting);
      return { status: 'waiting' };
    }
    return { status: 'sent', done: apply(target, input) };
  }

  /** A session has started: what waited is applied to it now, oldest first. */
  attach(target: InputTarget): void {
    this.#target = target;
    const waiting = this.#waiting;
    if (waiting.length === 0) return;
    this.#waiting = [];
    for (const input of waiting) {
      apply(target, input).catch((err: unknown) => this.#onError(err, input));
    }
    this.#onChange(this.#waiting);
  }

  /** The session is going away: inputs from now on wait for the next one. */
  detach(): void {
    this.#target = null;
  }
}

function apply(target: InputTarget, input: ConsoleInput): Promise<void> {
  try {
    switch (input.kind) {
      case 'text':
        target.sendUserText(input.text, { source: 'text' });
        return Promise.resolve();
      case 'say':
        target.say(input.text, { origin: 'console' });
        return Promise.resolve();
      case 'interrupt':
        return target.interrupt({ force: input.force, origin: 'console' });
    }
  } catch (err) {
    return Promise.reject(err);
  }
}
