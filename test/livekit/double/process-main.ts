/**
 * The LiveKit double in a process of its own, for tests that need the server to hang the way
 * a real one does (SIGSTOP: nothing closes, nothing answers). Prints one JSON line with its
 * URL and keys; argv[2] is a JSON `{ rooms, participants }`. Test-only.
 */
import { LiveKitDouble } from './server.js';

const { rooms, participants } = JSON.parse(process.argv[2] ?? '{}') as {
  rooms?: string[];
  participants?: string[];
};
const double = await LiveKitDouble.start({ rooms: rooms ?? ['test-room'] });
for (const identity of participants ?? []) double.addParticipant(identity);
process.stdout.write(
  `${JSON.stringify({ url: double.url, apiKey: double.apiKey, apiSecret: double.apiSecret })}\n`,
);
process.on('SIGTERM', () => {
  void double.stop().finally(() => process.exit(0));
});
