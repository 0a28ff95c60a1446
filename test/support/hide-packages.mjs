/**
 * `node --import ./test/support/hide-packages.mjs …` (or in NODE_OPTIONS, which reaches child
 * processes too): the packages named in VOXAGENT_HIDE_PACKAGES (comma-separated) cannot be
 * found, exactly as when they are not installed. The repo's own install has every optional
 * package, so this is how tests see what a user without them sees.
 */
import { register } from 'node:module';

const hidden = (process.env.VOXAGENT_HIDE_PACKAGES ?? '').split(',').filter(Boolean);
if (hidden.length > 0) {
  register('./hide-packages-hooks.mjs', { parentURL: import.meta.url, data: { hidden } });
}
