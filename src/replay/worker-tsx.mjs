// Starts a replay worker from TypeScript sources (tests, tsx): registers tsx in this
// thread, then imports the real entry. The compiled CLI starts dist/…/worker.js directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
