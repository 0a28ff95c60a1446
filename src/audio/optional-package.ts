/**
 * Packages voxagent can use but does not install by default (they are big or compile native
 * code): naudiodon for the microphone and speakers, onnxruntime-web and @ricky0123/vad-web
 * for Silero VAD. They are optional peer dependencies, imported only when needed; when one
 * is missing the caller gets a one-line error that names it and the command that adds it.
 */

/** What each optional package is for, and the command that adds it. */
export const OPTIONAL_PACKAGES = {
  naudiodon: {
    adds: 'the microphone and speakers',
    install: 'npm install naudiodon',
    note: 'it compiles with node-gyp and needs a C++ toolchain',
  },
  'onnxruntime-web': {
    adds: 'Silero VAD',
    install: 'npm install onnxruntime-web @ricky0123/vad-web',
    note: 'about 155 MB',
  },
  '@ricky0123/vad-web': {
    adds: 'Silero VAD (its model file)',
    install: 'npm install onnxruntime-web @ricky0123/vad-web',
    note: 'about 155 MB',
  },
} as const;

export type OptionalPackage = keyof typeof OPTIONAL_PACKAGES;

/** An optional package is not installed (or cannot be found from voxagent's folder). */
export class MissingPackageError extends Error {
  override readonly name = 'MissingPackageError';
  readonly packageName: OptionalPackage;

  constructor(packageName: OptionalPackage) {
    const info = OPTIONAL_PACKAGES[packageName];
    super(`${packageName} is not installed: \`${info.install}\` adds ${info.adds}; ${info.note}`);
    this.packageName = packageName;
  }
}

/** Whether `error` says that `specifier` itself could not be found (not one of its imports). */
export function isNotFound(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = error instanceof Error ? error.message : '';
  return message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`);
}

/**
 * Imports an optional package. Missing: a MissingPackageError. Present but failing to load
 * (e.g. a native addon that did not build): an Error saying so, with the first line of why.
 */
export async function importOptional<T>(
  packageName: OptionalPackage,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isNotFound(error, packageName)) throw new MissingPackageError(packageName);
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
    throw new Error(
      `${packageName} is installed but failed to load (${why}); reinstall it with \`${OPTIONAL_PACKAGES[packageName].install}\``,
    );
  }
}
