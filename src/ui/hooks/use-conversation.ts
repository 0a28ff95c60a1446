import type { FrameBatcher } from '../scheduler.js';
import {
  type ConversationState,
  conversationReducer,
  initialConversation,
} from '../state/conversation.js';
import type { SessionEventSource } from '../types.js';
import { useSessionEvents } from './use-session-events.js';

export function useConversation(
  events: SessionEventSource,
  frame: FrameBatcher,
): ConversationState {
  return useSessionEvents(events, frame, conversationReducer, initialConversation);
}
