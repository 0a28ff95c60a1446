import type { FakeRealtimeTruncation } from '../testing/fake-realtime.js';
import { formatDuration } from './duration.js';
import { describeMatcher, matches } from './matchers.js';
import type { RealtimeExpectations } from './schema-realtime.js';
import type { ExpectationResult } from './types.js';

/** `expect.realtime`, judged against what the scripted realtime model recorded. */
export function evaluateRealtime(
  spec: RealtimeExpectations | null,
  truncations: readonly FakeRealtimeTruncation[] | undefined,
): ExpectationResult[] {
  if (!spec?.truncations) return [];
  const expected = spec.truncations;
  const actual = truncations ?? [];
  const describe = (audioEndMs: number, heard: string) =>
    `cut at ${formatDuration(audioEndMs)}${heard ? `, heard ${heard}` : ''}`;
  const wanted = expected.map((t) =>
    describe(t.audioEndMs, t.heard === undefined ? '' : describeMatcher(t.heard)),
  );
  const seen = actual.map((t) => describe(t.audioEndMs, JSON.stringify(t.heardText)));
  const bad = expected.findIndex((t, i) => {
    const got = actual[i];
    return (
      !got ||
      got.audioEndMs !== t.audioEndMs ||
      (t.heard !== undefined && !matches(t.heard, got.heardText))
    );
  });
  const failure =
    bad >= 0
      ? `truncation ${bad + 1} (${wanted[bad]}) does not match`
      : actual.length !== expected.length
        ? `expected ${expected.length} truncation(s), found ${actual.length}`
        : null;
  const happened = seen.length > 0 ? seen.join(' | ') : '(none)';
  return [
    {
      description: `realtime truncations are: ${wanted.join(' | ') || '(none)'}`,
      passed: failure === null,
      detail:
        failure === null ? `truncations: ${happened}` : `${failure}; truncations were: ${happened}`,
      path: 'expect.realtime.truncations',
    },
  ];
}
