import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Watches the agent's source files (the bundle's inputs) and calls `onChange` once per burst
 * of edits. Directories are watched rather than files, because editors often replace a file
 * (rename) instead of writing it in place.
 */
export class AgentWatcher {
  readonly #onChange: (file: string) => void;
  readonly #debounceMs: number;
  #watchers: FSWatcher[] = [];
  #files = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(onChange: (file: string) => void, debounceMs = 150) {
    this.#onChange = onChange;
    this.#debounceMs = debounceMs;
  }

  /** Replaces the watched set (after each successful or failed load). */
  watch(files: readonly string[]): void {
    this.close();
    this.#files = new Set(files);
    const dirs = new Set(files.map((f) => dirname(f)));
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, (_event, name) => {
          if (!name) return;
          const file = [...this.#files].find(
            (f) => dirname(f) === dir && basename(f) === name.toString(),
          );
          if (file) this.#changed(file);
        });
        watcher.on('error', () => {});
        this.#watchers.push(watcher);
      } catch {
        // A directory that vanished cannot be watched; the next load will re-list files.
      }
    }
  }

  close(): void {
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #changed(file: string): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#onChange(file);
    }, this.#debounceMs);
  }
}
