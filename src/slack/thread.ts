/**
 * The conversation's state lives in Slack, not in the process (DESIGN.md §5): each of whyping's messages in a thread
 * carries the state after it as message metadata, and a follow-up reads the latest one back with
 * conversations.replies. A restart or another replica loses nothing.
 */
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { type ConversationState, NEW_CONVERSATION } from '../core/conversation.js';

/** The metadata event type of whyping's state. */
export const STATE_EVENT = 'whyping_state';

/** The state of one thread: the conversation and the visible verdict message to update. */
export interface ThreadState {
  c: ConversationState;
  /** The message that shows the verdict (updated in place after a fix). */
  verdictTs: string | null;
}

/** A thread with no answer yet. */
export const NEW_THREAD: ThreadState = { c: NEW_CONVERSATION, verdictTs: null };

const query = z.object({
  from: z.string().min(1).max(256),
  to: z.string().min(1).max(256),
  protocol: z.enum(['icmp', 'tcp', 'udp']),
  port: z.number().int().min(1).max(65535).nullable(),
});

const schema = z.object({
  v: z.literal(1),
  c: z.object({
    query: query.nullable(),
    fixes: z
      .array(z.object({ n: z.number().int().min(1), id: z.string().max(200), summary: z.string().max(1000) }))
      .max(200),
    current: z.array(z.string().max(200)).max(200),
    undo: z.array(z.object({ label: z.string().max(3000), tokens: z.array(z.string().max(2000)).max(20) })).max(50),
  }),
  verdictTs: z.string().max(40).nullable(),
});

/** The metadata of a message that carries `state`. */
export function stateMetadata(state: ThreadState): { event_type: string; event_payload: { state: string } } {
  return { event_type: STATE_EVENT, event_payload: { state: JSON.stringify({ v: 1, ...state }) } };
}

/** Reads the state from one message's metadata; null when it carries none (or not a valid one). */
export function stateOf(message: { metadata?: { event_type?: string; event_payload?: unknown } }): ThreadState | null {
  if (message.metadata?.event_type !== STATE_EVENT) return null;
  const raw = (message.metadata.event_payload as { state?: unknown } | undefined)?.state;
  if (typeof raw !== 'string') return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    if (!parsed.success) return null;
    const { c, verdictTs } = parsed.data;
    return { c: c as ConversationState, verdictTs };
  } catch {
    return null;
  }
}

/**
 * The latest state whyping left in a thread (only whyping's own messages count: anyone can post metadata), or a new
 * thread's state.
 */
export async function loadThreadState(
  client: WebClient,
  channel: string,
  threadTs: string,
  botId: string | undefined,
): Promise<ThreadState> {
  let latest: ThreadState | null = null;
  let cursor: string | undefined;
  // Replies come oldest first; a long incident thread spans pages.
  for (let page = 0; page < 10; page++) {
    const r = await client.conversations.replies({
      channel,
      ts: threadTs,
      include_all_metadata: true,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    for (const m of r.messages ?? []) {
      if (botId !== undefined && m.bot_id !== botId) continue;
      const s = stateOf(m as { metadata?: { event_type?: string; event_payload?: unknown } });
      if (s) latest = s;
    }
    cursor = r.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return latest ?? NEW_THREAD;
}
