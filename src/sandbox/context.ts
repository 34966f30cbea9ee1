/** What an operation handler gets: the state, the request id, and an AWS-shaped error thrower. */
import type { SandboxState } from './state.js';

/** The input of a command as the SDK hands it to middleware (the command's typed input, untyped here). */
// biome-ignore lint/suspicious/noExplicitAny: each handler reads the fields of its own command's input
export type Input = Record<string, any>;

/** Per-call context of a handler. */
export interface OpContext {
  state: SandboxState;
  requestId: string;
  /** Throws the service's error with this AWS code and message. */
  fail(code: string, message?: string): never;
}

/** Answers one command from the state (throws AWS-shaped errors through `ctx.fail`). */
export type Handler = (input: Input, ctx: OpContext) => Record<string, unknown>;
