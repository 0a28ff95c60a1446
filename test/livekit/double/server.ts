/**
 * A loopback test double of a LiveKit server, good enough for the real `@livekit/rtc-node`
 * client: token check, v1 signalling over WebSocket, one peer connection (node-datachannel),
 * Opus audio both ways, text streams on the reliable data channel. Test-only, never shipped.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import {
  AgentDispatch,
  CreateAgentDispatchRequest,
  DeleteRoomRequest,
  JoinRequest,
  ParticipantInfo,
  ParticipantInfo_State,
  ParticipantPermission,
  RoomConfiguration,
  WrappedJoinRequest,
  WrappedJoinRequest_Compression,
} from '@livekit/protocol';
import { type ClaimGrants, TokenVerifier } from 'livekit-server-sdk';
import { WebSocketServer } from 'ws';
import { AgentService, type JobRecord } from './agent-service.js';
import { ClientSession, newSid, type OutboundTrack } from './client-session.js';
import type { ScriptedParticipant } from './participant.js';
import { DoubleRoom } from './room.js';

export type { JobRecord };

type JsonValue = Parameters<typeof RoomConfiguration.fromJson>[0];

export interface DoubleOptions {
  apiKey?: string;
  apiSecret?: string;
  /** Rooms that exist; a token for any other room is refused with 404 (auto-create off). */
  rooms?: string[];
  /** How often `/agent` pings each worker socket (LiveKit: 10 s). */
  workerPingIntervalMs?: number;
  /** Decode and keep what clients publish (default true; a benchmark turns it off). */
  captureAudio?: boolean;
}

/** A dispatch of a room's configuration (a token's `roomConfig.agents`, or CreateRoom's). */
export interface RoomDispatch {
  agentName?: string;
  metadata?: string;
}

/** What the double saw of one connection attempt (for the protocol contract test). */
export interface JoinAttempt {
  readonly path: string;
  /** The Host header: which address of the double the client dialled. */
  readonly host: string;
  readonly queryKeys: string[];
  readonly authScheme: string | null;
  readonly status: number;
  readonly joinRequest: JoinRequest | null;
}

export class LiveKitDouble {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly attempts: JoinAttempt[] = [];
  /** The agent dispatch service (`/agent`). */
  readonly agents: AgentService;
  /** Where assignments tell workers to join (unset: nowhere; workers use their own URL). */
  assignmentUrl: string | undefined;
  readonly #rooms = new Map<string, DoubleRoom>();
  readonly #defaultRoom: string;
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<Duplex>();
  readonly #sessionWaiters = new Set<() => void>();
  #refusing: { status: number; text: string } | null = null;
  readonly #captureAudio: boolean;

  private constructor(opts: DoubleOptions) {
    this.#captureAudio = opts.captureAudio ?? true;
    this.apiKey = opts.apiKey ?? 'devkey';
    this.apiSecret = opts.apiSecret ?? 'double-secret-0123456789abcdef0123456789';
    const rooms = opts.rooms ?? ['test-room'];
    this.#defaultRoom = rooms[0] ?? 'test-room';
    for (const name of rooms) this.#rooms.set(name, new DoubleRoom(name));
    this.agents = new AgentService({
      apiKey: this.apiKey,
      apiSecret: this.apiSecret,
      pingIntervalMs: opts.workerPingIntervalMs ?? 10_000,
      assignmentUrl: () => this.assignmentUrl,
    });
    this.#server = createServer((req, res) => {
      void this.#onHttp(req).then(({ status, text, type }) => {
        this.attempts.push(attempt(req, status, null));
        res.writeHead(status, { 'Content-Type': type ?? 'text/plain' }).end(text);
      });
    });
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    this.#server.on('upgrade', (req, socket, head) => {
      void this.#onUpgrade(req, socket, head);
    });
  }

  static async start(opts: DoubleOptions = {}): Promise<LiveKitDouble> {
    const d = new LiveKitDouble(opts);
    await new Promise<void>((resolve) => d.#server.listen(0, '127.0.0.1', resolve));
    return d;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `ws://127.0.0.1:${port}`;
  }

  /** Every client session, in every room. */
  get sessions(): ClientSession[] {
    return [...this.#rooms.values()].flatMap((r) => [...r.sessions]);
  }

  room(name: string): DoubleRoom | undefined {
    return this.#rooms.get(name);
  }

  /** A remote participant in the first room; it joins at once (clients connected later see it in their join). */
  addParticipant(identity: string, name?: string): ScriptedParticipant {
    return this.#rooms.get(this.#defaultRoom)!.addParticipant(identity, name);
  }

  /**
   * Creates a room, as a first participant's join or RoomService.CreateRoom does, and
   * dispatches its agents (LiveKit's room.go): those of its configuration, or else one
   * automatic dispatch to workers registered without an agent name. Resolves once every
   * dispatch was assigned or found no taker.
   */
  async createRoom(
    name: string,
    opts: { agents?: RoomDispatch[]; metadata?: string } = {},
  ): Promise<DoubleRoom> {
    const room = new DoubleRoom(name, opts.metadata);
    this.#rooms.set(name, room);
    const dispatches = opts.agents?.length ? opts.agents : [{}];
    await Promise.all(dispatches.map((d) => this.agents.dispatch(room, d)));
    return room;
  }

  /**
   * A user joins with `token` (what a front end does): a room that does not exist yet is
   * created with the token's room configuration (`roomConfig.agents`: explicit dispatch).
   */
  async joinWithToken(token: string): Promise<ScriptedParticipant> {
    const claims = await new TokenVerifier(this.apiKey, this.apiSecret).verify(token);
    const name = claims.video?.room ?? '';
    if (!claims.video?.roomJoin || !name || !claims.sub) throw new Error('not a join token');
    if (!this.#rooms.has(name)) {
      const config = claims.roomConfig
        ? RoomConfiguration.fromJson(claims.roomConfig as unknown as JsonValue)
        : null;
      await this.createRoom(name, { agents: config?.agents ?? [] });
    }
    return this.#rooms.get(name)!.addParticipant(claims.sub, claims.name);
  }

  /** AgentDispatchService.CreateDispatch: an explicit dispatch (the room is created if needed). */
  async createDispatch(room: string, agentName: string, metadata = ''): Promise<JobRecord> {
    let r = this.#rooms.get(room);
    if (!r) {
      r = new DoubleRoom(room);
      this.#rooms.set(room, r);
    }
    return this.agents.dispatch(r, { agentName, metadata });
  }

  /** RoomService.DeleteRoom: clients get a leave (ROOM_DELETED), the room is gone. */
  deleteRoom(name: string): void {
    const room = this.#rooms.get(name);
    if (!room) return;
    this.#rooms.delete(name);
    room.delete();
  }

  /** Resolves with the next (or current) client session whose identity matches. */
  waitForSession(identity?: string, ms = 10_000): Promise<ClientSession> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const s = this.sessions.find((x) => !identity || x.identity === identity);
        if (s) {
          done();
          resolve(s);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`double: no client session within ${ms} ms`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.#sessionWaiters.delete(check);
      };
      this.#sessionWaiters.add(check);
      check();
    });
  }

  /**
   * Drops every client connection abruptly (no leave, no close frame). With
   * `refuseReconnect`, later connection attempts are refused with 503 as a server that is
   * going away would, or with 401 (`'unauthorized'`: the token is no longer accepted, which
   * makes rtc-node give up at once instead of retrying).
   */
  drop(opts: { refuseReconnect?: boolean | 'unauthorized' } = {}): void {
    const refuse = opts.refuseReconnect ?? false;
    this.#refusing =
      refuse === 'unauthorized'
        ? { status: 401, text: 'invalid token: token is expired' }
        : refuse
          ? { status: 503, text: 'server is shutting down' }
          : null;
    for (const s of this.sessions) s.drop();
  }

  async stop(): Promise<void> {
    for (const room of this.#rooms.values()) {
      for (const p of [...room.participants.values()]) p.leave();
      for (const s of [...room.sessions]) s.close();
    }
    this.agents.close();
    for (const sock of this.#sockets) sock.destroy();
    this.#wss.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /**
   * After a refused upgrade the client asks `GET <path>/validate` for the reason, and shows
   * the status and body LiveKit gives there; anything else over plain HTTP is a 404.
   */
  async #onHttp(req: IncomingMessage): Promise<{ status: number; text: string; type?: string }> {
    const url = new URL(req.url ?? '/', 'http://double');
    if (url.pathname.startsWith('/twirp/')) return this.#twirp(req, url.pathname);
    if (url.pathname !== '/rtc/validate' && url.pathname !== '/rtc/v1/validate') {
      return { status: 404, text: '' };
    }
    const v = await this.#validate(req, url);
    return v.ok ? { status: 200, text: 'success' } : v;
  }

  /**
   * LiveKit's server API (Twirp, JSON), as livekit-server-sdk's clients call it:
   * AgentDispatchService.CreateDispatch and RoomService.DeleteRoom, with a roomAdmin token.
   */
  async #twirp(
    req: IncomingMessage,
    path: string,
  ): Promise<{ status: number; text: string; type?: string }> {
    const body = await new Promise<string>((resolve) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        text += c;
      });
      req.on('end', () => resolve(text));
    });
    const jwt = token(req, new URL(req.url ?? '/', 'http://double'));
    let claims: ClaimGrants;
    try {
      claims = await new TokenVerifier(this.apiKey, this.apiSecret).verify(jwt ?? '');
    } catch {
      return { status: 401, text: '{"code":"unauthenticated","msg":"invalid token"}' };
    }
    const json = { type: 'application/json' };
    const request = JSON.parse(body || '{}') as JsonValue;
    if (path === '/twirp/livekit.AgentDispatchService/CreateDispatch') {
      const r = CreateAgentDispatchRequest.fromJson(request, { ignoreUnknownFields: true });
      if (!claims.video?.roomAdmin || claims.video.room !== r.room) {
        return { status: 403, text: '{"code":"permission_denied","msg":"no roomAdmin grant"}' };
      }
      const job = await this.createDispatch(r.room, r.agentName, r.metadata);
      const dispatch = new AgentDispatch({
        id: job.job.dispatchId,
        agentName: r.agentName,
        room: r.room,
        metadata: r.metadata,
      });
      return { status: 200, text: dispatch.toJsonString(), ...json };
    }
    if (path === '/twirp/livekit.RoomService/DeleteRoom') {
      const r = DeleteRoomRequest.fromJson(request, { ignoreUnknownFields: true });
      this.deleteRoom(r.room);
      return { status: 200, text: '{}', ...json };
    }
    return { status: 404, text: '{"code":"bad_route"}', ...json };
  }

  /** The checks LiveKit makes before it upgrades, with its statuses and messages. */
  async #validate(
    req: IncomingMessage,
    url: URL,
  ): Promise<{ ok: true; claims: ClaimGrants } | { ok: false; status: number; text: string }> {
    if (this.#refusing) return { ok: false, ...this.#refusing };
    const jwt = token(req, url);
    let claims: ClaimGrants;
    try {
      if (!jwt) throw new Error('no token');
      claims = await new TokenVerifier(this.apiKey, this.apiSecret).verify(jwt);
    } catch {
      return { ok: false, status: 401, text: 'invalid token: signature is invalid' };
    }
    if (!claims.video?.roomJoin) return { ok: false, status: 401, text: 'permissions denied' };
    if (!claims.sub) return { ok: false, status: 400, text: 'identity cannot be empty' };
    const room = this.#rooms.get(claims.video.room ?? '');
    if (!room || room.deleted) {
      return { ok: false, status: 404, text: 'requested room does not exist' };
    }
    return { ok: true, claims };
  }

  async #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, text: string, jr: JoinRequest | null = null) => {
      this.attempts.push(attempt(req, status, jr));
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`,
      );
    };
    const url = new URL(req.url ?? '/', 'http://double');
    if (url.pathname === '/agent') return this.agents.handleUpgrade(req, socket, head);
    // Only the v1 path exists here: the pinned client must use it (the contract test checks).
    if (url.pathname !== '/rtc/v1') return refuse(404, 'not found');
    const joinRequest = decodeJoin(url.searchParams.get('join_request'));
    const v = await this.#validate(req, url);
    if (!v.ok) return refuse(v.status, v.text, joinRequest);
    const { claims } = v;
    const room = this.#rooms.get(claims.video?.room ?? '');
    if (!room) return refuse(404, 'requested room does not exist', joinRequest);
    const identity = claims.sub ?? '';
    const offer = joinRequest?.publisherOffer?.sdp;
    if (!offer) return refuse(400, 'join request without an offer', joinRequest);
    this.attempts.push(attempt(req, 101, joinRequest));
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const self = new ParticipantInfo({
        sid: newSid('PA'),
        identity,
        name: claims.name ?? '',
        state: ParticipantInfo_State.ACTIVE,
        joinedAt: BigInt(Math.floor(Date.now() / 1000)),
        version: 1,
        permission: new ParticipantPermission({
          canPublish: claims.video?.canPublish ?? true,
          canSubscribe: claims.video?.canSubscribe ?? true,
          canPublishData: claims.video?.canPublishData ?? true,
        }),
      });
      const others = [...room.participants.values()].map((p) => p.info());
      const session = new ClientSession({
        ws,
        room: room.info(),
        token: token(req, url) ?? '',
        captureAudio: this.#captureAudio,
        self,
        others,
        offerSdp: offer,
        // Tracks already published go into the slots of the client's first offer.
        pendingTracks: [...room.participants.values()]
          .map((p) => p.outbound())
          .filter((t): t is OutboundTrack => t !== null),
        onClosed: (s) => room.sessions.delete(s),
      });
      room.sessions.add(session);
      for (const w of [...this.#sessionWaiters]) w();
    });
  }
}

function decodeJoin(param: string | null): JoinRequest | null {
  if (!param) return null;
  try {
    const wrapped = WrappedJoinRequest.fromBinary(Buffer.from(param, 'base64url'));
    const raw =
      wrapped.compression === WrappedJoinRequest_Compression.GZIP
        ? gunzipSync(wrapped.joinRequest)
        : wrapped.joinRequest;
    return JoinRequest.fromBinary(raw);
  } catch {
    return null;
  }
}

function token(req: IncomingMessage, url: URL): string | null {
  return (
    /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ??
    url.searchParams.get('access_token')
  );
}

function attempt(req: IncomingMessage, status: number, jr: JoinRequest | null): JoinAttempt {
  const url = new URL(req.url ?? '/', 'http://double');
  return {
    path: url.pathname,
    queryKeys: [...url.searchParams.keys()].sort(),
    host: req.headers.host ?? '',
    authScheme: req.headers.authorization?.split(' ')[0] ?? null,
    status,
    joinRequest: jr,
  };
}
