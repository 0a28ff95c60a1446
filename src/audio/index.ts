export { AudioDeviceError, type AudioLog } from './child-launch.js';
export {
  type DeviceAudio,
  type DeviceAudioOptions,
  listDevices,
  openDeviceAudio,
} from './device-audio.js';
export { DeviceInput } from './device-input.js';
export { DeviceOutput } from './device-output.js';
export type {
  AudioDeviceInfo,
  DeviceSelector,
  EchoCancellationStatus,
} from './device-protocol.js';
export {
  EchoCanceller,
  type EchoCancellerOptions,
  EchoCancellerUnavailableError,
} from './echo-canceller.js';
export { EnergyVAD, type EnergyVADOptions } from './energy-vad.js';
export { ESPEAK_SAMPLE_RATE, EspeakTTS, type EspeakTTSOptions } from './espeak-tts.js';
export { createOfflineVAD, type OfflineVAD } from './offline-vad.js';
export { defaultSileroModelPath, SileroVAD, type SileroVADOptions } from './silero-vad.js';
export { SpeechGate, type SpeechGateOptions } from './speech-gate.js';
