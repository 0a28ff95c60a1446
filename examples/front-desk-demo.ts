/**
 * A small rule-based model for the front-desk example, so its whole flow (tool → filler →
 * task → result) can be walked through by typing, with no API key and no network.
 */
import type { LLM, LLMRequest } from 'voxagent';
import { FakeLLM, type FakeLLMResponse } from 'voxagent/testing';

const lastOf = (request: LLMRequest, role: 'user' | 'tool') =>
  [...request.messages].reverse().find((m) => m.role === role)?.content ?? '';

function frontDesk(request: LLMRequest): FakeLLMResponse {
  const last = request.messages[request.messages.length - 1];
  if (last?.role === 'tool') {
    return {
      text: `Here is what I found. ${last.content} Anything else?`,
      ttftMs: 350,
      durationMs: 900,
    };
  }
  const said = last?.role === 'user' ? last.content : '';
  if (/program|class|course|activit/i.test(said)) {
    return {
      text: 'Sure, let me check our programs.',
      toolCalls: [{ name: 'get_programs' }],
      ttftMs: 400,
      durationMs: 700,
    };
  }
  return {
    text: 'Hi, this is the gaming club front desk. Ask me about our programs for your child.',
    ttftMs: 300,
    durationMs: 900,
  };
}

function collectAgeGender(request: LLMRequest): FakeLLMResponse {
  const said = lastOf(request, 'user');
  if (/never ?mind|cancel|no thanks|stop/i.test(said)) {
    return {
      toolCalls: [{ name: 'cancel_task', arguments: { reason: 'the user declined' } }],
      ttftMs: 250,
    };
  }
  const age = said.match(/\b(\d{1,2})\b/)?.[1];
  const gender = /\b(boy|male|son)\b/i.test(said)
    ? 'male'
    : /\b(girl|female|daughter)\b/i.test(said)
      ? 'female'
      : /\bother\b/i.test(said)
        ? 'other'
        : undefined;
  if (age && gender) {
    return {
      toolCalls: [{ name: 'record_child_profile', arguments: { age: Number(age), gender } }],
      ttftMs: 250,
    };
  }
  const missing = age
    ? 'Is your child a boy or a girl?'
    : gender
      ? 'How old is your child?'
      : 'How old is your child, and is it a boy or a girl?';
  return { text: missing, ttftMs: 300, durationMs: 600 };
}

export function frontDeskDemoLLM(): LLM {
  return new FakeLLM({
    label: 'demo (scripted, offline)',
    respond: (request) =>
      request.agent === 'CollectAgeGender' ? collectAgeGender(request) : frontDesk(request),
  });
}
