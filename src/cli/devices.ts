/** `voxagent devices`: the audio devices PortAudio sees (listed from the audio child). */
export async function devicesCommand(): Promise<number> {
  const { listDevices } = await import('../audio/device-audio.js');
  let devices: Awaited<ReturnType<typeof listDevices>>;
  try {
    devices = await listDevices({ timeoutMs: 10000 });
  } catch (err) {
    console.error(
      `voxagent: cannot list audio devices: ${err instanceof Error ? err.message : String(err)}`,
    );
    console.error('voxagent dev falls back to text mode on this machine (--text).');
    return 1;
  }
  if (devices.length === 0) {
    console.log('No audio devices found: voxagent dev will run in text mode.');
    return 0;
  }
  console.log('id  in  out  rate   default  name');
  for (const d of devices) {
    const def =
      [d.isDefaultInput ? 'in' : '', d.isDefaultOutput ? 'out' : ''].filter(Boolean).join('+') ||
      '-';
    console.log(
      `${String(d.id).padEnd(3)} ${String(d.maxInputChannels).padEnd(3)} ${String(d.maxOutputChannels).padEnd(4)} ${String(d.defaultSampleRate).padEnd(6)} ${def.padEnd(8)} ${d.name} (${d.hostApi})`,
    );
  }
  console.log('\nUse --input-device / --output-device with an id or a name.');
  return 0;
}
