import type { VAD } from '../runtime/models/vad.js';
import { EnergyVAD, type EnergyVADOptions } from './energy-vad.js';
import { MissingPackageError, OPTIONAL_PACKAGES } from './optional-package.js';
import { SileroVAD, type SileroVADOptions } from './silero-vad.js';

export type OfflineVAD =
  | { readonly kind: 'silero'; readonly vad: VAD }
  /** `reason`: why Silero could not be used, one line, for a warning. */
  | { readonly kind: 'energy'; readonly vad: VAD; readonly reason: string };

/**
 * Silero if onnxruntime-web and the model load, else the energy VAD with the reason (which
 * says how to add Silero when its packages are not installed: they are optional).
 */
export async function createOfflineVAD(
  options: { silero?: SileroVADOptions; energy?: EnergyVADOptions } = {},
): Promise<OfflineVAD> {
  try {
    return { kind: 'silero', vad: await SileroVAD.create(options.silero) };
  } catch (error) {
    return { kind: 'energy', vad: new EnergyVAD(options.energy), reason: whyNotSilero(error) };
  }
}

function whyNotSilero(error: unknown): string {
  if (error instanceof MissingPackageError) {
    const { install, note } = OPTIONAL_PACKAGES[error.packageName];
    return `using the energy VAD: Silero VAD is not installed (\`${install}\` adds it, ${note})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Silero VAD unavailable (${message.split('\n')[0]}); using the energy VAD`;
}
