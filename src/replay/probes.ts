import type { SessionEvent } from '../runtime/events/types.js';
import { describeMatcher, describeWhere, type Matcher, matches, whereMatches } from './matchers.js';
import type { RequestRecord } from './request-log.js';
import type { ListExpectation } from './schema-expect.js';
import { listItemPath } from './schema-expect.js';
import type { CountExpectation, RequestItem, ToolsMatcher } from './schema-probes.js';
import type { ExpectationResult } from './types.js';

/** Evaluating `expect.requests` and `expect.counts` (pure, like the other expectations). */

function toolsFit(m: ToolsMatcher, tools: readonly string[]): boolean {
  if (m.kind === 'exactly') {
    return m.names.length === tools.length && m.names.every((n) => tools.includes(n));
  }
  return m.includes.every((n) => tools.includes(n)) && !m.excludes.some((n) => tools.includes(n));
}

function describeTools(m: ToolsMatcher): string {
  if (m.kind === 'exactly') return `tools [${m.names.join(', ')}]`;
  const parts = [
    ...(m.includes.length ? [`with ${m.includes.join(', ')}`] : []),
    ...(m.excludes.length ? [`without ${m.excludes.join(', ')}`] : []),
  ];
  return `tools ${parts.join(' ')}`;
}

const FIELDS = ['agent', 'toolChoice', 'input', 'toolResult', 'instructions'] as const;

export function requestFits(item: RequestItem, r: RequestRecord): boolean {
  for (const field of FIELDS) {
    const m: Matcher | undefined = item[field];
    if (m !== undefined && !matches(m, r[field])) return false;
  }
  if (item.tools && !toolsFit(item.tools, r.tools)) return false;
  if (item.speculative !== undefined && item.speculative !== r.speculative) return false;
  return true;
}

export function describeRequestItem(item: RequestItem): string {
  const parts: string[] = [];
  for (const field of FIELDS) {
    const m = item[field];
    if (m !== undefined) parts.push(`${field} ${describeMatcher(m)}`);
  }
  if (item.tools) parts.push(describeTools(item.tools));
  if (item.speculative !== undefined)
    parts.push(item.speculative ? 'speculative' : 'not speculative');
  return parts.join(', ') || 'any request';
}

function describeRecord(r: RequestRecord): string {
  const what =
    r.input !== null
      ? ` input ${JSON.stringify(r.input)}`
      : r.toolResult !== null
        ? ` tool result ${JSON.stringify(r.toolResult)}`
        : '';
  return `#${r.n} at ${r.t}ms ${r.agent ?? '?'}${what} tools [${r.tools.join(', ')}] ${r.toolChoice}${r.speculative ? ' (speculative)' : ''}`;
}

/** `exact`: one item per request, in order; `includes`: these, in order, among others. */
export function evaluateRequests(
  spec: ListExpectation<RequestItem>,
  records: readonly RequestRecord[],
): ExpectationResult {
  const items = spec.items;
  const description = `requests ${spec.mode === 'exact' ? 'are' : 'include'}: ${items.map(describeRequestItem).join(' | ')}`;
  let failure: string | null = null;
  if (spec.mode === 'exact') {
    const bad = items.findIndex(
      (item, i) => i >= records.length || !requestFits(item, records[i]!),
    );
    if (bad >= 0) {
      failure = `${listItemPath('expect.requests', spec, bad)} (${describeRequestItem(items[bad]!)}) does not match${bad < records.length ? ` request ${describeRecord(records[bad]!)}` : ': there are fewer requests'}`;
    } else if (records.length !== items.length) {
      failure = `expected ${items.length} request(s), found ${records.length}`;
    }
  } else {
    let from = 0;
    for (const [i, item] of items.entries()) {
      const at = records.findIndex((r, k) => k >= from && requestFits(item, r));
      if (at < 0) {
        failure = `${listItemPath('expect.requests', spec, i)} (${describeRequestItem(item)}) not found in order`;
        break;
      }
      from = at + 1;
    }
  }
  const happened = records.length ? records.map(describeRecord).join(' | ') : '(no request)';
  return {
    description,
    passed: failure === null,
    detail: failure === null ? `requests: ${happened}` : `${failure}; requests were: ${happened}`,
    path: 'expect.requests',
  };
}

export function evaluateCounts(
  counts: readonly CountExpectation[],
  events: readonly SessionEvent[],
): ExpectationResult[] {
  return counts.map((c) => {
    const n = events.filter((e) => e.type === c.event && whereMatches(c.where, e)).length;
    const range =
      c.min === c.max
        ? `exactly ${c.min}`
        : c.max === Number.POSITIVE_INFINITY
          ? `at least ${c.min}`
          : `${c.min} to ${c.max}`;
    const what = `${c.event}${describeWhere(c.where)}`;
    return {
      description: c.description ?? `${range} × ${what}`,
      passed: n >= c.min && n <= c.max,
      detail: `${n} × ${what} (expected ${range})`,
      path: `expect.counts[${c.index}]`,
    };
  });
}
