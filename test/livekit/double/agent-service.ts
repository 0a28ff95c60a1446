/**
 * The LiveKit double's agent dispatch service (`/agent`), as LiveKit's server speaks it
 * (pkg/service/agentservice.go, pkg/agent/worker.go): the worker's Bearer JWT must carry the
 * agent grant; its first message must be `register` (10 s); each job is offered
 * (`availability`) to a worker picked at random weighted by 1 − load among those available
 * under the job's agent name, answered within 10 s, then assigned with a room token the
 * double mints; `termination` ends a job; the server pings the socket. Everything is
 * recorded for the tests. Test-only.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AvailabilityResponse,
  Job,
  JobState,
  JobStatus,
  JobType,
  ServerInfo,
  WorkerMessage,
  WorkerPong,
  WorkerStatus,
} from '@livekit/protocol';
import { AccessToken, type ClaimGrants, TokenVerifier } from 'livekit-server-sdk';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { newSid } from './client-session.js';
import type { DoubleRoom } from './room.js';
import { WorkerRecord } from './worker-record.js';

export { WorkerRecord };

/** The attribute LiveKit's server puts on an agent's token (pkg/agent: AgentNameAttributeKey). */
const SERVER_AGENT_NAME_ATTRIBUTE = 'lk.agent_name';
const REGISTER_TIMEOUT_MS = 10_000;
const AVAILABILITY_TIMEOUT_MS = 10_000;

/** One job and what happened to it. */
export interface JobRecord {
  readonly job: Job;
  readonly room: string;
  readonly agentName: string;
  readonly offers: {
    readonly workerId: string;
    readonly sentAt: number;
    answeredAt: number | null;
    response: AvailabilityResponse | null;
  }[];
  workerId: string | null;
  /** The room token in the assignment. */
  token: string | null;
  assignedAt: number | null;
  /** `assigned`, or why not. */
  outcome: 'pending' | 'assigned' | 'no_worker' | 'refused' | 'timeout';
}

export interface AgentServiceOptions {
  apiKey: string;
  apiSecret: string;
  /** How often the server pings each worker socket (LiveKit: 10 s). */
  pingIntervalMs: number;
  /** `url` of every assignment (unset: none, the worker uses its own). */
  assignmentUrl?: () => string | undefined;
}

export class AgentService {
  readonly workers: WorkerRecord[] = [];
  readonly jobs: JobRecord[] = [];
  /** Upgrades refused (status and reason), e.g. a token without the agent grant. */
  readonly refusals: { status: number; text: string }[] = [];
  readonly #o: AgentServiceOptions;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #waiters = new Set<() => void>();
  #refusing = false;
  /** Called right after a worker's registration is answered, in the same tick. */
  onRegistered: ((worker: WorkerRecord) => void) | null = null;

  constructor(options: AgentServiceOptions) {
    this.#o = options;
  }

  /** Live, registered workers. */
  get connected(): WorkerRecord[] {
    return this.workers.filter((w) => w.connected && w.registered);
  }

  /** While set, new worker connections are refused with 503 (a server going away). */
  refuseWorkers(refuse: boolean): void {
    this.#refusing = refuse;
  }

  /** Drops every worker socket abruptly (no close frame). */
  dropWorkers(): void {
    for (const w of this.workers) w.drop();
  }

  job(id: string): JobRecord | undefined {
    return this.jobs.find((j) => j.job.id === id);
  }

  jobsIn(room: string): JobRecord[] {
    return this.jobs.filter((j) => j.room === room);
  }

  /** Resolves once `check` gives a value; re-checked on every worker message. */
  waitFor<T>(check: () => T | undefined | null | false, what: string, ms = 45_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const tryNow = () => {
        const v = check();
        if (v === undefined || v === null || v === false) return;
        done();
        resolve(v);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`double /agent: timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(tryNow);
      };
      this.#waiters.add(tryNow);
      tryNow();
    });
  }

  /**
   * Creates a job for `room` under `agentName` and offers it to workers until one accepts
   * (LiveKit's JobRequest). `anyStatus`: offer to workers that reported WS_FULL too (to see
   * that they refuse).
   */
  async dispatch(
    room: DoubleRoom,
    opts: { agentName?: string; metadata?: string; dispatchId?: string; anyStatus?: boolean } = {},
  ): Promise<JobRecord> {
    const agentName = opts.agentName ?? '';
    const record: JobRecord = {
      job: new Job({
        id: newSid('AJ'),
        dispatchId: opts.dispatchId ?? newSid('AD'),
        type: JobType.JT_ROOM,
        room: room.info(),
        metadata: opts.metadata ?? '',
        agentName,
        state: new JobState({ status: JobStatus.JS_PENDING }),
      }),
      room: room.name,
      agentName,
      offers: [],
      workerId: null,
      token: null,
      assignedAt: null,
      outcome: 'pending',
    };
    this.jobs.push(record);
    this.#wake();
    const tried = new Set<WorkerRecord>();
    for (;;) {
      const worker = this.#pick(agentName, tried, opts.anyStatus ?? false);
      if (!worker) {
        record.outcome = record.offers.length === 0 ? 'no_worker' : record.outcome;
        if (record.outcome === 'pending') record.outcome = 'refused';
        this.#wake();
        return record;
      }
      tried.add(worker);
      const answer = await this.#offer(worker, record);
      if (!answer) {
        record.outcome = 'timeout';
        continue;
      }
      if (!answer.available) {
        record.outcome = 'refused';
        continue;
      }
      await this.#assign(worker, record, answer);
      return record;
    }
  }

  /** Sends JobTermination to the worker that runs the job (LiveKit's JobTerminate). */
  terminate(jobId: string): void {
    const record = this.job(jobId);
    const worker = this.workers.find((w) => w.id === record?.workerId && w.connected);
    if (!worker) throw new Error(`double /agent: no connected worker runs job ${jobId}`);
    worker.send({ case: 'termination', value: { jobId } });
  }

  close(): void {
    for (const w of this.workers) w.close();
    this.#wss.close();
  }

  /** Upgrade of `/agent`: the JWT must carry `video.agent` (else 401, as LiveKit answers). */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, text: string) => {
      this.refusals.push({ status, text });
      this.#wake();
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`,
      );
    };
    if (this.#refusing) return refuse(503, 'server is shutting down');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let claims: ClaimGrants;
    try {
      if (!token) throw new Error('no token');
      claims = await new TokenVerifier(this.#o.apiKey, this.#o.apiSecret).verify(token);
    } catch {
      return refuse(401, 'invalid token: signature is invalid');
    }
    if (!claims.video?.agent) return refuse(401, 'permissions denied');
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, claims));
  }

  #accept(ws: WebSocket, claims: ClaimGrants): void {
    const worker = new WorkerRecord(ws, newSid('AW'), claims, (w) => this.#wake(w));
    this.workers.push(worker);
    const registerTimer = setTimeout(() => {
      if (!worker.registered) ws.close(1008, 'register timeout');
    }, REGISTER_TIMEOUT_MS);
    const ping = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.ping();
    }, this.#o.pingIntervalMs);
    ws.on('message', (data: RawData) => {
      let message: WorkerMessage;
      try {
        message = WorkerMessage.fromBinary(toBytes(data));
      } catch {
        ws.close(1003, 'not a WorkerMessage');
        return;
      }
      this.#onMessage(worker, message);
    });
    ws.on('close', () => {
      clearTimeout(registerTimer);
      clearInterval(ping);
      worker.closed();
      this.#wake();
    });
    ws.on('error', () => undefined);
  }

  #onMessage(worker: WorkerRecord, message: WorkerMessage): void {
    const m = message.message;
    worker.received(m.case ?? 'unknown');
    if (!worker.registered && m.case !== 'register') {
      // LiveKit's registerer only takes `register` (and pings) before registration.
      if (m.case !== 'ping') {
        this.#wake();
        return;
      }
    }
    switch (m.case) {
      case 'register':
        worker.register(m.value);
        worker.send({
          case: 'register',
          value: {
            workerId: worker.id,
            serverInfo: new ServerInfo({ version: '1.9.0', agentProtocol: 1, nodeId: 'double' }),
          },
        });
        this.onRegistered?.(worker);
        break;
      case 'availability':
        for (const j of this.jobs) {
          const offer = j.offers.find(
            (o) => o.workerId === worker.id && j.job.id === m.value.jobId && !o.response,
          );
          if (offer) {
            offer.response = m.value;
            offer.answeredAt = Date.now();
          }
        }
        break;
      case 'updateWorker':
        worker.statusUpdate(m.value);
        break;
      case 'updateJob':
        worker.jobUpdate(m.value);
        break;
      case 'ping':
        worker.send({
          case: 'pong',
          value: new WorkerPong({
            lastTimestamp: m.value.timestamp,
            timestamp: BigInt(Date.now()),
          }),
        });
        break;
      default:
        break;
    }
    this.#wake();
  }

  /** Weighted by 1 − load among available workers of that agent name (LiveKit's selection). */
  #pick(agentName: string, tried: Set<WorkerRecord>, anyStatus: boolean): WorkerRecord | null {
    const candidates = this.connected.filter(
      (w) =>
        w.agentName === agentName &&
        !tried.has(w) &&
        (anyStatus || w.status === WorkerStatus.WS_AVAILABLE),
    );
    const weights = candidates.map((w) => Math.max(anyStatus ? 0.01 : 0, 1 - w.load));
    const sum = weights.reduce((a, b) => a + b, 0);
    if (candidates.length === 0 || sum <= 0) return null;
    let r = Math.random() * sum;
    for (let i = 0; i < candidates.length; i++) {
      r -= weights[i]!;
      if (r <= 0) return candidates[i]!;
    }
    return candidates.at(-1)!;
  }

  #offer(worker: WorkerRecord, record: JobRecord): Promise<AvailabilityResponse | null> {
    const offer = {
      workerId: worker.id,
      sentAt: Date.now(),
      answeredAt: null as number | null,
      response: null as AvailabilityResponse | null,
    };
    record.offers.push(offer);
    worker.send({ case: 'availability', value: { job: record.job } });
    return this.waitFor(
      () => offer.response ?? (!worker.connected && 'gone'),
      `worker ${worker.id} to answer availability for ${record.job.id}`,
      AVAILABILITY_TIMEOUT_MS,
    ).then(
      (r) => (r === 'gone' ? null : r),
      () => null,
    );
  }

  /** LiveKit's server mints the job's room token (protocol agent.BuildAgentToken). */
  async #assign(
    worker: WorkerRecord,
    record: JobRecord,
    answer: AvailabilityResponse,
  ): Promise<void> {
    const at = new AccessToken(this.#o.apiKey, this.#o.apiSecret, {
      identity: answer.participantIdentity,
      name: answer.participantName,
      metadata: answer.participantMetadata,
      attributes: {
        ...answer.participantAttributes,
        [SERVER_AGENT_NAME_ATTRIBUTE]: worker.agentName,
      },
      ttl: '1h',
    });
    at.kind = 'agent';
    at.addGrant({
      roomJoin: true,
      agent: true,
      room: record.room,
      canPublish: true,
      canSubscribe: true,
      canPublishData: true,
      canUpdateOwnMetadata: true,
    });
    const token = await at.toJwt();
    const url = this.#o.assignmentUrl?.();
    record.workerId = worker.id;
    record.token = token;
    record.assignedAt = Date.now();
    record.outcome = 'assigned';
    worker.jobs.add(record.job.id);
    worker.send({
      case: 'assignment',
      value: { job: record.job, token, ...(url ? { url } : {}) },
    });
    this.#wake();
  }

  #wake(_w?: WorkerRecord): void {
    for (const w of [...this.#waiters]) w();
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
