import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The `espeak-ng` npm package: eSpeak NG's command line compiled to WASM (Emscripten).
 * This module runs it on the thread that imports it; voxagent imports it only from the
 * espeak worker (`espeak-worker.ts`), because the work below blocks for hundreds of ms.
 *
 * What costs: `callMain` is not exported and the C `main()` keeps global state (getopt,
 * voices), so each utterance needs a fresh module instance. Compiling the 18 MB WASM is
 * cached; *instantiating* it (memory with 18 MB of embedded voice data, the JS FS over it)
 * takes 0.2–1 s of CPU here, while `main()` itself takes 20–100 ms. So the engine creates
 * instances with `noInitialRun` ahead of time (one spare, made right after each use) and
 * calls the exported `_main` itself when a text arrives: the instantiation is off the
 * critical path, and time to first audio is about one `main()`.
 */

interface EspeakFS {
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: string): void;
}

interface EspeakModule {
  readonly FS: EspeakFS;
  /** `__main_argc_argv`; throws the ExitStatus when the C code calls `exit()`. */
  _main(argc: number, argv: number): number;
}

type WasmModule = object;

/** The raw exports of the instance (not the Emscripten wrappers): what building argv needs. */
interface RawExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  stackAlloc(size: number): number;
}

type WasmInstance = { readonly exports: RawExports };

interface EspeakModuleOptions {
  noInitialRun: boolean;
  instantiateWasm(
    imports: object,
    receive: (instance: WasmInstance, module: WasmModule) => void,
  ): object;
  print(text: string): void;
  printErr(text: string): void;
  /** Emscripten's default sets `process.exitCode` on exit(); this one only throws. */
  quit(status: number, toThrow: unknown): never;
}

type EspeakFactory = (options: EspeakModuleOptions) => Promise<EspeakModule>;

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

/** One instance whose `main()` has not run yet, and where its output lines go. */
interface Prepared {
  readonly module: EspeakModule;
  readonly exports: RawExports;
  readonly messages: string[];
}

async function load(): Promise<Loaded> {
  const script = createRequire(import.meta.url).resolve('espeak-ng');
  const url = pathToFileURL(script).href;
  const [imported, bytes] = await Promise.all([
    import(url) as Promise<{ default: EspeakFactory }>,
    readFile(join(dirname(script), 'espeak-ng.wasm')),
  ]);
  return { factory: imported.default, wasm: await wasmApi.compile(bytes) };
}

async function instantiate({ factory, wasm }: Loaded): Promise<Prepared> {
  const messages: string[] = [];
  let exports: RawExports | undefined;
  const module = await factory({
    noInitialRun: true,
    instantiateWasm(imports, receive) {
      const created = new wasmApi.Instance(wasm, imports);
      exports = created.exports;
      receive(created, wasm);
      return created.exports;
    },
    print: (line) => messages.push(line),
    // Emscripten's own note about exit() with a live runtime is noise here.
    printErr: (line) => {
      if (!line.includes('keepRuntimeAlive')) messages.push(line);
    },
    quit: (_status, toThrow) => {
      throw toThrow;
    },
  });
  if (!exports) throw new Error('espeak-ng: the WASM instance was not created');
  return { module, exports, messages };
}

/** Writes `args` as a NUL-terminated argv on the instance's stack; returns its address. */
function writeArgv(exports: RawExports, args: readonly string[]): number {
  const encoder = new TextEncoder();
  const pointers = args.map((arg) => {
    const bytes = encoder.encode(`${arg}\0`);
    const at = exports.stackAlloc(bytes.length);
    new Uint8Array(exports.memory.buffer).set(bytes, at);
    return at;
  });
  const argv = exports.stackAlloc((pointers.length + 1) * 4);
  const view = new DataView(exports.memory.buffer);
  [...pointers, 0].forEach((at, i) => {
    view.setUint32(argv + i * 4, at, true);
  });
  return argv;
}

/** espeak-ng in this thread, with one instance prepared ahead of each utterance. */
export class EspeakEngine {
  readonly #loaded: Loaded;
  #spare: Promise<Prepared> | null = null;

  private constructor(loaded: Loaded) {
    this.#loaded = loaded;
  }

  /** Loads and compiles espeak-ng. */
  static async load(): Promise<EspeakEngine> {
    return new EspeakEngine(await load());
  }

  /** Starts preparing the next instance unless one is ready or on its way. */
  prepare(): Promise<void> {
    if (!this.#spare) {
      const spare = instantiate(this.#loaded);
      this.#spare = spare;
      // A failed instance is not kept: the next utterance tries a fresh one.
      spare.catch(() => {
        if (this.#spare === spare) this.#spare = null;
      });
    }
    return this.#spare.then(() => {});
  }

  /**
   * Runs `espeak-ng <args> -w /out.wav -f /in.txt` and returns the WAV bytes. The text goes
   * through a file so that text starting with `-` is never read as an option.
   */
  async render(text: string, args: readonly string[]): Promise<Uint8Array> {
    const spare = this.#spare ?? instantiate(this.#loaded);
    this.#spare = null;
    const { module, exports, messages } = await spare;
    const said = () => (messages.length ? `: ${messages.join(' ').trim()}` : '');
    module.FS.writeFile('/in.txt', text);
    const argv = ['espeak-ng', ...args, '-w', '/out.wav', '-f', '/in.txt'];
    let status: number;
    try {
      status = module._main(argv.length, writeArgv(exports, argv));
    } catch (error) {
      // exit() from C arrives as Emscripten's ExitStatus; anything else is a crash.
      const exit = (error as { status?: unknown }).status;
      status = typeof exit === 'number' ? exit : -1;
      if (status === -1 && !messages.length) messages.push(String(error).split('\n')[0] ?? '');
    }
    if (status !== 0) throw new Error(`espeak-ng failed${said()}`);
    try {
      return module.FS.readFile('/out.wav');
    } catch {
      throw new Error(`espeak-ng wrote no audio${said()}`);
    }
  }
}
