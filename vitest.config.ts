import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^voxagent\/testing$/, replacement: here('./src/testing/index.ts') },
      { find: /^voxagent\/openai$/, replacement: here('./plugins/openai/index.ts') },
      { find: /^voxagent\/deepgram$/, replacement: here('./plugins/deepgram/index.ts') },
      { find: /^voxagent$/, replacement: here('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
