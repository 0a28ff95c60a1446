/** The LiveKit room adapter: `connectRoom()` and what it gives a session. */
export { RoomConnectError, type RoomErrorKind } from './errors.js';
export type { RoomEventMap, RoomEventName, RoomParticipant, RoomState } from './events.js';
export { RoomAudioInput } from './input.js';
export { RoomAudioOutput } from './output.js';
export type { ConnectRoomOptions, RoomConnection } from './room-connection.js';
export { connectRoom } from './room-session.js';
export { captureRtcLogs, type LogLevel, type RoomLog } from './rtc-log.js';
export { type RoomSettings, type RoomSettingsInput, resolveRoomSettings } from './settings.js';
export { type AgentTokenOptions, DEFAULT_TOKEN_TTL_SECONDS, mintAgentToken } from './token.js';
export {
  ATTR_FINAL,
  ATTR_SEGMENT_ID,
  ATTR_TRACK_ID,
  TOPIC_CHAT,
  TOPIC_TRANSCRIPTION,
  TranscriptionPublisher,
  type TranscriptionUpdate,
} from './transcription.js';
