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
  JoinRequest,
  ParticipantInfo,
  ParticipantInfo_State,
  ParticipantPermission,
  ParticipantUpdate,
  Room as RoomInfo,
  WrappedJoinRequest,
  WrappedJoinRequest_Compression,
} from '@livekit/protocol';
import { type ClaimGrants, TokenVerifier } from 'livekit-server-sdk';
import { WebSocketServer } from 'ws';
import { ClientSession, newSid, type OutboundTrack } from './client-session.js';
import { type ParticipantHost, ScriptedParticipant } from './participant.js';

export interface DoubleOptions {
  apiKey?: string;
  apiSecret?: string;
  /** Rooms that exist; a token for any other room is refused with 404 (auto-create off). */
  rooms?: string[];
}

/** What the double saw of one connection attempt (for the protocol contract test). */
export interface JoinAttempt {
  readonly path: string;
  readonly queryKeys: string[];
  readonly authScheme: string | null;
  readonly status: number;
  readonly joinRequest: JoinRequest | null;
}

export class LiveKitDouble implements ParticipantHost {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly attempts: JoinAttempt[] = [];
  readonly #rooms: Set<string>;
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #participants = new Map<string, ScriptedParticipant>();
  readonly #sessions = new Set<ClientSession>();
  readonly #sockets = new Set<Duplex>();
  readonly #sessionWaiters = new Set<() => void>();
  readonly #roomSid = newSid('RM');
  #refusing: { status: number; text: string } | null = null;

  private constructor(opts: DoubleOptions) {
    this.apiKey = opts.apiKey ?? 'devkey';
    this.apiSecret = opts.apiSecret ?? 'double-secret-0123456789abcdef0123456789';
    this.#rooms = new Set(opts.rooms ?? ['test-room']);
    this.#server = createServer((req, res) => {
      void this.#onHttp(req).then(({ status, text }) => {
        this.attempts.push(attempt(req, status, null));
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(text);
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

  get sessions(): ClientSession[] {
    return [...this.#sessions];
  }

  /** A remote participant in the room; it joins at once (clients connected later see it in their join). */
  addParticipant(identity: string, name?: string): ScriptedParticipant {
    const p = new ScriptedParticipant(this, identity, name);
    this.#participants.set(identity, p);
    this.announce(p);
    return p;
  }

  /** Resolves with the next (or current) client session whose identity matches. */
  waitForSession(identity?: string, ms = 10_000): Promise<ClientSession> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const s = [...this.#sessions].find((x) => !identity || x.identity === identity);
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
    for (const s of [...this.#sessions]) s.drop();
  }

  async stop(): Promise<void> {
    for (const p of this.#participants.values()) p.leave();
    for (const s of [...this.#sessions]) s.close();
    for (const sock of this.#sockets) sock.destroy();
    this.#wss.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ParticipantHost

  announce(p: ScriptedParticipant): void {
    for (const s of this.#sessions) {
      s.send({ case: 'update', value: new ParticipantUpdate({ participants: [p.info()] }) });
    }
  }

  offerTrack(p: ScriptedParticipant): void {
    for (const s of this.#sessions) {
      const t = p.outbound();
      if (t) s.addOutbound(t);
    }
  }

  sendData(packets: Uint8Array[]): void {
    for (const s of this.#sessions) s.sendData(packets);
  }

  remove(p: ScriptedParticipant): void {
    this.#participants.delete(p.identity);
  }

  /**
   * After a refused upgrade the client asks `GET <path>/validate` for the reason, and shows
   * the status and body LiveKit gives there; anything else over plain HTTP is a 404.
   */
  async #onHttp(req: IncomingMessage): Promise<{ status: number; text: string }> {
    const url = new URL(req.url ?? '/', 'http://double');
    if (url.pathname !== '/rtc/validate' && url.pathname !== '/rtc/v1/validate') {
      return { status: 404, text: '' };
    }
    const v = await this.#validate(req, url);
    return v.ok ? { status: 200, text: 'success' } : v;
  }

  /** The checks LiveKit makes before it upgrades, with its statuses and messages. */
  async #validate(
    req: IncomingMessage,
    url: URL,
  ): Promise<{ ok: true; claims: ClaimGrants } | { ok: false; status: number; text: string }> {
    if (this.#refusing) return { ok: false, ...this.#refusing };
    const token =
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ??
      url.searchParams.get('access_token');
    let claims: ClaimGrants;
    try {
      if (!token) throw new Error('no token');
      claims = await new TokenVerifier(this.apiKey, this.apiSecret).verify(token);
    } catch {
      return { ok: false, status: 401, text: 'invalid token: signature is invalid' };
    }
    if (!claims.video?.roomJoin) return { ok: false, status: 401, text: 'permissions denied' };
    if (!claims.sub) return { ok: false, status: 400, text: 'identity cannot be empty' };
    if (!this.#rooms.has(claims.video.room ?? '')) {
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
    // Only the v1 path exists here: the pinned client must use it (the contract test checks).
    if (url.pathname !== '/rtc/v1') return refuse(404, 'not found');
    const joinRequest = decodeJoin(url.searchParams.get('join_request'));
    const v = await this.#validate(req, url);
    if (!v.ok) return refuse(v.status, v.text, joinRequest);
    const { claims } = v;
    const roomName = claims.video?.room ?? '';
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
      const others = [...this.#participants.values()].map((p) => p.info());
      const session = new ClientSession({
        ws,
        room: new RoomInfo({
          sid: this.#roomSid,
          name: roomName,
          numParticipants: others.length + 1,
          creationTime: BigInt(Math.floor(Date.now() / 1000)),
        }),
        self,
        others,
        offerSdp: offer,
        // Tracks already published go into the slots of the client's first offer.
        pendingTracks: [...this.#participants.values()]
          .map((p) => p.outbound())
          .filter((t): t is OutboundTrack => t !== null),
        onClosed: (s) => this.#sessions.delete(s),
      });
      this.#sessions.add(session);
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

function attempt(req: IncomingMessage, status: number, jr: JoinRequest | null): JoinAttempt {
  const url = new URL(req.url ?? '/', 'http://double');
  return {
    path: url.pathname,
    queryKeys: [...url.searchParams.keys()].sort(),
    authScheme: req.headers.authorization?.split(' ')[0] ?? null,
    status,
    joinRequest: jr,
  };
}
