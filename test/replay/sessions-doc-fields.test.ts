import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sessionFile } from '../../src/replay/schema.js';

/**
 * docs/sessions.md names every field a session file may have: each object key of the zod
 * schema appears in the doc as inline code (`key`, `key: …` or inside `{ a, key, b }`).
 * A field added to the schema without a word in the doc fails here, named by its path.
 */

/** Every object key reachable from `schema`, with the first path it was found at. */
function schemaKeys(schema: z.ZodType): Map<string, string> {
  const keys = new Map<string, string>();
  const seen = new Set<z.ZodType>();
  const walk = (s: z.ZodType, path: string): void => {
    if (seen.has(s)) return;
    seen.add(s);
    if (s instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(s.shape as Record<string, z.ZodType>)) {
        const at = path ? `${path}.${key}` : key;
        if (!keys.has(key)) keys.set(key, at);
        walk(child, at);
      }
    } else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      walk(s.unwrap() as z.ZodType, path);
    } else if (s instanceof z.ZodLazy) {
      walk(s.unwrap() as z.ZodType, path);
    } else if (s instanceof z.ZodPipe) {
      walk(s.in as z.ZodType, path);
      walk(s.out as z.ZodType, path);
    } else if (s instanceof z.ZodUnion) {
      for (const option of s.options as readonly z.ZodType[]) walk(option, path);
    } else if (s instanceof z.ZodArray) {
      walk(s.element as z.ZodType, `${path}[]`);
    } else if (s instanceof z.ZodRecord) {
      walk(s.valueType as z.ZodType, `${path}.<name>`);
    }
  };
  walk(schema, '');
  return keys;
}

/** The words (identifiers) in the doc's inline code spans (a span may wrap a line). */
function inlineCodeWords(markdown: string): Set<string> {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  const words = new Set<string>();
  for (const span of prose.matchAll(/`([^`]+)`/g)) {
    for (const word of span[1]!.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) words.add(word[0]);
  }
  return words;
}

describe('docs/sessions.md', () => {
  const keys = schemaKeys(sessionFile);

  it('finds the fields of every section of the schema', () => {
    // The walk reaches nested, optional, lazy and piped parts (a sample from each section).
    for (const key of [
      'agent',
      'minEndpointingDelayMs',
      'preemptiveTts',
      'connectFailures',
      'reportDelayMs',
      'priority',
      'waitForPlayout',
      'truncations',
      'speculative',
      'endpointingSetting',
    ]) {
      expect(keys.has(key), key).toBe(true);
    }
    expect(keys.get('paced')).toBe('models.realtime.paced');
    expect(keys.size).toBeGreaterThan(120);
  });

  it('documents every field of the session file as inline code', () => {
    const words = inlineCodeWords(readFileSync('docs/sessions.md', 'utf8'));
    const missing = [...keys].filter(([key]) => !words.has(key)).map(([, path]) => path);
    expect(missing, `fields missing from docs/sessions.md: ${missing.join(', ')}`).toEqual([]);
  });
});
