import { parseDuration } from './duration.js';

/**
 * Field matchers of session files: `reason: interrupted` (equality), `text: /paris/i`
 * (a regex written between slashes), `playedMs: { lt: 800ms }` (operators), a list (element
 * by element), and `speechId: { sameAs: reply.speechId }` (the field of an earlier match).
 */
export type Scalar = string | number | boolean | null;

export interface MatcherOps {
  eq?: Scalar;
  ne?: Scalar;
  lt?: number;
  lte?: number;
  gt?: number;
  gte?: number;
  contains?: string;
  matches?: RegExp;
  oneOf?: Scalar[];
  exists?: boolean;
  /** `<expectation id>.<field>`: equal to that field of the event an earlier expectation matched. */
  sameAs?: string;
}

export type Matcher =
  | { kind: 'eq'; value: Scalar }
  | { kind: 'regex'; re: RegExp }
  | { kind: 'list'; items: Matcher[] }
  | { kind: 'ops'; ops: MatcherOps };

export interface MatcherIssue {
  path: (string | number)[];
  message: string;
}

const REGEX_LITERAL = /^\/(.+)\/([dgimsuvy]*)$/s;
const NUMERIC_OPS = ['lt', 'lte', 'gt', 'gte'] as const;
const OP_NAMES = new Set([
  'eq',
  'ne',
  ...NUMERIC_OPS,
  'contains',
  'matches',
  'oneOf',
  'exists',
  'sameAs',
]);

function isScalar(v: unknown): v is Scalar {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** A `/.../flags` string as a RegExp; null for any other string, an issue for a broken one. */
export function parseRegexLiteral(s: string): RegExp | null | MatcherIssue {
  const m = REGEX_LITERAL.exec(s);
  if (!m) return null;
  try {
    return new RegExp(m[1]!, m[2]);
  } catch (err) {
    return { path: [], message: `invalid regular expression ${s}: ${(err as Error).message}` };
  }
}

/** A scripted model's `when:` text (validated at load): a `/regex/flags`, else a substring. */
export function textMatcher(s: string | undefined): string | RegExp | undefined {
  if (s === undefined) return undefined;
  const re = parseRegexLiteral(s);
  return re instanceof RegExp ? re : s;
}

/** Compiles the raw YAML value of a matcher, collecting every problem with its sub-path. */
export function compileMatcher(raw: unknown, issues: MatcherIssue[]): Matcher {
  if (typeof raw === 'string') {
    const re = parseRegexLiteral(raw);
    if (re instanceof RegExp) return { kind: 'regex', re };
    if (re) issues.push(re);
    return { kind: 'eq', value: raw };
  }
  if (isScalar(raw)) return { kind: 'eq', value: raw };
  if (Array.isArray(raw)) {
    const items = raw.map((item, i) => {
      const sub: MatcherIssue[] = [];
      const m = compileMatcher(item, sub);
      for (const issue of sub) issues.push({ path: [i, ...issue.path], message: issue.message });
      return m;
    });
    return { kind: 'list', items };
  }
  if (typeof raw !== 'object') {
    issues.push({ path: [], message: 'expected a value, a /regex/, a list or { lt, gt, ... }' });
    return { kind: 'eq', value: null };
  }
  return { kind: 'ops', ops: compileOps(raw as Record<string, unknown>, issues) };
}

function compileOps(raw: Record<string, unknown>, issues: MatcherIssue[]): MatcherOps {
  const ops: MatcherOps = {};
  const bad = (key: string, message: string) => issues.push({ path: [key], message });
  for (const [key, value] of Object.entries(raw)) {
    if (!OP_NAMES.has(key)) {
      bad(key, `unknown matcher "${key}" (use one of ${[...OP_NAMES].join(', ')})`);
      continue;
    }
    if (key === 'eq' || key === 'ne') {
      if (isScalar(value)) ops[key] = value;
      else bad(key, 'expected a string, number, boolean or null');
    } else if ((NUMERIC_OPS as readonly string[]).includes(key)) {
      const ms = parseDuration(value);
      const n = typeof value === 'number' ? value : ms;
      if (n === null) bad(key, 'expected a number or a duration like 300ms');
      else ops[key as (typeof NUMERIC_OPS)[number]] = n;
    } else if (key === 'contains') {
      if (typeof value === 'string') ops.contains = value;
      else bad(key, 'expected a string');
    } else if (key === 'matches') {
      const re = typeof value === 'string' ? parseRegexLiteral(value) : null;
      if (re instanceof RegExp) ops.matches = re;
      else if (typeof value === 'string' && re === null) ops.matches = new RegExp(value);
      else bad(key, re ? re.message : 'expected a regular expression');
    } else if (key === 'oneOf') {
      if (Array.isArray(value) && value.every(isScalar)) ops.oneOf = value;
      else bad(key, 'expected a list of values');
    } else if (key === 'exists') {
      if (typeof value === 'boolean') ops.exists = value;
      else bad(key, 'expected true or false');
    } else if (typeof value === 'string' && /^[A-Za-z_][\w-]*\.[\w.]+$/.test(value)) {
      ops.sameAs = value;
    } else {
      bad(key, 'expected <expectation id>.<field>, e.g. reply.speechId');
    }
  }
  return ops;
}

/** Resolves `sameAs` references: the value of a field of an earlier matched event. */
export type RefLookup = (ref: string) => { found: boolean; value: unknown };

export function matches(m: Matcher, actual: unknown, lookup?: RefLookup): boolean {
  switch (m.kind) {
    case 'eq':
      return actual === m.value || (m.value === null && actual === undefined);
    case 'regex':
      return typeof actual === 'string' && m.re.test(actual);
    case 'list':
      return (
        Array.isArray(actual) &&
        actual.length === m.items.length &&
        m.items.every((item, i) => matches(item, actual[i], lookup))
      );
    case 'ops':
      return opsMatch(m.ops, actual, lookup);
  }
}

function opsMatch(ops: MatcherOps, actual: unknown, lookup?: RefLookup): boolean {
  if (ops.exists !== undefined && (actual !== undefined && actual !== null) !== ops.exists) {
    return false;
  }
  if (ops.eq !== undefined && actual !== ops.eq) return false;
  if (ops.ne !== undefined && actual === ops.ne) return false;
  const n = typeof actual === 'number' ? actual : null;
  if (ops.lt !== undefined && (n === null || !(n < ops.lt))) return false;
  if (ops.lte !== undefined && (n === null || !(n <= ops.lte))) return false;
  if (ops.gt !== undefined && (n === null || !(n > ops.gt))) return false;
  if (ops.gte !== undefined && (n === null || !(n >= ops.gte))) return false;
  if (ops.contains !== undefined) {
    const ok = typeof actual === 'string' ? actual.includes(ops.contains) : false;
    if (!ok && !(Array.isArray(actual) && actual.includes(ops.contains))) return false;
  }
  if (ops.matches && !(typeof actual === 'string' && ops.matches.test(actual))) return false;
  if (ops.oneOf && !ops.oneOf.includes(actual as Scalar)) return false;
  if (ops.sameAs !== undefined) {
    const ref = lookup?.(ops.sameAs);
    if (!ref?.found || ref.value !== actual) return false;
  }
  return true;
}

/** A field of an event; `a.b` reaches into nested objects and `a.0` into lists. */
export function fieldValue(obj: unknown, field: string): unknown {
  let cur: unknown = obj;
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export type Where = Record<string, Matcher>;

export function whereMatches(where: Where | undefined, obj: unknown, lookup?: RefLookup): boolean {
  if (!where) return true;
  return Object.entries(where).every(([field, m]) => matches(m, fieldValue(obj, field), lookup));
}

/** How a matcher reads in messages: `interrupted`, `/paris/i`, `< 800`. */
export function describeMatcher(m: Matcher): string {
  switch (m.kind) {
    case 'eq':
      return JSON.stringify(m.value);
    case 'regex':
      return String(m.re);
    case 'list':
      return `[${m.items.map(describeMatcher).join(', ')}]`;
    case 'ops':
      return describeOps(m.ops);
  }
}

function describeOps(ops: MatcherOps): string {
  const parts: string[] = [];
  const sym: Record<string, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '=', ne: '!=' };
  for (const [k, v] of Object.entries(ops)) {
    if (sym[k]) parts.push(`${sym[k]} ${JSON.stringify(v)}`);
    else if (k === 'matches') parts.push(String(v));
    else parts.push(`${k} ${JSON.stringify(v)}`);
  }
  return parts.join(' and ');
}

export function describeWhere(where: Where | undefined): string {
  if (!where || Object.keys(where).length === 0) return '';
  const parts = Object.entries(where).map(([k, m]) => `${k}: ${describeMatcher(m)}`);
  return ` { ${parts.join(', ')} }`;
}
