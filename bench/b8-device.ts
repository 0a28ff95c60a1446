/**
 * The audio child of B8: the real device host of `voxagent dev` (src/audio/device-child.ts)
 * on the simulated sound card of sim-device.ts instead of naudiodon.
 */
import { runAudioHost } from '../src/audio/device-child.js';
import { simulatedBackend } from './sim-device.js';

void runAudioHost(async () => simulatedBackend);
