import { z } from 'zod';

/**
 * The server messages the plugins act on, checked at the boundary. Unknown message types
 * pass as `unknown` (Deepgram adds types over time); a known type with the wrong shape, or
 * text that is not JSON, is a protocol error.
 */
const Results = z.object({
  type: z.literal('Results'),
  start: z.number(),
  duration: z.number(),
  is_final: z.boolean().optional(),
  speech_final: z.boolean().optional(),
  from_finalize: z.boolean().optional(),
  channel: z.object({
    alternatives: z.array(z.object({ transcript: z.string() })),
  }),
});

const UtteranceEnd = z.object({ type: z.literal('UtteranceEnd'), last_word_end: z.number() });
const SpeechStarted = z.object({ type: z.literal('SpeechStarted'), timestamp: z.number() });
const Metadata = z.object({ type: z.literal('Metadata') });
const Flushed = z.object({ type: z.literal('Flushed'), sequence_id: z.number().optional() });
const Cleared = z.object({ type: z.literal('Cleared') });
const Warning = z.object({
  type: z.literal('Warning'),
  description: z.string().optional(),
  code: z.string().optional(),
});
const ErrorMessage = z.object({
  type: z.literal('Error'),
  description: z.string().optional(),
  message: z.string().optional(),
  err_msg: z.string().optional(),
});

const ServerMessage = z.discriminatedUnion('type', [
  Results,
  UtteranceEnd,
  SpeechStarted,
  Metadata,
  Flushed,
  Cleared,
  Warning,
  ErrorMessage,
]);

export type ServerMessage = z.infer<typeof ServerMessage>;
export type ResultsMessage = z.infer<typeof Results>;

const KNOWN_TYPES: ReadonlySet<string> = new Set(
  ServerMessage.options.map((option) => option.shape.type.value),
);

export type Parsed =
  | { readonly kind: 'message'; readonly message: ServerMessage }
  | { readonly kind: 'audio'; readonly blob: Blob }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'malformed'; readonly what: string };

/** What the SDK delivered: a parsed JSON object, a raw string it could not parse, or a Blob. */
export function parseServerMessage(data: unknown): Parsed {
  if (data instanceof Blob) return { kind: 'audio', blob: data };
  if (typeof data === 'string') return { kind: 'malformed', what: 'a message that is not JSON' };
  if (typeof data !== 'object' || data === null) {
    return { kind: 'malformed', what: 'a message that is not an object' };
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return { kind: 'unknown' };
  const parsed = ServerMessage.safeParse(data);
  if (!parsed.success) return { kind: 'malformed', what: `a ${type} message of the wrong shape` };
  return { kind: 'message', message: parsed.data };
}
