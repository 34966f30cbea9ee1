/** Types of bin/build-stamp.js (plain JavaScript, because bin/whyping.js needs it before any build). */
export type Runtime = { kind: 'dist' } | { kind: 'none' } | { kind: 'tsx'; reason: string };
export function sourceStamp(root: string): string;
export function stampPath(root: string): string;
export function statKey(root: string): string;
export function statKeyPath(root: string): string;
export function chooseRuntime(root: string): Runtime;
