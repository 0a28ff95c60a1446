import { fileURLToPath } from 'node:url';
import { runSessionScript } from '../src/replay/runner.js';
import { longSessionScript } from './long-session.js';

/**
 * Replay scaling: time and memory of a long session (default 1,500 / 3,000 / 6,000 turns),
 * in this process. `tsx bench/replay-long.ts 500 1000` runs other sizes.
 */

const agent = fileURLToPath(new URL('../test/replay/fixtures/lookup-agent.ts', import.meta.url));
const sizes = process.argv.slice(2).map(Number);

for (const turns of sizes.length > 0 ? sizes : [1500, 3000, 6000]) {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = 0;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 50);
  const start = performance.now();
  const result = await runSessionScript(longSessionScript({ turns, agent }), { wallTimeoutMs: 0 });
  const wall = performance.now() - start;
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const failed = result.expectations.filter((x) => !x.passed).length;
  console.log(
    `${turns} turns: ${(wall / 1000).toFixed(1)} s wall, ${result.events} events, ` +
      `peak heap +${Math.round((peak - heapBefore) / 1e6)} MB, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB, ` +
      `passed ${result.passed} (${failed} failed, errors ${result.errors.length})`,
  );
  if (!result.passed)
    console.log(
      result.errors.slice(0, 3),
      result.expectations.filter((x) => !x.passed).slice(0, 3),
    );
}
