import type { SessionEvent } from '../runtime/events/types.js';
import { formatDuration } from './duration.js';
import { describeLatency } from './latency.js';
import type { ReplayResult } from './types.js';

/**
 * The human report of a replay: a header line, for failures a compact timeline of what
 * happened, then ✓/✗ per expectation with expected-vs-happened under each failure.
 */

/** One line for an event worth showing, or null for the noisy ones (deltas, metrics...). */
export function timelineLine(e: SessionEvent): { lane: string; text: string } | null {
  switch (e.type) {
    case 'session.started':
      return { lane: 'session', text: `started (agent ${e.agentId})` };
    case 'session.closing':
      return { lane: 'session', text: `closing: ${e.reason}` };
    case 'session.closed':
      return { lane: 'session', text: 'closed' };
    case 'agent.changed':
      return {
        lane: 'agent',
        text: `${e.agentName} active (${e.reason}) stack [${e.stack.join(', ')}]`,
      };
    case 'user.speech_started':
      return { lane: 'user', text: 'starts speaking' };
    case 'user.speech_ended':
      return { lane: 'user', text: `stops speaking (${e.speechMs}ms)` };
    case 'user.turn':
      return {
        lane: 'user',
        text: `turn ${e.turnId} (${e.source}${e.waited ? ', waited' : ''}): "${e.text}"`,
      };
    case 'speech.created':
      return { lane: e.speechId, text: `created (${e.source})${e.text ? ` "${e.text}"` : ''}` };
    case 'speech.playing':
    case 'speech.paused':
    case 'speech.resumed':
      return { lane: e.speechId, text: `${e.type.slice(7)} (step ${e.step})` };
    case 'user.false_interruption':
      return { lane: e.speechId, text: `false interruption${e.resumed ? ', resumes' : ''}` };
    case 'speech.awaiting_tools':
      return { lane: e.speechId, text: `awaiting tools ${e.toolCallIds.join(', ')}` };
    case 'speech.interrupted':
      return { lane: e.speechId, text: `interrupted by ${e.by}${e.force ? ' (force)' : ''}` };
    case 'speech.done':
      return {
        lane: e.speechId,
        text: `done: ${e.reason}, played ${e.playedMs}/${e.totalMs}ms${e.spokenText ? ` "${e.spokenText}"` : ''}${e.error ? ` error: ${e.error}` : ''}`,
      };
    case 'tool.started':
      return { lane: 'tool', text: `${e.name}(${e.arguments}) started [${e.toolCallId}]` };
    case 'tool.finished':
      return {
        lane: 'tool',
        text: `${e.name} finished${e.isError ? ' with error' : ''}${e.interrupted ? ' (interrupted)' : ''}: ${e.output}`,
      };
    case 'task.started':
      return { lane: 'task', text: `${e.name} started (awaited by ${e.awaitedBy})` };
    case 'task.completed':
      return { lane: 'task', text: `${e.name} completed` };
    case 'task.failed':
      return { lane: 'task', text: `${e.name} failed: ${e.error}` };
    case 'task.cancelled':
      return { lane: 'task', text: `${e.name} cancelled: ${e.reason}` };
    case 'warning':
      return { lane: 'warning', text: `${e.code}: ${e.message}` };
    case 'error':
      return { lane: 'error', text: `${e.source} ${e.code}: ${e.message}` };
    case 'deadlock':
      return { lane: 'DEADLOCK', text: e.cycle.join(' → ') || e.description };
    default:
      return null;
  }
}

export function formatTimeline(events: readonly SessionEvent[], indent = '    '): string[] {
  const rows = events.flatMap((e) => {
    const line = timelineLine(e);
    return line ? [{ t: e.t, ...line }] : [];
  });
  const laneWidth = Math.min(12, Math.max(4, ...rows.map((r) => r.lane.length)));
  const timeWidth = Math.max(4, ...rows.map((r) => `${r.t}ms`.length));
  return rows.map(
    (r) => `${indent}${`${r.t}ms`.padStart(timeWidth)}  ${r.lane.padEnd(laneWidth)}  ${r.text}`,
  );
}

export function formatResult(result: ReplayResult, options: { timeline?: boolean } = {}): string {
  const mark = result.passed ? '✓' : '✗';
  const name =
    result.name && !result.file.endsWith(`${result.name}.yaml`) ? ` (${result.name})` : '';
  const lines = [
    `${mark} ${result.file}${name}  ${result.events} events, ${formatDuration(result.virtualMs)} virtual, ${Math.round(result.wallMs)}ms wall`,
  ];
  const showTimeline = options.timeline ?? !result.passed;
  if (showTimeline && result.eventLog.length > 0) {
    lines.push('  timeline:', ...formatTimeline(result.eventLog));
  }
  const latency = result.latency ?? [];
  if (latency.length > 0) {
    const slowest = latency.reduce((a, b) => (b.e2eMs > a.e2eMs ? b : a));
    lines.push(
      `  latency: ${latency.length} answered turn(s); slowest ${slowest.turnId}: ${describeLatency(slowest)}`,
    );
  }
  for (const err of result.errors) lines.push(`  ! ${err}`);
  for (const x of result.expectations) {
    lines.push(`  ${x.passed ? '✓' : '✗'} ${x.description}`);
    if (!x.passed) lines.push(`      ${x.detail}`);
  }
  return lines.join('\n');
}

export function formatSummary(results: readonly ReplayResult[]): string {
  const failed = results.filter((r) => !r.passed).length;
  const passed = results.length - failed;
  return `${passed} passed, ${failed} failed (${results.length} session file${results.length === 1 ? '' : 's'})`;
}
