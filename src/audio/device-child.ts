/**
 * The audio child process (forked by child-launch.ts): the device host on naudiodon, an
 * optional peer dependency imported only here. Missing or unbuilt, the parent gets one line
 * that says so and how to add it, and `voxagent dev` runs in text mode.
 */
import { type AudioBackend, runAudioHost } from './device-host.js';
import { importOptional } from './optional-package.js';

async function loadNaudiodon(): Promise<AudioBackend> {
  const n = await importOptional('naudiodon', () => import('naudiodon'));
  return {
    getHostAPIs: () => n.getHostAPIs(),
    getDevices: () => n.getDevices(),
    openOutput: (options) => n.AudioIO({ outOptions: options }),
    openInput: (options) => n.AudioIO({ inOptions: options }),
  };
}

void runAudioHost(loadNaudiodon);
