import { hostname } from 'node:os';
import { basename, extname } from 'node:path';
import type { FileOutcome } from './file-job.js';
import type { ExpectationResult, ReplayResultJson } from './types.js';

/**
 * CI reports of a replay run: JUnit XML (one test suite per session file, one test case for
 * the run itself and one per expectation) and GitHub Actions annotations (`::error
 * file=…,line=…::…`, shown on the pull request's diff).
 */

export interface ReportedFile {
  outcome: FileOutcome;
  /** What the agent printed while it ran. */
  output: string;
}

/** Characters XML 1.0 does not allow at all (control characters other than tab/newline). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the ones removed
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([k, v]) => `${k}="${xmlEscape(String(v))}"`)
    .join(' ');

const seconds = (ms: number) => (ms / 1000).toFixed(3);

interface Case {
  name: string;
  /** `failure`: an expectation not met; `error`: the file could not be run or checked. */
  problem: { kind: 'failure' | 'error'; type: string; message: string; body: string } | null;
}

function suiteName(file: string): string {
  return basename(file, extname(file));
}

function runCase(r: ReplayResultJson): Case {
  const problem =
    r.errors.length > 0
      ? {
          kind: 'error' as const,
          type: 'ReplayError',
          message: r.errors[0]!,
          body: r.errors.join('\n'),
        }
      : null;
  return { name: `replay (${r.endReason}, ${r.events} events)`, problem };
}

function expectationCase(x: ExpectationResult): Case {
  const at = x.line ? ` [line ${x.line}]` : '';
  return {
    name: `${x.description}${at}`,
    problem: x.passed
      ? null
      : { kind: 'failure', type: 'ExpectationFailed', message: x.detail, body: x.detail },
  };
}

function casesOf(outcome: FileOutcome): Case[] {
  if (outcome.kind === 'result') {
    return [runCase(outcome.result), ...outcome.result.expectations.map(expectationCase)];
  }
  const message =
    outcome.kind === 'invalid'
      ? outcome.errors.join('\n')
      : outcome.kind === 'config'
        ? outcome.message
        : outcome.reason;
  const type = {
    invalid: 'InvalidSessionFile',
    crashed: 'Crashed',
    timeout: 'Timeout',
    config: 'Configuration',
  }[outcome.kind];
  return [
    {
      name: 'replay',
      problem: { kind: 'error', type, message: message.split('\n')[0]!, body: message },
    },
  ];
}

function caseXml(c: Case, classname: string, time: string): string {
  const head = `    <testcase ${attrs({ name: c.name, classname, time })}`;
  if (!c.problem) return `${head}/>`;
  const { kind, type, message, body } = c.problem;
  return `${head}>\n      <${kind} ${attrs({ message, type })}>${xmlEscape(body)}</${kind}>\n    </testcase>`;
}

/** The whole run as one JUnit XML document (the Ant/Jenkins schema's required parts). */
export function junitXml(files: readonly ReportedFile[], timestamp = new Date()): string {
  const stamp = timestamp.toISOString().replace(/\.\d+Z$/, '');
  const host = hostname();
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let totalMs = 0;
  const suites = files.map(({ outcome, output }, id) => {
    const cases = casesOf(outcome);
    const wallMs = outcome.kind === 'result' ? outcome.result.wallMs : 0;
    const failed = cases.filter((c) => c.problem?.kind === 'failure').length;
    const errored = cases.filter((c) => c.problem?.kind === 'error').length;
    tests += cases.length;
    failures += failed;
    errors += errored;
    totalMs += wallMs;
    const name = suiteName(outcome.file);
    const head = attrs({
      name,
      tests: cases.length,
      failures: failed,
      errors: errored,
      skipped: 0,
      time: seconds(wallMs),
      timestamp: stamp,
      hostname: host,
      id,
      package: 'voxagent.replay',
    });
    const time = seconds(cases.length > 0 ? wallMs / cases.length : 0);
    return [
      `  <testsuite ${head}>`,
      `    <properties>\n      <property ${attrs({ name: 'file', value: outcome.file })}/>\n    </properties>`,
      ...cases.map((c) => caseXml(c, `voxagent.replay.${name}`, time)),
      `    <system-out>${xmlEscape(output)}</system-out>`,
      '    <system-err></system-err>',
      '  </testsuite>',
    ].join('\n');
  });
  const head = attrs({ name: 'voxagent replay', tests, failures, errors, time: seconds(totalMs) });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites ${head}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** GitHub's workflow command escaping: data and property values. */
function ghData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function ghProperty(text: string): string {
  return ghData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(
  file: string,
  line: number | undefined,
  title: string,
  message: string,
): string {
  const props = [`file=${ghProperty(file)}`];
  if (line) props.push(`line=${line}`);
  props.push(`title=${ghProperty(title)}`);
  return `::error ${props.join(',')}::${ghData(message)}`;
}

/** `file:line:col: …` at the start of a message (invalid files, located crashes). */
const LOCATED = /^(.+?):(\d+)(?::\d+)?: /;

/** One `::error` line per failed expectation, error or file that could not run. */
export function githubAnnotations(outcome: FileOutcome): string[] {
  if (outcome.kind === 'result') {
    const r = outcome.result;
    return [
      ...r.errors.map((e) => annotation(r.file, 1, `replay error in ${r.name}`, e)),
      ...r.expectations
        .filter((x) => !x.passed)
        .map((x) => annotation(r.file, x.line, `expectation failed: ${x.description}`, x.detail)),
    ];
  }
  if (outcome.kind === 'invalid') {
    return outcome.errors.map((e) => {
      const m = LOCATED.exec(e);
      return m
        ? annotation(m[1]!, Number(m[2]), 'invalid session file', e.slice(m[0].length))
        : annotation(outcome.file, 1, 'invalid session file', e);
    });
  }
  const message = outcome.kind === 'config' ? outcome.message : outcome.reason;
  // A crash located in agent code is annotated there (`… at agent.ts:12:9 …`).
  const inAgent = / at ([^\s:]+):(\d+):\d+/.exec(message);
  const title = outcome.kind === 'timeout' ? 'replay timed out' : 'replay could not run';
  return [
    annotation(outcome.file, 1, title, message),
    ...(inAgent ? [annotation(inAgent[1]!, Number(inAgent[2]), title, message)] : []),
  ];
}
