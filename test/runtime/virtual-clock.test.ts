import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from 'voxagent';

describe('VirtualClock', () => {
  it('fires timers in time order, then creation order, with microtasks in between', async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const log: string[] = [];
    clock.timer(20, () => log.push('b@20'));
    clock.timer(10, () => {
      log.push('a@10');
      void Promise.resolve().then(() => log.push('a-microtask'));
    });
    clock.timer(20, () => log.push('c@20'));
    await clock.advance(25);
    expect(log).toEqual(['a@10', 'a-microtask', 'b@20', 'c@20']);
    expect(clock.now()).toBe(25);
  });

  it('runs each timer in the async context of the code that created it', async () => {
    const clock = new VirtualClock();
    const storage = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    // Whoever schedules the pump (here "hook") must not leak into other creators' timers.
    storage.run('hook', () => clock.timer(5, () => seen.push(storage.getStore())));
    clock.timer(10, () => seen.push(storage.getStore()));
    storage.run('tool', () => clock.timer(15, () => seen.push(storage.getStore())));
    await clock.sleep(20);
    expect(seen).toEqual(['hook', undefined, 'tool']);
  });

  it('reports quiescence when nothing is left to fire', async () => {
    const clock = new VirtualClock();
    const quiet = new Promise<number>((resolve) => clock.onQuiescent(() => resolve(clock.now())));
    clock.timer(40, () => {});
    expect(await quiet).toBe(40);
  });
});
