import type { VAD } from '../runtime/models/vad.js';
import { EnergyVAD, type EnergyVADOptions } from './energy-vad.js';
import { SileroVAD, type SileroVADOptions } from './silero-vad.js';

export type OfflineVAD =
  | { readonly kind: 'silero'; readonly vad: VAD }
  /** `reason`: why Silero could not be used, one line, for a warning. */
  | { readonly kind: 'energy'; readonly vad: VAD; readonly reason: string };

/** Silero if onnxruntime and the model load, else the energy VAD with the reason. */
export async function createOfflineVAD(
  options: { silero?: SileroVADOptions; energy?: EnergyVADOptions } = {},
): Promise<OfflineVAD> {
  try {
    return { kind: 'silero', vad: await SileroVAD.create(options.silero) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      kind: 'energy',
      vad: new EnergyVAD(options.energy),
      reason: `Silero VAD unavailable (${message.split('\n')[0]}); using the energy VAD`,
    };
  }
}
