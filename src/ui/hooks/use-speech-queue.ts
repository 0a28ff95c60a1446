import type { FrameBatcher } from '../scheduler.js';
import { initialSpeechQueue, type SpeechQueueState, speechQueueReducer } from '../state/speech.js';
import type { SessionEventSource } from '../types.js';
import { useSessionEvents } from './use-session-events.js';

export function useSpeechQueue(events: SessionEventSource, frame: FrameBatcher): SpeechQueueState {
  return useSessionEvents(events, frame, speechQueueReducer, initialSpeechQueue);
}
