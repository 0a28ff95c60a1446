import { type AudioFrame, frameDurationMs, frameRms } from '../../src/runtime/audio/frame.js';
import type { ModelCallContext } from '../../src/runtime/models/context.js';
import type { VAD, VADEvent } from '../../src/runtime/models/vad.js';

/**
 * A deterministic test VAD: a frame is speech when its level passes a threshold; speech
 * starts after `startMs` of it and ends after `endSilenceMs` of quiet. Time is counted in
 * audio, not on a clock, so results depend only on the frames.
 */
export class EnergyVAD implements VAD {
  readonly label = 'test/energy-vad';
  readonly sampleRate: number;
  readonly #startMs: number;
  readonly #endSilenceMs: number;

  constructor(options: { sampleRate?: number; startMs?: number; endSilenceMs?: number } = {}) {
    this.sampleRate = options.sampleRate ?? 16_000;
    this.#startMs = options.startMs ?? 40;
    this.#endSilenceMs = options.endSilenceMs ?? 100;
  }

  async *detect(
    frames: AsyncIterable<AudioFrame>,
    ctx: ModelCallContext,
  ): AsyncGenerator<VADEvent> {
    let speaking = false;
    let voicedMs = 0;
    let quietMs = 0;
    let speechMs = 0;
    for await (const frame of frames) {
      if (ctx.signal.aborted) return;
      const ms = frameDurationMs(frame);
      const voiced = frameRms(frame) > 0.02;
      if (!speaking) {
        voicedMs = voiced ? voicedMs + ms : 0;
        if (voicedMs >= this.#startMs) {
          speaking = true;
          speechMs = voicedMs;
          quietMs = 0;
          yield { type: 'start_of_speech' };
        }
        continue;
      }
      speechMs += ms;
      quietMs = voiced ? 0 : quietMs + ms;
      if (quietMs >= this.#endSilenceMs) {
        speaking = false;
        voicedMs = 0;
        yield { type: 'end_of_speech', speechMs: speechMs - quietMs };
      } else {
        yield { type: 'speaking', speechMs };
      }
    }
  }
}
