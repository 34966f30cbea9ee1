/**
 * Who may do what, and where (DESIGN.md §5): WHYPING_FIXERS for fixes and undo, WHYPING_PROBERS for probes (user ids
 * and user groups, groups expanded with usergroups.users.list and cached briefly), WHYPING_CHANNELS for where whyping
 * answers, and Slack Connect channels only when listed. The confirm dialog runs in the client only: this is checked
 * on every click.
 */
import type { WebClient } from '@slack/web-api';
import type { Effect } from '../core/conversation.js';

/** The settings of access control. */
export interface AccessSettings {
  fixers: string[];
  probers: string[];
  channels: string[];
  /** In the sandbox anyone may fix and probe (nothing real changes). */
  sandbox: boolean;
}

/** A refusal in one sentence that names the setting; null when allowed. */
export type Verdict = string | null;

const GROUP_TTL_MS = 60_000;

/** Access checks over a Web API client. */
export class Access {
  private readonly groups = new Map<string, { members: Promise<Set<string>>; until: number }>();
  private readonly shared = new Map<string, { shared: Promise<boolean>; until: number }>();
  constructor(
    private readonly settings: AccessSettings,
    private readonly client: WebClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** May `user` have whyping run `effect`? Investigations (and their history) are open to anyone in an allowed channel. */
  async allows(user: string, effect: Effect): Promise<Verdict> {
    if ((effect.kind === 'investigate' && !effect.probe) || effect.kind === 'history' || effect.kind === 'instances')
      return null;
    if (this.settings.sandbox) return null;
    const probe = effect.kind === 'investigate';
    const list = probe ? this.settings.probers : this.settings.fixers;
    const setting = probe ? 'WHYPING_PROBERS' : 'WHYPING_FIXERS';
    const what = probe
      ? 'run a probe (a command on the instance)'
      : effect.kind === 'undo'
        ? 'undo fixes'
        : 'apply fixes';
    if (await this.member(user, list)) return null;
    return list.length === 0
      ? `Nobody may ${what} here yet: an admin lists Slack user or group ids in ${setting}. Nothing was changed.`
      : `You may not ${what}: your Slack user is not in ${setting} (directly or through a user group). Nothing was changed.`;
  }

  /** May whyping answer in `channel`? `extShared` when the event says so; otherwise asked of Slack (cached). */
  async answersIn(channel: string, extShared?: boolean): Promise<Verdict> {
    const listed = this.settings.channels;
    if (listed.includes(channel)) return null;
    if (listed.length > 0) return 'whyping does not answer in this channel: it is not listed in WHYPING_CHANNELS.';
    const shared = extShared ?? (await this.isShared(channel));
    if (shared) {
      return 'whyping answers in channels shared with other organizations only when they are listed in WHYPING_CHANNELS: network details are not for outsiders.';
    }
    return null;
  }

  private async member(user: string, list: string[]): Promise<boolean> {
    if (list.includes(user)) return true;
    for (const id of list.filter((x) => x.startsWith('S'))) {
      if ((await this.groupMembers(id)).has(user)) return true;
    }
    return false;
  }

  private groupMembers(group: string): Promise<Set<string>> {
    const hit = this.groups.get(group);
    if (hit && hit.until > this.now()) return hit.members;
    const members = this.client.usergroups.users
      .list({ usergroup: group })
      .then((r) => new Set(r.users ?? []))
      .catch(() => {
        this.groups.delete(group); // try again on the next click
        return new Set<string>();
      });
    this.groups.set(group, { members, until: this.now() + GROUP_TTL_MS });
    return members;
  }

  private isShared(channel: string): Promise<boolean> {
    // DMs and group DMs with the bot: not shared with anyone but their members.
    if (channel.startsWith('D')) return Promise.resolve(false);
    const hit = this.shared.get(channel);
    if (hit && hit.until > this.now()) return hit.shared;
    const shared = this.client.conversations
      .info({ channel })
      .then((r) => Boolean(r.channel?.is_ext_shared || r.channel?.is_pending_ext_shared))
      .catch(() => {
        this.shared.delete(channel);
        // Unknown: fail closed, the way a Slack Connect channel would be treated.
        return true;
      });
    this.shared.set(channel, { shared, until: this.now() + 10 * GROUP_TTL_MS });
    return shared;
  }
}
