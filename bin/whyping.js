#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx whyping` works on a fresh clone without a build step.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { register } = await import('tsx/esm/api');
register();
await import('../src/main/cli.ts');
