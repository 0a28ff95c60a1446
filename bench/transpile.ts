import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { ROOT } from './child.js';

/**
 * The runtime package as plain JavaScript, the way `npm run build` emits it, in a temp
 * folder: every file reachable from src/index.ts, transpiled one by one (no type check),
 * with node_modules linked. Start-up and footprint figures import this, so they measure
 * the runtime and not a TypeScript loader.
 */
export function transpileRuntime(): { dir: string; entry: string } {
  const dir = join(tmpdir(), 'voxagent-bench-dist');
  rmSync(dir, { recursive: true, force: true });
  const seen = new Set<string>();
  const queue = [join(ROOT, 'src/index.ts')];
  const specifier = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        jsx: ts.JsxEmit.ReactJSX,
      },
    });
    const target = join(dir, relative(ROOT, file)).replace(/\.tsx?$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
    for (const m of source.matchAll(specifier)) {
      const base = resolve(dirname(file), m[1]!).replace(/\.js$/, '');
      const found = [`${base}.ts`, `${base}.tsx`].find((f) => existsSync(f));
      if (found) queue.push(found);
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  return { dir, entry: join(dir, 'src/index.js') };
}
