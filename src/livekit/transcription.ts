/**
 * Transcriptions as LiveKit front ends read them: one text stream per update on the
 * `lk.transcription` topic, sent on behalf of the transcribed participant (the sender
 * identity is the user for user speech, the agent for its own), with the attributes
 * `lk.segment_id` (stable for one utterance; a newer stream replaces the text of the same
 * segment), `lk.transcription_final` ("true"/"false") and `lk.transcribed_track_id` (the
 * audio track transcribed, when known). Each update carries the segment's full text so far.
 */
import type { LocalParticipant } from '@livekit/rtc-node';
import type { RoomLog } from './rtc-log.js';

export const TOPIC_TRANSCRIPTION = 'lk.transcription';
export const TOPIC_CHAT = 'lk.chat';
export const ATTR_SEGMENT_ID = 'lk.segment_id';
export const ATTR_FINAL = 'lk.transcription_final';
export const ATTR_TRACK_ID = 'lk.transcribed_track_id';

export interface TranscriptionUpdate {
  /** Whose speech: the linked user's or the agent's. */
  role: 'user' | 'agent';
  /** Stable across the updates of one utterance. */
  segmentId: string;
  /** The full text of the segment so far (not a delta). */
  text: string;
  final: boolean;
}

export interface TranscriptionTarget {
  localParticipant(): LocalParticipant | null;
  /** Identity and audio track sid of whoever `role` designates (null: nobody to attribute). */
  speaker(role: 'user' | 'agent'): { identity: string; trackSid: string | null } | null;
  log: RoomLog;
}

let segmentCounter = 0;
const newSegmentId = () => `SG_${process.pid.toString(36)}_${(++segmentCounter).toString(36)}`;

/**
 * Publishes transcription updates in order. `user()` and `agent()` keep the segment ids for
 * callers that only have the runtime's events (`user.transcript`, `speech.text`/`speech.done`).
 */
export class TranscriptionPublisher {
  readonly #target: TranscriptionTarget;
  #chain: Promise<void> = Promise.resolve();
  #userSegment: string | null = null;

  constructor(target: TranscriptionTarget) {
    this.#target = target;
  }

  /** The user's transcript so far; `final` closes the utterance (the next text starts a new one). */
  user(text: string, final: boolean): Promise<void> {
    this.#userSegment ??= newSegmentId();
    const segmentId = this.#userSegment;
    if (final) this.#userSegment = null;
    return this.publish({ role: 'user', segmentId, text, final });
  }

  /** The agent's text for one speech (the segment id follows the speech id). */
  agent(speechId: string, text: string, final: boolean): Promise<void> {
    return this.publish({ role: 'agent', segmentId: `SG_${speechId}`, text, final });
  }

  /** Sends one update; resolves when sent (never rejects: a failure is logged). */
  publish(update: TranscriptionUpdate): Promise<void> {
    const run = async () => {
      const local = this.#target.localParticipant();
      const speaker = this.#target.speaker(update.role);
      if (!local || !speaker) return;
      const attributes: Record<string, string> = {
        [ATTR_SEGMENT_ID]: update.segmentId,
        [ATTR_FINAL]: update.final ? 'true' : 'false',
      };
      if (speaker.trackSid) attributes[ATTR_TRACK_ID] = speaker.trackSid;
      try {
        const writer = await local.streamText({
          topic: TOPIC_TRANSCRIPTION,
          senderIdentity: speaker.identity,
          attributes,
        });
        await writer.write(update.text);
        await writer.close();
      } catch (err) {
        this.#target.log('warn', `livekit: transcription not sent (${String(err)})`);
      }
    };
    this.#chain = this.#chain.then(run);
    return this.#chain;
  }
}
