/**
 * The history's incremental views (the flat list and the model's messages) must always equal
 * what a full rebuild gives, whatever order items arrive in: reserved places filled late,
 * calls answered later, items revised in place.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from 'voxagent/testing';
import { IdGenerator } from '../../src/runtime/core/ids.js';
import { EventBus } from '../../src/runtime/events/emitter.js';
import { toLLMMessages } from '../../src/runtime/history/chat-history.js';
import { type HistorySlot, HistoryStore } from '../../src/runtime/history/history-store.js';

type Op =
  | { op: 'message'; role: 'user' | 'assistant' }
  | { op: 'reserve' }
  | { op: 'fill'; slot: number; what: 'message' | 'call' | 'output' }
  | { op: 'close'; slot: number }
  | { op: 'call' }
  | { op: 'output'; call: number }
  | { op: 'revise'; item: number }
  | { op: 'view' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('message' as const),
    role: fc.constantFrom('user' as const, 'assistant' as const),
  }),
  fc.constant({ op: 'reserve' as const }),
  fc.record({
    op: fc.constant('fill' as const),
    slot: fc.nat(20),
    what: fc.constantFrom('message' as const, 'call' as const, 'output' as const),
  }),
  fc.record({ op: fc.constant('close' as const), slot: fc.nat(20) }),
  fc.constant({ op: 'call' as const }),
  fc.record({ op: fc.constant('output' as const), call: fc.nat(20) }),
  fc.record({ op: fc.constant('revise' as const), item: fc.nat(40) }),
  fc.constant({ op: 'view' as const }),
);

describe('the history views', () => {
  it('equal a full rebuild after any sequence of additions, late fills and revisions', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const clock = new VirtualClock({ autoAdvance: false });
        const history = new HistoryStore(clock, new IdGenerator(), new EventBus(clock));
        const slots: HistorySlot[] = [];
        const calls: string[] = [];
        let n = 0;
        const call = (place: { add: HistorySlot['add'] }) => {
          const callId = `c${++n}`;
          calls.push(callId);
          place.add({ type: 'function_call', callId, name: 't', arguments: '{}' });
        };
        const output = (place: { add: HistorySlot['add'] }, i: number) => {
          const callId = calls[i % Math.max(1, calls.length)];
          if (!callId) return;
          place.add({
            type: 'function_call_output',
            callId,
            name: 't',
            output: `out ${++n}`,
            isError: false,
            interrupted: false,
          });
        };
        for (const op of ops) {
          if (op.op === 'message') {
            history.add({ type: 'message', role: op.role, text: `m${++n}`, interrupted: false });
          } else if (op.op === 'reserve') slots.push(history.reserve());
          else if (op.op === 'fill') {
            const slot = slots[op.slot % Math.max(1, slots.length)];
            if (!slot) continue;
            if (op.what === 'message') {
              slot.add({ type: 'message', role: 'assistant', text: `s${++n}`, interrupted: false });
            } else if (op.what === 'call') call(slot);
            else output(slot, op.slot);
          } else if (op.op === 'close') slots[op.slot % Math.max(1, slots.length)]?.close();
          else if (op.op === 'call') call(history);
          else if (op.op === 'output') output(history, op.call);
          else if (op.op === 'revise') {
            const item = history.items[op.item % Math.max(1, history.items.length)];
            if (item) history.reviseText(item.id, `r${++n}`);
          } else {
            expect(history.llmMessages('sys')).toEqual(toLLMMessages('sys', history.items));
          }
        }
        expect(history.llmMessages('sys')).toEqual(toLLMMessages('sys', history.items));
        expect(history.items.map((i) => i.id)).toEqual([
          ...new Set(history.items.map((i) => i.id)),
        ]);
      }),
      { numRuns: 500, seed: 20261203 },
    );
  });
});
