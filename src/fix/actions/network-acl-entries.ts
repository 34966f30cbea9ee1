/**
 * Network ACL entries: CreateNetworkAclEntry (ALLOW) with a free rule number below the deny that matches; the undo
 * re-reads the entry (same owner, same rule at that number) and deletes it.
 */
import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  type EC2Client,
  type NetworkAclEntry,
} from '@aws-sdk/client-ec2';
import type { FixPlan } from '../../model/index.js';
import { cidrCovers, cidrsOverlap, isCidr } from '../../net/ip.js';
import { isAwsCode } from '../aws.js';
import type { UndoChange } from '../undo.js';
import type { Applies, Call, Check, Exec, Outcome, UndoSpecs, VerifyContext } from './shared.js';
import { already, asLeft, changed, gone, ownerCheck, refused, wouldApply } from './shared.js';

type NaclPlan = Extract<FixPlan, { action: 'CreateNetworkAclEntry' }>['params'];

const PROTOCOL_NUMBER = { icmp: '1', tcp: '6', udp: '17' } as const;

/** The NACL protocol number of the plan: ICMP for IPv6 is ICMPv6 (58). */
function naclProtocol(p: NaclPlan): string {
  return p.protocol === 'icmp' && p.cidrBlock.includes(':') ? '58' : PROTOCOL_NUMBER[p.protocol];
}

function rangeCovers(outer: [number, number], inner: [number, number]): boolean {
  return outer[0] <= inner[0] && inner[1] <= outer[1];
}
function rangesOverlap(a: [number, number], b: [number, number]): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}
const icmpCovers = (e: number, p: number) => e === -1 || e === p;
const icmpOverlaps = (e: number, p: number) => e === -1 || p === -1 || e === p;

/** How an existing entry relates to the traffic the plan allows: covers it all, touches part of it, or neither. */
function relation(e: NetworkAclEntry, p: NaclPlan): 'covers' | 'overlaps' | 'none' {
  const range = e.CidrBlock ?? e.Ipv6CidrBlock;
  if (!range || range.includes(':') !== p.cidrBlock.includes(':') || !cidrsOverlap(range, p.cidrBlock)) return 'none';
  const cidrFull = cidrCovers(range, p.cidrBlock);
  if (e.Protocol === '-1') return cidrFull ? 'covers' : 'overlaps';
  if (e.Protocol !== naclProtocol(p)) return 'none';
  if (p.protocol === 'icmp') {
    const want = p.icmpTypeCode ?? { type: -1, code: -1 };
    const have = { type: e.IcmpTypeCode?.Type ?? -1, code: e.IcmpTypeCode?.Code ?? -1 };
    if (!icmpOverlaps(have.type, want.type) || !icmpOverlaps(have.code, want.code)) return 'none';
    return cidrFull && icmpCovers(have.type, want.type) && icmpCovers(have.code, want.code) ? 'covers' : 'overlaps';
  }
  const want: [number, number] = p.portRange ? [p.portRange.from, p.portRange.to] : [0, 65535];
  const have: [number, number] = [e.PortRange?.From ?? 0, e.PortRange?.To ?? 65535];
  if (!rangesOverlap(have, want)) return 'none';
  return cidrFull && rangeCovers(have, want) ? 'covers' : 'overlaps';
}

function describeEntry(p: NaclPlan, n: number): string {
  const what =
    p.protocol === 'icmp'
      ? `ICMP ${p.icmpTypeCode ? `type ${p.icmpTypeCode.type} code ${p.icmpTypeCode.code}` : 'ALL'}`
      : `${p.protocol.toUpperCase()} ${p.portRange ? `${p.portRange.from}-${p.portRange.to}` : 'ALL'}`;
  return `${p.egress ? 'outbound' : 'inbound'} ${n} ${what} ${p.cidrBlock} ALLOW on ${p.networkAclId}`;
}

/**
 * CreateNetworkAclEntry with the plan's rule number; when that number is now taken (or no longer below the deny that
 * matches), re-read the NACL and take the highest free number below that deny.
 */
async function naclEntry(x: Exec, p: NaclPlan): Promise<Outcome> {
  if (!isCidr(p.cidrBlock)) return refused(`The plan's CIDR ${p.cidrBlock} is not valid.`);
  for (let attempt = 0; attempt < 2; attempt++) {
    const out = await x.log.read('ec2:DescribeNetworkAcls', () =>
      x.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [p.networkAclId] })),
    );
    const acl = out.NetworkAcls?.find((a) => a.NetworkAclId === p.networkAclId);
    if (!acl) return refused(`Network ACL ${p.networkAclId} no longer exists; diagnose again.`);
    const entries = (acl.Entries ?? [])
      .filter((e) => Boolean(e.Egress) === p.egress)
      .sort((a, b) => (a.RuleNumber ?? 0) - (b.RuleNumber ?? 0));
    let deny: NetworkAclEntry | undefined;
    for (const e of entries) {
      const r = relation(e, p);
      if (r === 'none') continue;
      if (e.RuleAction === 'allow' && r === 'covers') {
        return already(`Entry ${e.RuleNumber} of ${p.networkAclId} already allows this traffic.`);
      }
      if (e.RuleAction === 'deny') {
        deny = e;
        break;
      }
    }
    const limit = deny?.RuleNumber ?? 32767;
    const taken = new Set(entries.map((e) => e.RuleNumber));
    let ruleNumber = p.ruleNumber;
    if (taken.has(ruleNumber) || ruleNumber >= limit) {
      ruleNumber = 0;
      for (let n = Math.min(limit - 1, 32766); n >= 1; n--) {
        if (!taken.has(n)) {
          ruleNumber = n;
          break;
        }
      }
      if (ruleNumber === 0) return refused(`No free rule number below deny entry ${limit} in ${p.networkAclId}.`);
    }
    const input = {
      NetworkAclId: p.networkAclId,
      RuleNumber: ruleNumber,
      Egress: p.egress,
      Protocol: naclProtocol(p),
      RuleAction: 'allow' as const,
      ...(p.cidrBlock.includes(':') ? { Ipv6CidrBlock: p.cidrBlock } : { CidrBlock: p.cidrBlock }),
      ...(p.protocol === 'icmp'
        ? { IcmpTypeCode: { Type: p.icmpTypeCode?.type ?? -1, Code: p.icmpTypeCode?.code ?? -1 } }
        : { PortRange: { From: p.portRange?.from ?? 0, To: p.portRange?.to ?? 65535 } }),
    };
    const text = describeEntry(p, ruleNumber);
    const moved = ruleNumber !== p.ruleNumber ? ` (rule ${p.ruleNumber} was taken or not ahead of the deny)` : '';
    try {
      await x.log.dryRun('ec2:CreateNetworkAclEntry', () =>
        x.ec2.send(new CreateNetworkAclEntryCommand({ ...input, DryRun: true })),
      );
      if (x.dryOnly) return wouldApply(`add ${text}${moved}`);
      await x.log.write('ec2:CreateNetworkAclEntry', () => x.ec2.send(new CreateNetworkAclEntryCommand(input)));
    } catch (e) {
      // The number was taken between our read and our write (another run, a colleague): read again and decide again;
      // an entry that now allows the traffic is "already in place".
      if (isAwsCode(e, 'NetworkAclEntryAlreadyExists') && attempt === 0) continue;
      throw e;
    }
    return {
      status: 'applied',
      message: `Added ${text}${moved}.`,
      undo: [
        {
          kind: 'nacl-entry',
          networkAclId: p.networkAclId,
          egress: p.egress,
          ruleNumber,
          protocol: input.Protocol,
          cidrBlock: p.cidrBlock,
          ...(p.protocol === 'icmp'
            ? { icmpTypeCode: { type: p.icmpTypeCode?.type ?? -1, code: p.icmpTypeCode?.code ?? -1 } }
            : { portRange: { from: p.portRange?.from ?? 0, to: p.portRange?.to ?? 65535 } }),
        },
      ],
    };
  }
  return refused(`Rule numbers of ${p.networkAclId} keep changing under us; diagnose again.`);
}

/** An ALLOW entry ahead of the deny that blocks. */
export const networkAclApplies: Applies<'CreateNetworkAclEntry'> = {
  CreateNetworkAclEntry: naclEntry,
};

// ---------------------------------------------------------------- undo

type EntryChange = Extract<UndoChange, { kind: 'nacl-entry' }>;

/** The entry at whyping's rule number is still the ALLOW whyping added, in a NACL of the same account. */
async function verifyEntry({ ec2, log, step }: VerifyContext, c: EntryChange): Promise<Check> {
  const out = await log.read('ec2:DescribeNetworkAcls', () =>
    ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [c.networkAclId] })),
  );
  const acl = out.NetworkAcls?.find((x) => x.NetworkAclId === c.networkAclId);
  if (!acl) return gone(`network ACL ${c.networkAclId} is deleted`);
  const owner = ownerCheck(acl.OwnerId, step, `network ACL ${c.networkAclId}`);
  if (owner) return owner;
  const e = acl.Entries?.find((x) => Boolean(x.Egress) === c.egress && x.RuleNumber === c.ruleNumber);
  if (!e) return gone(`entry ${c.ruleNumber} is deleted`);
  const same =
    e.RuleAction === 'allow' &&
    e.Protocol === c.protocol &&
    (e.CidrBlock ?? e.Ipv6CidrBlock) === c.cidrBlock &&
    (c.portRange ? e.PortRange?.From === c.portRange.from && e.PortRange?.To === c.portRange.to : true) &&
    (c.icmpTypeCode
      ? e.IcmpTypeCode?.Type === c.icmpTypeCode.type && e.IcmpTypeCode?.Code === c.icmpTypeCode.code
      : true);
  return same ? asLeft : changed(`entry ${c.ruleNumber} of ${c.networkAclId} now holds a different rule`);
}

function deleteEntry(ec2: EC2Client, c: EntryChange): Call[] {
  return [
    {
      action: 'ec2:DeleteNetworkAclEntry',
      text: `deleted ${c.egress ? 'outbound' : 'inbound'} entry ${c.ruleNumber} of ${c.networkAclId}`,
      send: (dry) =>
        ec2.send(
          new DeleteNetworkAclEntryCommand({
            NetworkAclId: c.networkAclId,
            RuleNumber: c.ruleNumber,
            Egress: c.egress,
            DryRun: dry,
          }),
        ),
    },
  ];
}

/** Undoing an entry whyping added: delete it by its rule number. */
export const networkAclUndos: UndoSpecs<'nacl-entry'> = {
  'nacl-entry': {
    describe: (c) => {
      return `delete ${c.egress ? 'outbound' : 'inbound'} entry ${c.ruleNumber} (${c.cidrBlock} ALLOW) of ${c.networkAclId}`;
    },
    owner: (snapshot, c) => snapshot.networkAcls.get(c.networkAclId as never)?.accountId,
    verify: verifyEntry,
    calls: deleteEntry,
  },
};
