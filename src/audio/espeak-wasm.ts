import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The `espeak-ng` npm package: eSpeak NG's command line compiled to WASM (Emscripten).
 * Every call of its factory runs `main()` once with the given arguments, so one utterance
 * needs one module instance. Compiling the 18 MB WASM is what costs, so the compiled
 * module is cached and each instance is created from it (about 0.1 s per call here,
 * mostly espeak's own start-up; the synthesis itself is fast).
 */

interface EspeakFS {
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: string): void;
}

interface EspeakInstance {
  readonly FS: EspeakFS;
}

type WasmModule = object;
type WasmInstance = { readonly exports: object };

interface EspeakModuleOptions {
  arguments: string[];
  preRun: Array<(module: EspeakInstance) => void>;
  instantiateWasm(
    imports: object,
    receive: (instance: WasmInstance, module: WasmModule) => void,
  ): object;
  print(text: string): void;
  printErr(text: string): void;
}

type EspeakFactory = (options: EspeakModuleOptions) => Promise<EspeakInstance>;

/** lib.dom is not in this project's libs, so the two WebAssembly members used are typed here. */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Loaded {
  readonly factory: EspeakFactory;
  readonly wasm: WasmModule;
}

let loading: Promise<Loaded> | null = null;

function load(): Promise<Loaded> {
  loading ??= (async () => {
    const script = createRequire(import.meta.url).resolve('espeak-ng');
    const url = pathToFileURL(script).href;
    const [imported, bytes] = await Promise.all([
      import(url) as Promise<{ default: EspeakFactory }>,
      readFile(join(dirname(script), 'espeak-ng.wasm')),
    ]);
    return { factory: imported.default, wasm: await wasmApi.compile(bytes) };
  })();
  // A failed load may be retried by the next call.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** Loads and compiles espeak-ng ahead of the first utterance. */
export async function preloadEspeak(): Promise<void> {
  await load();
}

/**
 * Runs `espeak-ng <args> -w out.wav -f in.txt` and returns the WAV bytes. The text goes
 * through a file so that text starting with `-` is never read as an option.
 */
export async function espeakToWav(text: string, args: readonly string[]): Promise<Uint8Array> {
  const { factory, wasm } = await load();
  const messages: string[] = [];
  const said = () => (messages.length ? `: ${messages.join(' ').trim()}` : '');
  let instance: EspeakInstance;
  try {
    instance = await factory({
      arguments: [...args, '-w', '/out.wav', '-f', '/in.txt'],
      preRun: [(module) => module.FS.writeFile('/in.txt', text)],
      instantiateWasm(imports, receive) {
        const created = new wasmApi.Instance(wasm, imports);
        receive(created, wasm);
        return created.exports;
      },
      print: (line) => messages.push(line),
      // Emscripten's own note about exit() with a live runtime is noise here.
      printErr: (line) => {
        if (!line.includes('keepRuntimeAlive')) messages.push(line);
      },
    });
  } catch (error) {
    // main() exiting non-zero rejects the factory, often with a plain string.
    throw new Error(`espeak-ng failed${said() || `: ${String(error).split('\n')[0]}`}`);
  }
  try {
    return instance.FS.readFile('/out.wav');
  } catch {
    throw new Error(`espeak-ng wrote no audio${said()}`);
  }
}
