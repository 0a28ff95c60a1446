/** One worker connection to the double's `/agent`, and everything it said. Test-only. */
import {
  type RegisterWorkerRequest,
  ServerMessage,
  type UpdateJobStatus,
  type UpdateWorkerStatus,
  WorkerStatus,
} from '@livekit/protocol';
import type { ClaimGrants } from 'livekit-server-sdk';
import type { WebSocket } from 'ws';

type ServerMessageBody = NonNullable<ConstructorParameters<typeof ServerMessage>[0]>['message'];

export interface StatusUpdate {
  readonly at: number;
  readonly status: WorkerStatus | undefined;
  readonly load: number;
  readonly jobCount: number;
}

export class WorkerRecord {
  readonly id: string;
  /** The grants of the worker's JWT. */
  readonly claims: ClaimGrants;
  readonly connectedAt = Date.now();
  /** Message kinds in arrival order (the first must be `register`). */
  readonly messages: string[] = [];
  readonly updates: StatusUpdate[] = [];
  readonly jobUpdates: { readonly at: number; readonly update: UpdateJobStatus }[] = [];
  /** Jobs assigned to this worker connection. */
  readonly jobs = new Set<string>();
  registration: RegisterWorkerRequest | null = null;
  status: WorkerStatus = WorkerStatus.WS_AVAILABLE;
  load = 0;
  /** Answers to the server's WebSocket pings. */
  pongs = 0;
  connected = true;
  readonly #ws: WebSocket;
  readonly #changed: (w: WorkerRecord) => void;

  constructor(ws: WebSocket, id: string, claims: ClaimGrants, changed: (w: WorkerRecord) => void) {
    this.#ws = ws;
    this.id = id;
    this.claims = claims;
    this.#changed = changed;
    ws.on('pong', () => {
      this.pongs++;
      changed(this);
    });
  }

  get registered(): boolean {
    return this.registration !== null;
  }

  get agentName(): string {
    return this.registration?.agentName ?? '';
  }

  /** The last status update, if any. */
  get lastUpdate(): StatusUpdate | undefined {
    return this.updates.at(-1);
  }

  /** The status updates for one job. */
  jobStatus(jobId: string): UpdateJobStatus[] {
    return this.jobUpdates.filter((u) => u.update.jobId === jobId).map((u) => u.update);
  }

  received(kind: string): void {
    this.messages.push(kind);
  }

  register(request: RegisterWorkerRequest): void {
    this.registration = request;
  }

  statusUpdate(u: UpdateWorkerStatus): void {
    if (u.status !== undefined) this.status = u.status;
    this.load = u.load;
    this.updates.push({ at: Date.now(), status: u.status, load: u.load, jobCount: u.jobCount });
  }

  jobUpdate(u: UpdateJobStatus): void {
    this.jobUpdates.push({ at: Date.now(), update: u });
  }

  send(message: ServerMessageBody): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(new ServerMessage({ message }).toBinary());
  }

  /** Abrupt: the TCP connection dies, no close frame. */
  drop(): void {
    this.#ws.terminate();
  }

  close(): void {
    this.#ws.close();
  }

  closed(): void {
    this.connected = false;
    this.#changed(this);
  }
}
