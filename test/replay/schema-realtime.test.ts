/**
 * `models.realtime` and `expect.realtime` in session files: what a valid section becomes
 * (the scripted FakeRealtimeModel), and bad sections reported as one line each with
 * file:line:col and the field.
 */
import { describe, expect, it } from 'vitest';
import { buildRealtimeFake } from '../../src/replay/fake-realtime-script.js';
import { formatIssue, parseSessionText, SessionFileError } from '../../src/replay/load.js';

const FILE = 'sessions/realtime-check.yaml';
const HEAD = 'name: x\nagent: ../examples/replay/talker.ts\n';

function issues(body: string): string[] {
  try {
    parseSessionText(HEAD + body, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(SessionFileError);
    expect((err as Error).message).not.toMatch(/\n\s+at /);
    return (err as SessionFileError).issues.map(formatIssue);
  }
  throw new Error('the file was accepted');
}

describe('models.realtime: bad input is one line with file:line:col and the field', () => {
  it.each([
    [
      'a chat model beside it',
      'models:\n  llm:\n    - text: hi\n  realtime:\n    responses:\n      - text: hi\n',
      `${FILE}:5:5: models.llm: a realtime model replaces the chat model: give models.llm or models.realtime, not both (models.tts may stay, for say())`,
    ],
    [
      'expect.requests, which only a chat model feeds',
      'models:\n  realtime:\n    responses:\n      - text: hi\nexpect:\n  requests:\n    - { agent: A }\n',
      `${FILE}:9:5: expect.requests: expect.requests checks the chat model's requests, and models.realtime replaces it: check what the realtime model did with expect.realtime or expect.events`,
    ],
    [
      'a second fallback response',
      'models:\n  realtime:\n    responses:\n      - { fallback: true, text: a }\n      - { fallback: true, text: b }\n',
      `${FILE}:7:21: models.realtime.responses[1].fallback: only one reply can be the fallback, and models.realtime.responses[0] already is`,
    ],
    [
      'a misspelt field of a response',
      'models:\n  realtime:\n    responses:\n      - text: hi\n        firstaudio: 100ms\n',
      `${FILE}:7:9: models.realtime.responses[0].firstaudio: unknown field "firstaudio" (did you mean "firstAudio"?)`,
    ],
    [
      'an audio length that is no duration',
      'models:\n  realtime:\n    responses:\n      - { text: hi, audio: long }\n',
      `${FILE}:6:28: models.realtime.responses[0].audio: expected a duration like 300ms or 1.2s, got "long"`,
    ],
    [
      'a broken regular expression in when',
      'models:\n  realtime:\n    responses:\n      - when: { input: "/(unclosed/" }\n        text: hi\n',
      `${FILE}:6:24: models.realtime.responses[0].when.input: invalid regular expression /(unclosed/: Invalid regular expression: /(unclosed/: Unterminated group`,
    ],
    [
      'a close code out of range',
      'models:\n  realtime:\n    responses:\n      - { text: hi, disconnect: { code: 99 } }\n',
      `${FILE}:6:41: models.realtime.responses[0].disconnect.code: expected a whole number from 1000 to 4999`,
    ],
    [
      'a model that writes, with nothing to speak its text',
      'models:\n  realtime:\n    audioOutput: false\n    responses: []\n',
      `${FILE}:5:18: models.realtime.audioOutput: a realtime model that writes (audioOutput: false) needs models.tts to speak`,
    ],
    [
      'a refused connect without a message',
      'models:\n  realtime:\n    connectFailures:\n      - { status: 401 }\n',
      `${FILE}:6:9: models.realtime.connectFailures[0].message: missing (required): expected string, received undefined`,
    ],
    [
      'a truncation expectation without its position',
      'models:\n  realtime:\n    responses: []\nexpect:\n  realtime:\n    truncations:\n      - { heard: hi }\n',
      `${FILE}:9:9: expect.realtime.truncations[0].audioEnd: missing (required): expected a duration like 300ms or 1.2s`,
    ],
  ])('%s', (_what, body, line) => {
    expect(issues(body)).toEqual([line]);
  });
});

describe('models.realtime: what a valid section scripts', () => {
  it('responses keyed like models.llm, with audio from the text at msPerChar, faults and a fallback', () => {
    const { script } = parseSessionText(
      `${HEAD}models:
  realtime:
    msPerChar: 40
    paced: true
    connectFailures: [{ message: bad key, status: 401 }]
    responses:
      - when: { input: /weather/i, agent: Front, instructions: be brief }
        text: Sunny.
        toolCalls: [{ name: log, arguments: { n: 1 } }]
        firstAudio: 0.3s
      - { when: { toolResult: ok }, text: Done., audio: 2s, repeat: true }
      - { text: cut, error: { message: boom, status: 1011, afterAudio: 100ms } }
      - { text: gone, disconnect: { afterAudio: 50ms, code: 1006, reason: network } }
      - { hang: true }
      - { text: Sorry?, fallback: true }
  tts: { msPerChar: 10 }
`,
      FILE,
    );
    const model = buildRealtimeFake(script.models.realtime, 120_000)!;
    expect(model.options).toMatchObject({
      msPerChar: 40,
      paced: true,
      connectFailures: [{ message: 'bad key', status: 401 }],
      fallback: { text: 'Sorry?', audioMs: 240 },
      responses: [
        {
          when: { input: /weather/i, agent: 'Front', instructions: 'be brief' },
          text: 'Sunny.',
          toolCalls: [{ name: 'log', arguments: { n: 1 } }],
          firstAudioMs: 300,
          audioMs: 240,
        },
        { when: { toolResult: 'ok' }, text: 'Done.', audioMs: 2000, repeat: true },
        {
          text: 'cut',
          audioMs: 120,
          error: { message: 'boom', status: 1011, afterAudioMs: 100 },
        },
        { text: 'gone', disconnect: { afterAudioMs: 50, code: 1006, reason: 'network' } },
        { hang: true, audioMs: 0 },
      ],
    });
    expect(model.options.responses).toHaveLength(5);
    expect(model.capabilities.audioOutput).toBe(true);
  });

  it('no response makes more audio than the run may last', () => {
    const { script } = parseSessionText(
      `${HEAD}models:\n  realtime:\n    responses: [{ text: long, audio: 20h }]\n`,
      FILE,
    );
    const model = buildRealtimeFake(script.models.realtime, 120_000)!;
    expect(model.options.responses?.[0]?.audioMs).toBe(120_000);
  });

  it('a file without the section scripts no realtime model', () => {
    const { script } = parseSessionText(`${HEAD}models:\n  llm: []\n`, FILE);
    expect(buildRealtimeFake(script.models.realtime, 1000)).toBeUndefined();
  });
});
