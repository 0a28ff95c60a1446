/**
 * The README's example agent, word for word, so the README cannot drift: its code block is
 * type-checked (as a user's editor would, against this repo's `voxagent`), a wrong `demo`
 * export must fail to compile, and the block runs offline through the built CLI in a real
 * terminal (tmux): `voxagent dev agent.ts --text` with no API key, the newsletter flow typed.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TmuxProcess, terminalAvailable } from './tmux.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const missing = terminalAvailable();
if (missing && process.env.CI) throw new Error(`end-to-end tests need: ${missing}`);

/** The README's ```ts block that starts with `// agent.ts`. */
function readmeAgent(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = readme.match(/```ts\n(\/\/ agent\.ts[\s\S]*?)```/);
  if (!block?.[1]) throw new Error('README.md has no ```ts block starting with // agent.ts');
  return block[1];
}

const dir = join(root, 'test', 'e2e', `.tmp-readme-${process.pid}`);
const source = readmeAgent();

beforeAll(() => mkdirSync(dir, { recursive: true }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Type errors of `files` (name → source), compiled with the repo's tsconfig (voxagent → src). */
function typeErrors(files: Record<string, string>): Map<string, string[]> {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const paths = Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
  const program = ts.createProgram(paths, { ...parsed.options, noEmit: true });
  const errors = new Map<string, string[]>();
  for (const path of paths) {
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(path));
    errors.set(
      path.slice(dir.length + 1),
      diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    );
  }
  return errors;
}

describe("the README's example agent", () => {
  it('type-checks as written, and a wrong demo export does not', () => {
    const wrong = source.replace(
      /llm: \(\) => new FakeLLM\(/,
      'llm: new FakeLLM(', // a model where a factory belongs
    );
    const misspelt = source.replace(/llm: \(\) => new FakeLLM\(/, 'lm: () => new FakeLLM(');
    expect(wrong).not.toBe(source);
    expect(misspelt).not.toBe(source);
    const errors = typeErrors({
      'agent.ts': source,
      'wrong-demo.ts': wrong,
      'misspelt-demo.ts': misspelt,
    });
    expect(errors.get('agent.ts')).toEqual([]);
    expect(errors.get('wrong-demo.ts')?.join('\n')).toMatch(/not assignable to type '\(\) => LLM'/);
    expect(errors.get('misspelt-demo.ts')?.join('\n')).toMatch(
      /'lm' does not exist in type 'AgentDemo'/,
    );
  }, 60_000);

  it.skipIf(missing !== null)(
    'runs offline through the CLI: dev agent.ts, no API key',
    async () => {
      writeFileSync(join(dir, 'agent.ts'), source);
      const env = { OPENAI_API_KEY: '', DEEPGRAM_API_KEY: '' };
      const p = new TmuxProcess(
        `vx-readme-${process.pid}`,
        `node ${join(root, 'bin/voxagent.js')} dev agent.ts --text`,
        dir,
        join(dir, 'exit-code'),
        env,
      );
      try {
        await p.waitFor(
          (s) => s.includes('agent Assistant') && s.includes('scripted demo'),
          20_000,
          'the agent to start on its offline demo model',
        );
        p.typeLine('I want the newsletter');
        await p.waitFor((s) => s.includes('What is your email address?'), 20_000, 'the task');
        p.typeLine('it is ada@example.com');
        const screen = await p.waitFor(
          (s) => s.includes('Done: subscribed ada@example.com.'),
          20_000,
          'the tool result',
        );
        expect(screen).toContain('collect_email({}) ');
        expect(screen).not.toMatch(/no offline demo model|load failed/);
        p.keys('q');
        expect(await p.exitCode(10_000)).toBe(0);
      } finally {
        p.kill();
      }
    },
    90_000,
  );
});
