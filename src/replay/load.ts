import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { formatBytes, LIMITS } from './limits.js';
import { type SessionScript, sessionFile } from './schema.js';
import { suggest } from './schema-common.js';

/**
 * Reading and validating session files. Every problem is reported as
 * `file:line:col: field.path: message` (no stack), so an editor can jump to it.
 */

export interface SessionFileIssue {
  file: string;
  line: number;
  col: number;
  /** Field path as written in the file, e.g. `user[2].after.offset`; empty for the file. */
  path: string;
  message: string;
}

/** Bad input: the command exits with code 2. */
export class SessionFileError extends Error {
  override readonly name = 'SessionFileError';
  readonly exitCode = 2;
  constructor(readonly issues: readonly SessionFileIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(i: SessionFileIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.col}` : i.file;
  return `${where}: ${i.path ? `${i.path}: ` : ''}${i.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** A validated session file and where its relative paths start from. */
export interface LoadedSession {
  file: string;
  baseDir: string;
  script: SessionScript;
  /** The agent module, resolved against the file's folder. */
  agentPath: string;
  /** The line where a field path (`expect.events[2]`) is written; 1 when it is not there. */
  lineOf(path: string): number;
}

/** `expect.events[2]` → `['expect', 'events', 2]`. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  }
  return out;
}

export async function loadSessionFile(file: string): Promise<LoadedSession> {
  let text: string;
  try {
    // Checked before reading: a huge file is rejected without holding it in memory.
    const { size } = await stat(file);
    if (size > LIMITS.fileBytes) throw tooBig(file, size);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof SessionFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : errorLine(err);
    throw new SessionFileError([{ file, line: 0, col: 0, path: '', message: reason }]);
  }
  return parseSessionText(text, file);
}

function tooBig(file: string, bytes: number): SessionFileError {
  const message = `the file is ${formatBytes(bytes)}; session files are limited to ${formatBytes(LIMITS.fileBytes)} (split a long session into several files)`;
  return new SessionFileError([{ file, line: 1, col: 1, path: '', message }]);
}

function errorLine(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err);
}

/** Parses and validates the text of a session file named `file`. */
export function parseSessionText(text: string, file: string): LoadedSession {
  if (text.length > LIMITS.fileBytes) throw tooBig(file, Buffer.byteLength(text));
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: Math.max(line, 1), col };
  };
  if (doc.errors.length > 0) {
    throw new SessionFileError(
      doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        path: formatPath(pathAt(doc.contents, e.pos[0])),
        message: `YAML syntax: ${yamlMessage(e.message)}`,
      })),
    );
  }
  const lint = keysWithoutValue(doc).map((k) => ({
    file,
    ...at(k.offset),
    path: formatPath(k.path),
    message: k.message,
  }));
  if (lint.length > 0) throw new SessionFileError(lint);
  const value = plainValue(doc, file, at);
  const parsed = sessionFile.safeParse(value);
  if (!parsed.success) {
    const issues = flattenIssues(parsed.error.issues).map((issue) => {
      const spot = locate(doc, issue.path, issue.atKey);
      const message = spot.missing ? `missing (required): ${issue.message}` : issue.message;
      return { file, ...at(spot.offset), path: formatPath(issue.path), message };
    });
    throw new SessionFileError(sortIssues(issues));
  }
  const baseDir = dirname(resolve(file));
  const agentPath = resolve(baseDir, parsed.data.agent.module);
  if (!existsSync(agentPath)) {
    const spot = locate(doc, ['agent'], false);
    throw new SessionFileError([
      { file, ...at(spot.offset), path: 'agent', message: `agent module not found: ${agentPath}` },
    ]);
  }
  // A map entry is placed at its key (`audio:`), a list item at its start.
  const lineOf = (path: string) => at(locate(doc, parsePath(path), true).offset).line;
  return { file, baseDir, script: parsed.data, agentPath, lineOf };
}

/**
 * The document as plain data, refusing alias bombs: more aliases than a session file needs,
 * or aliases that expand exponentially (the yaml package's own guard).
 */
function plainValue(
  doc: Document,
  file: string,
  at: (offset: number) => { line: number; col: number },
): unknown {
  const issue = (offset: number, message: string) =>
    new SessionFileError([
      { file, ...at(offset), path: formatPath(pathAt(doc.contents, offset)), message },
    ]);
  const aliases = aliasOffsets(doc);
  const tooMany = aliases[LIMITS.aliases];
  if (tooMany !== undefined) {
    throw issue(
      tooMany,
      `more than ${LIMITS.aliases} YAML aliases (*name): a session file needs few; each one copies a whole subtree`,
    );
  }
  try {
    return doc.toJS({ maxAliasCount: LIMITS.aliases });
  } catch (err) {
    throw issue(
      aliases[0] ?? 0,
      `YAML aliases expand too much (${errorLine(err)}): write the values out`,
    );
  }
}

/** Where each alias (`*name`) of the document starts, in order. */
function aliasOffsets(doc: Document): number[] {
  const offsets: number[] = [];
  visit(doc, {
    Alias(_, node) {
      offsets.push(rangeStart(node) ?? 0);
    },
  });
  return offsets;
}

/**
 * `{ text: Hello, world }` is valid YAML: a map with `text: Hello` and a key `world` with no
 * value. In a session file that is always a text that needed quotes, so it is an error.
 */
function keysWithoutValue(
  doc: Document,
): { offset: number; path: PropertyKey[]; message: string }[] {
  const found: { offset: number; path: PropertyKey[]; message: string }[] = [];
  visit(doc, {
    Pair(_, pair, ancestors) {
      const parent = ancestors[ancestors.length - 1];
      if (pair.value !== null || !isMap(parent) || !parent.flow) return;
      const key = keyText(pair.key);
      const path = pathAt(doc.contents, rangeStart(pair.key) ?? 0);
      found.push({
        offset: rangeStart(pair.key) ?? 0,
        path,
        message: `"${key}" has no value: if it belongs to the text before it, quote that text (a comma ends an unquoted value inside { })`,
      });
    },
  });
  return found;
}

/** Validates an object shaped like a session file (no positions: paths only). */
export function validateSessionObject(value: unknown, label: string): SessionScript {
  const parsed = sessionFile.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SessionFileError(
    flattenIssues(parsed.error.issues).map((i) => ({
      file: label,
      line: 0,
      col: 0,
      path: formatPath(i.path),
      message: i.message,
    })),
  );
}

function yamlMessage(message: string): string {
  // The yaml package appends " at line L, column C" and a source excerpt; we give our own.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

interface FlatIssue {
  path: PropertyKey[];
  message: string;
  /** The problem is the key itself (an unknown field), not its value. */
  atKey: boolean;
}

/** zod issues as one message per problem, choosing the intended branch of unions. */
export function flattenIssues(
  issues: readonly z.core.$ZodIssue[],
  base: PropertyKey[] = [],
): FlatIssue[] {
  const out: FlatIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        // A field of the format in the wrong place is not a misspelling of another one.
        const message = knownFields().includes(key)
          ? `"${key}" is not a field here`
          : `unknown field "${key}"${suggest(key, knownFields())}`;
        out.push({ path: [...path, key], message, atKey: true });
      }
    } else if (issue.code === 'invalid_union') {
      out.push(...unionIssues(issue, path));
    } else {
      out.push({ path, message: cleanMessage(issue.message), atKey: false });
    }
  }
  return out;
}

function unionIssues(issue: z.core.$ZodIssueInvalidUnion, path: PropertyKey[]): FlatIssue[] {
  // A branch whose errors are not "wrong type right here" is the one the author meant.
  const meant = issue.errors.filter(
    (branch) =>
      branch.length > 0 && !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  if (meant.length > 0) {
    const best = meant.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    return flattenIssues(best, path);
  }
  if (issue.message && issue.message !== 'Invalid input') {
    return [{ path, message: cleanMessage(issue.message), atKey: false }];
  }
  const expected = issue.errors
    .flat()
    .map((i) => (i.code === 'invalid_type' ? i.expected : null))
    .filter((x): x is NonNullable<typeof x> => x !== null);
  const names = [...new Set(expected)].join(' or ');
  return [{ path, message: names ? `expected ${names}` : 'invalid value', atKey: false }];
}

function depth(branch: readonly z.core.$ZodIssue[]): number {
  return Math.max(...branch.map((i) => i.path.length));
}

let fieldNames: string[] | null = null;

/** Every field name the format knows, for "did you mean" on a misspelt one. */
function knownFields(): string[] {
  fieldNames ??= [...collectKeys(sessionFile, new Set(), new Set())];
  return fieldNames;
}

function collectKeys(node: unknown, seen: Set<unknown>, out: Set<string>): Set<string> {
  if (!node || typeof node !== 'object' || seen.has(node)) return out;
  seen.add(node);
  const def = (node as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  if (!def) return out;
  if (def.type === 'object' && def.shape && typeof def.shape === 'object') {
    for (const key of Object.keys(def.shape)) out.add(key);
  }
  for (const value of Object.values(def)) {
    const children = Array.isArray(value)
      ? value
      : value && typeof value === 'object'
        ? [value]
        : [];
    for (const child of children) {
      if (child && typeof child === 'object' && '_zod' in child) collectKeys(child, seen, out);
      else if (child && typeof child === 'object') {
        for (const v of Object.values(child)) collectKeys(v, seen, out);
      }
    }
  }
  return out;
}

function cleanMessage(message: string): string {
  return message.replace(/^(Invalid input|Invalid option|Too small|Too big): /, '');
}

/** Offset of the node at `path`, or of its nearest existing ancestor (`missing`). */
function locate(
  doc: Document,
  path: readonly PropertyKey[],
  atKey: boolean,
): { offset: number; missing: boolean } {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) return { offset, missing: !atKey };
      const keyStart = rangeStart(pair.key) ?? offset;
      if (last && atKey) return { offset: keyStart, missing: false };
      node = pair.value;
      offset = rangeStart(node) ?? keyStart;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else {
      // A scalar shorthand (e.g. `- speech.done`) stands for the whole object.
      return { offset, missing: false };
    }
  }
  return { offset, missing: false };
}

/** The field path of the innermost node around `offset` (to place a syntax error). */
function pathAt(node: unknown, offset: number): PropertyKey[] {
  const contains = (n: unknown) => {
    const r = (n as { range?: readonly number[] | null } | null)?.range;
    return !!r && r[0]! <= offset && offset <= r[2]!;
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      if (contains(pair.value)) return [keyText(pair.key), ...pathAt(pair.value, offset)];
      if (contains(pair.key)) return [keyText(pair.key)];
    }
  } else if (isSeq(node)) {
    const i = node.items.findIndex(contains);
    if (i >= 0) return [i, ...pathAt(node.items[i], offset)];
  }
  return [];
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: readonly number[] | null }).range;
    return range?.[0];
  }
  return undefined;
}

function sortIssues(issues: SessionFileIssue[]): SessionFileIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}
