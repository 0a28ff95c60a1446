import type { FrameBatcher } from '../scheduler.js';
import { initialTasks, type TasksState, tasksReducer } from '../state/tasks.js';
import type { SessionEventSource } from '../types.js';
import { useSessionEvents } from './use-session-events.js';

export function useTasks(events: SessionEventSource, frame: FrameBatcher): TasksState {
  return useSessionEvents(events, frame, tasksReducer, initialTasks);
}
