/**
 * LiveKit data packets on the `_reliable` data channel: text streams (header, chunks, trailer,
 * or one header with inline and possibly deflated content) and plain user packets. Test-only.
 */
import { randomUUID } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import {
  DataPacket,
  DataPacket_Kind,
  DataStream_Chunk,
  DataStream_CompressionType,
  DataStream_Header,
  DataStream_OperationType,
  DataStream_TextHeader,
  DataStream_Trailer,
} from '@livekit/protocol';

export interface ReceivedText {
  readonly streamId: string;
  readonly topic: string;
  readonly from: string;
  readonly text: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The packets a LiveKit client sends for one short text on a topic. */
export function textStreamPackets(opts: {
  from: string;
  topic: string;
  text: string;
  attributes?: Record<string, string>;
}): Uint8Array[] {
  const streamId = randomUUID();
  const content = new TextEncoder().encode(opts.text);
  const header = new DataStream_Header({
    streamId,
    timestamp: BigInt(Date.now()),
    topic: opts.topic,
    mimeType: 'text/plain',
    totalLength: BigInt(content.length),
    attributes: opts.attributes ?? {},
    contentHeader: {
      case: 'textHeader',
      value: new DataStream_TextHeader({
        operationType: DataStream_OperationType.CREATE,
        version: 0,
        generated: false,
      }),
    },
  });
  const base = { kind: DataPacket_Kind.RELIABLE, participantIdentity: opts.from };
  return [
    new DataPacket({ ...base, value: { case: 'streamHeader', value: header } }).toBinary(),
    new DataPacket({
      ...base,
      value: {
        case: 'streamChunk',
        value: new DataStream_Chunk({ streamId, chunkIndex: 0n, content }),
      },
    }).toBinary(),
    new DataPacket({
      ...base,
      value: { case: 'streamTrailer', value: new DataStream_Trailer({ streamId }) },
    }).toBinary(),
  ];
}

interface OpenStream {
  header: DataStream_Header;
  from: string;
  chunks: Uint8Array[];
}

/** Reassembles the text streams a client sends; calls `onText` once per finished stream. */
export class TextStreamAssembler {
  readonly #open = new Map<string, OpenStream>();
  readonly #onText: (t: ReceivedText) => void;

  constructor(onText: (t: ReceivedText) => void) {
    this.#onText = onText;
  }

  push(bytes: Uint8Array, senderIdentity: string): void {
    const packet = DataPacket.fromBinary(bytes);
    const from = packet.participantIdentity || senderIdentity;
    const v = packet.value;
    if (v.case === 'streamHeader') {
      if (v.value.contentHeader.case !== 'textHeader') return;
      if (v.value.inlineContent !== undefined) {
        this.#finish({ header: v.value, from, chunks: [v.value.inlineContent] });
        return;
      }
      this.#open.set(v.value.streamId, { header: v.value, from, chunks: [] });
    } else if (v.case === 'streamChunk') {
      this.#open.get(v.value.streamId)?.chunks.push(v.value.content);
    } else if (v.case === 'streamTrailer') {
      const s = this.#open.get(v.value.streamId);
      if (!s) return;
      this.#open.delete(v.value.streamId);
      this.#finish(s);
    }
  }

  #finish(s: OpenStream): void {
    let bytes = Buffer.concat(s.chunks);
    if (s.header.compression === DataStream_CompressionType.DEFLATE_RAW) {
      bytes = inflateRawSync(bytes);
    }
    this.#onText({
      streamId: s.header.streamId,
      topic: s.header.topic,
      from: s.from,
      text: bytes.toString('utf8'),
      attributes: { ...s.header.attributes },
    });
  }
}
