/**
 * The stack of active agent and tasks (from `agent.changed.stack`) and the tasks' outcomes.
 * Names are kept only for ids still shown, so handoffs over an hour do not pile up.
 */
import type { SessionEvent } from '../../runtime/events/types.js';
import { clip, pruneOldest, updateWhere } from './bounded.js';

export const MAX_FINISHED_TASKS = 10;

export type TaskStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface TaskItem {
  id: string;
  name: string;
  awaitedBy: string;
  parentAgentId: string;
  startedAt: number;
  status: TaskStatus;
  endedAt: number | null;
  durationMs: number | null;
  /** Error or cancel reason. */
  detail: string | null;
}

export interface TasksState {
  /** Agent ids, bottom first. */
  stack: readonly string[];
  agentId: string | null;
  names: Readonly<Record<string, string>>;
  tasks: readonly TaskItem[];
}

export const initialTasks: TasksState = { stack: [], agentId: null, names: {}, tasks: [] };

function finish(state: TasksState, id: string, t: number, patch: Partial<TaskItem>): TasksState {
  const tasks = updateWhere(
    state.tasks,
    (k) => k.id === id,
    (k) => ({ ...k, endedAt: t, durationMs: t - k.startedAt, ...patch }),
  );
  return { ...state, tasks: pruneOldest(tasks, (k) => k.status !== 'running', MAX_FINISHED_TASKS) };
}

function keepNames(state: TasksState): TasksState {
  const shown = new Set<string>([...state.stack, ...state.tasks.map((k) => k.id)]);
  if (state.agentId !== null) shown.add(state.agentId);
  const names: Record<string, string> = {};
  for (const [id, name] of Object.entries(state.names)) if (shown.has(id)) names[id] = name;
  return { ...state, names };
}

function apply(state: TasksState, e: SessionEvent): TasksState {
  switch (e.type) {
    case 'session.started':
      return {
        ...state,
        agentId: e.agentId,
        stack: state.stack.length ? state.stack : [e.agentId],
      };
    case 'agent.changed':
      return {
        ...state,
        agentId: e.agentId,
        stack: e.stack,
        names: { ...state.names, [e.agentId]: e.agentName },
      };
    case 'task.started': {
      const task: TaskItem = {
        id: e.taskId,
        name: e.name,
        awaitedBy: e.awaitedBy,
        parentAgentId: e.parentAgentId,
        startedAt: e.t,
        status: 'running',
        endedAt: null,
        durationMs: null,
        detail: null,
      };
      return {
        ...state,
        tasks: [...state.tasks.filter((k) => k.id !== e.taskId), task],
        names: { ...state.names, [e.taskId]: e.name },
      };
    }
    case 'task.completed':
      return finish(state, e.taskId, e.t, { status: 'completed', durationMs: e.durationMs });
    case 'task.failed':
      return finish(state, e.taskId, e.t, { status: 'failed', detail: clip(e.error, 500) });
    case 'task.cancelled':
      return finish(state, e.taskId, e.t, { status: 'cancelled', detail: e.reason });
    default:
      return state;
  }
}

export function tasksReducer(state: TasksState, e: SessionEvent): TasksState {
  const next = apply(state, e);
  return next === state ? state : keepNames(next);
}
