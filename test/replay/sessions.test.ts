import { readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatResult } from '../../src/replay/format.js';
import { runSessionFile, runSessionText } from '../../src/replay/runner.js';
import { toChromeTrace } from '../../src/replay/trace.js';
import { assertValidTrace } from './helpers.js';

/** The session files in sessions/livekit/; the table in docs/livekit-mapping.md names each. */
const LIVEKIT_FILES = 55;

/** Every session file under sessions/ (subfolders too) replays and passes, the same way twice. */
const files = (readdirSync('sessions', { recursive: true }) as string[])
  .map((f) => f.split(sep).join('/'))
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

describe('sessions/', () => {
  it('has the seed sessions, the scenarios and the LiveKit translations', () => {
    const topLevel = files.filter((f) => !f.includes('/'));
    expect(topLevel.filter((f) => f.startsWith('seed-'))).toHaveLength(8);
    expect(topLevel.length).toBeGreaterThanOrEqual(14);
    // LiveKit's timeline scenarios translated (docs/livekit-mapping.md lists each).
    expect(files.filter((f) => f.startsWith('livekit/'))).toHaveLength(LIVEKIT_FILES);
  });

  it.each(files)('%s', async (file) => {
    const result = await runSessionFile(`sessions/${file}`);
    // On failure the report (timeline, expected vs happened) is the assertion message.
    expect(result.passed, formatResult(result, { timeline: true })).toBe(true);
    const again = await runSessionFile(`sessions/${file}`);
    expect(again.eventsHash).toBe(result.eventsHash);
    assertValidTrace(
      toChromeTrace(result.eventLog, { name: result.name, endMs: result.virtualMs }),
    );
  });
});

describe('docs/livekit-mapping.md', () => {
  it('its table names every file in sessions/livekit/, and only those', () => {
    const doc = readFileSync('docs/livekit-mapping.md', 'utf8');
    const table = doc.slice(doc.indexOf("## LiveKit's timeline tests, replayed"));
    const named = [...table.matchAll(/`([a-z0-9-]+\.yaml)`/g)].map((m) => `livekit/${m[1]}`);
    const onDisk = files.filter((f) => f.startsWith('livekit/'));
    expect([...new Set(named)].sort()).toEqual(onDisk);
  });
});

describe('docs/sessions.md', () => {
  it('its complete example is a valid session file that passes', async () => {
    const doc = readFileSync('docs/sessions.md', 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    // The example names its agent relative to sessions/, where session files live.
    const result = await runSessionText(example!, 'sessions/docs-example.yaml');
    expect(result.passed, formatResult(result, { timeline: true })).toBe(true);
  });
});

describe('docs/regression-tests.md', () => {
  it('shows the expectations the bundled example really has', () => {
    const guide = readFileSync('docs/regression-tests.md', 'utf8');
    const example = readFileSync('sessions/front-desk-programs.yaml', 'utf8');
    const step3 = guide.slice(guide.indexOf('## 3.'));
    const block = /```yaml\n([\s\S]*?)```/.exec(step3)?.[1];
    expect(block).toBeDefined();
    expect(example).toContain(block!);
  });
});
