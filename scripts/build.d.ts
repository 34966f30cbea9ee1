/** Types of scripts/build.js (plain JavaScript: `npm run build` runs it with node before anything is compiled). */
import type { BuildOptions } from 'esbuild';

export function esbuildOptions(): BuildOptions;
