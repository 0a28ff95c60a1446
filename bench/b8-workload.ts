/**
 * The workload of B8 (bench/b8-child.ts): a model that streams fast, short sentences with a
 * tool call per turn, and a terminal that throws the console's output away.
 */
import { Writable } from 'node:stream';
import type { LLM, LLMChunk, LLMRequest, ModelCallContext } from '../src/index.js';

export const TURN_EVERY_MS = 1000;
/** The model streams two tokens (words) every 10 ms: ~200 a second, far ahead of speech. */
const TOKEN_MS = 10;
const TOKENS_PER_TICK = 2;
/** Sentences per answer: more than a second of speech, so every turn is interrupted. */
const SENTENCES = 40;
/** 20 ms frames per sentence: 200 ms of speech each. */
export const FRAMES_PER_SENTENCE = 10;

/**
 * A model that streams word by word on the real clock: to a user turn, a short preamble and
 * a tool call; to the tool's result, SENTENCES short sentences.
 */
export class ChattyLLM implements LLM {
  readonly label = 'chatty-llm';
  #calls = 0;

  async *chat(request: LLMRequest, ctx: ModelCallContext): AsyncIterable<LLMChunk> {
    const afterTool = request.messages.at(-1)?.role === 'tool';
    const sentences = afterTool
      ? Array.from({ length: SENTENCES }, (_, i) => `Here is short sentence number ${i + 1}.`)
      : ['Let me look that up.'];
    const words = sentences.join(' ').split(' ');
    for (let i = 0; i < words.length; i++) {
      if (i % TOKENS_PER_TICK === 0) await ctx.clock.sleep(TOKEN_MS, ctx.signal);
      yield { type: 'text', delta: `${words[i]} ` };
    }
    if (!afterTool) {
      const id = `call_${++this.#calls}`;
      yield { type: 'tool_call', call: { id, name: 'lookup', arguments: '{"query":"x"}' } };
    }
    yield { type: 'usage', promptTokens: 100, completionTokens: 50 };
  }
}

/** A terminal that throws what it is given away (and counts it). */
export class NullTerminal extends Writable {
  readonly isTTY = true;
  columns = 120;
  rows = 50;
  writes = 0;
  bytes = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.writes++;
    this.bytes += chunk.length;
    done();
  }
}
