/**
 * A writable EC2 account at the wire for the fix protocol tests: describe-* calls are answered by the shared fake
 * account (test/support/ec2-wire.ts: filters, id lists, pagination); the writes a fix makes are applied to the same
 * JSON here, with EC2's answers (DryRunOperation, UnauthorizedOperation, InvalidPermission.Duplicate,
 * RouteAlreadyExists), so a re-collection after a fix sees the change.
 */
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import type { RawSnapshotFile } from '../../src/model/index.js';
import { answer, ec2ErrorXml, mergeAccount, parseEc2Request, toEc2Xml } from '../support/ec2-wire.js';

type Obj = Record<string, unknown> & { Tags?: { Key: string; Value: string }[] };

/** One call the account answered (`dry` for DryRun=true). */
export interface AccountCall {
  action: string;
  dry: boolean;
  params: Record<string, string>;
}

export interface WritableAccount {
  account: Record<string, unknown>;
  calls: AccountCall[];
  /** Non-dry-run write calls, in order. */
  writes(): string[];
  stop(): void;
}

const WRITES = new Set([
  'AcceptVpcPeeringConnection',
  'CreateTags',
  'CreateRoute',
  'ReplaceRoute',
  'DeleteRoute',
  'AuthorizeSecurityGroupIngress',
  'RevokeSecurityGroupIngress',
  'AllocateAddress',
  'AssociateAddress',
  'DisassociateAddress',
  'ReleaseAddress',
]);

const UNIT_OUTPUT = new Set([
  'CreateTags',
  'CreateRoute',
  'ReplaceRoute',
  'DeleteRoute',
  'DisassociateAddress',
  'ReleaseAddress',
]);

class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function tagsOf(params: Record<string, string>, prefix: string): { Key: string; Value: string }[] {
  const out: { Key: string; Value: string }[] = [];
  for (let i = 1; params[`${prefix}.${i}.Key`] !== undefined; i++) {
    out.push({ Key: params[`${prefix}.${i}.Key`] as string, Value: params[`${prefix}.${i}.Value`] ?? '' });
  }
  return out;
}

let seq = 0;
const hex = () => {
  seq += 1;
  return `0f${String(seq).padStart(15, '0')}`;
};

/**
 * Starts the account (nock interceptor on the EC2 endpoint). `deny` lists actions answered UnauthorizedOperation;
 * `failReal` makes the real (non-dry-run) call of an action fail with the given AWS code.
 */
export function writableAccount(
  docs: (Record<string, unknown> | RawSnapshotFile)[],
  opts: { deny?: string[]; region?: string; failReal?: Record<string, string> } = {},
): WritableAccount {
  const account = structuredClone(mergeAccount(docs));
  const calls: AccountCall[] = [];
  const list = (k: string) => {
    account[k] ??= [];
    return account[k] as Obj[];
  };
  const find = (k: string, field: string, id: string | undefined, code: string) => {
    const item = list(k).find((x) => x[field] === id);
    if (!item) throw new Ec2Error(code, `The ID '${id}' does not exist`);
    return item;
  };
  const ruleIndex = new Map<string, { groupId: string; permission: Obj }>();

  function write(action: string, p: Record<string, string>, dry: boolean): Record<string, unknown> {
    const check = () => {
      if (dry) throw new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    };
    switch (action) {
      case 'AcceptVpcPeeringConnection': {
        const pcx = find(
          'VpcPeeringConnections',
          'VpcPeeringConnectionId',
          p.VpcPeeringConnectionId,
          'InvalidVpcPeeringConnectionID.NotFound',
        );
        if ((pcx.Status as { Code: string }).Code !== 'pending-acceptance')
          throw new Ec2Error('InvalidStateTransition', 'not pending acceptance');
        check();
        pcx.Status = { Code: 'active', Message: 'Active' };
        const accepter = pcx.AccepterVpcInfo as Obj;
        const vpc = list('Vpcs').find((v) => v.VpcId === accepter.VpcId);
        if (vpc) {
          accepter.CidrBlock = vpc.CidrBlock;
          accepter.CidrBlockSet = [{ CidrBlock: vpc.CidrBlock }];
        }
        for (const t of list('RouteTables'))
          for (const r of (t.Routes as Obj[]) ?? [])
            if (r.VpcPeeringConnectionId === pcx.VpcPeeringConnectionId) r.State = 'active';
        return { VpcPeeringConnection: { VpcPeeringConnectionId: pcx.VpcPeeringConnectionId } };
      }
      case 'CreateTags': {
        check();
        const tags = tagsOf(p, 'Tag');
        for (const [k, v] of Object.entries(p)) {
          if (!k.startsWith('ResourceId.')) continue;
          for (const key of Object.keys(account)) {
            for (const item of (Array.isArray(account[key]) ? account[key] : []) as Obj[]) {
              if (Object.values(item).includes(v)) item.Tags = [...(item.Tags ?? []), ...tags];
            }
          }
        }
        return { Return: true };
      }
      case 'CreateRoute':
      case 'ReplaceRoute':
      case 'DeleteRoute': {
        const t = find('RouteTables', 'RouteTableId', p.RouteTableId, 'InvalidRouteTableID.NotFound');
        const routes = (t.Routes as Obj[]) ?? [];
        const idx = routes.findIndex((r) => r.DestinationCidrBlock === p.DestinationCidrBlock);
        if (action === 'CreateRoute' && idx >= 0)
          throw new Ec2Error('RouteAlreadyExists', `The route identified by ${p.DestinationCidrBlock} already exists.`);
        if (action !== 'CreateRoute' && idx < 0)
          throw new Ec2Error('InvalidRoute.NotFound', `no route ${p.DestinationCidrBlock} in ${p.RouteTableId}`);
        check();
        if (action === 'DeleteRoute') {
          routes.splice(idx, 1);
          return { Return: true };
        }
        const pcx = p.VpcPeeringConnectionId
          ? list('VpcPeeringConnections').find((c) => c.VpcPeeringConnectionId === p.VpcPeeringConnectionId)
          : undefined;
        if (p.VpcPeeringConnectionId && !pcx)
          throw new Ec2Error('InvalidVpcPeeringConnectionID.NotFound', `${p.VpcPeeringConnectionId} does not exist`);
        const route: Obj = {
          DestinationCidrBlock: p.DestinationCidrBlock,
          Origin: 'CreateRoute',
          State: pcx && (pcx.Status as { Code: string }).Code !== 'active' ? 'blackhole' : 'active',
        };
        for (const f of ['VpcPeeringConnectionId', 'GatewayId', 'NatGatewayId', 'TransitGatewayId'])
          if (p[f]) route[f] = p[f];
        if (idx >= 0) routes[idx] = route;
        else routes.push(route);
        t.Routes = routes;
        return { Return: true };
      }
      case 'AuthorizeSecurityGroupIngress': {
        const sg = find('SecurityGroups', 'GroupId', p.GroupId, 'InvalidGroup.NotFound');
        const perms = (sg.IpPermissions as Obj[]) ?? [];
        const proto = p['IpPermissions.1.IpProtocol'];
        const from = Number(p['IpPermissions.1.FromPort']);
        const to = Number(p['IpPermissions.1.ToPort']);
        const cidr = p['IpPermissions.1.IpRanges.1.CidrIp'];
        const peer = p['IpPermissions.1.Groups.1.GroupId'];
        const description = p['IpPermissions.1.IpRanges.1.Description'] ?? p['IpPermissions.1.Groups.1.Description'];
        const dup = perms.some(
          (x) =>
            x.IpProtocol === proto &&
            x.FromPort === from &&
            x.ToPort === to &&
            (((x.IpRanges as Obj[]) ?? []).some((r) => cidr !== undefined && r.CidrIp === cidr) ||
              ((x.UserIdGroupPairs as Obj[]) ?? []).some((g) => peer !== undefined && g.GroupId === peer)),
        );
        if (dup) throw new Ec2Error('InvalidPermission.Duplicate', 'the specified rule already exists');
        check();
        const permission: Obj = {
          IpProtocol: proto,
          FromPort: from,
          ToPort: to,
          IpRanges: cidr ? [{ CidrIp: cidr, Description: description }] : [],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: peer ? [{ GroupId: peer, UserId: sg.OwnerId, Description: description }] : [],
        };
        sg.IpPermissions = [...perms, permission];
        const id = `sgr-${hex()}`;
        ruleIndex.set(id, { groupId: sg.GroupId as string, permission });
        return {
          Return: true,
          SecurityGroupRules: [{ SecurityGroupRuleId: id, GroupId: sg.GroupId, IsEgress: false, IpProtocol: proto }],
        };
      }
      case 'RevokeSecurityGroupIngress': {
        const rule = ruleIndex.get(p['SecurityGroupRuleId.1'] ?? '');
        if (!rule) throw new Ec2Error('InvalidSecurityGroupRuleId.NotFound', 'rule not found');
        check();
        const sg = find('SecurityGroups', 'GroupId', rule.groupId, 'InvalidGroup.NotFound');
        sg.IpPermissions = ((sg.IpPermissions as Obj[]) ?? []).filter((x) => x !== rule.permission);
        ruleIndex.delete(p['SecurityGroupRuleId.1'] ?? '');
        return { Return: true };
      }
      case 'AllocateAddress': {
        check();
        const a: Obj = {
          AllocationId: `eipalloc-${hex()}`,
          PublicIp: `198.51.100.${10 + seq}`,
          Domain: 'vpc',
          Tags: tagsOf(p, 'TagSpecification.1.Tag'),
        };
        list('Addresses').push(a);
        return { AllocationId: a.AllocationId, PublicIp: a.PublicIp, Domain: 'vpc' };
      }
      case 'AssociateAddress': {
        const a = find('Addresses', 'AllocationId', p.AllocationId, 'InvalidAllocationID.NotFound');
        const eni = find(
          'NetworkInterfaces',
          'NetworkInterfaceId',
          p.NetworkInterfaceId,
          'InvalidNetworkInterfaceID.NotFound',
        );
        check();
        const associationId = `eipassoc-${hex()}`;
        const instanceId = (eni.Attachment as Obj | undefined)?.InstanceId as string | undefined;
        Object.assign(a, {
          AssociationId: associationId,
          NetworkInterfaceId: eni.NetworkInterfaceId,
          NetworkInterfaceOwnerId: eni.OwnerId,
          PrivateIpAddress: p.PrivateIpAddress,
          ...(instanceId ? { InstanceId: instanceId } : {}),
        });
        const assoc = {
          IpOwnerId: 'amazon',
          PublicIp: a.PublicIp,
          AllocationId: a.AllocationId,
          AssociationId: associationId,
        };
        eni.Association = assoc;
        for (const ip of (eni.PrivateIpAddresses as Obj[]) ?? [])
          if (ip.PrivateIpAddress === p.PrivateIpAddress)
            ip.Association = { IpOwnerId: 'amazon', PublicIp: a.PublicIp };
        for (const r of list('Reservations'))
          for (const i of ((r as Obj).Instances as Obj[]) ?? []) {
            if (i.InstanceId !== instanceId) continue;
            i.PublicIpAddress = a.PublicIp;
            for (const n of (i.NetworkInterfaces as Obj[]) ?? [])
              if (n.NetworkInterfaceId === eni.NetworkInterfaceId) {
                n.Association = { IpOwnerId: 'amazon', PublicIp: a.PublicIp };
                for (const ip of (n.PrivateIpAddresses as Obj[]) ?? [])
                  if (ip.PrivateIpAddress === p.PrivateIpAddress)
                    ip.Association = { IpOwnerId: 'amazon', PublicIp: a.PublicIp };
              }
          }
        return { AssociationId: associationId };
      }
      case 'DisassociateAddress': {
        const a = find('Addresses', 'AssociationId', p.AssociationId, 'InvalidAssociationID.NotFound');
        check();
        const strip = (o: Obj) => {
          delete o.Association;
          for (const ip of (o.PrivateIpAddresses as Obj[]) ?? []) delete ip.Association;
        };
        for (const eni of list('NetworkInterfaces')) if (eni.NetworkInterfaceId === a.NetworkInterfaceId) strip(eni);
        for (const r of list('Reservations'))
          for (const i of ((r as Obj).Instances as Obj[]) ?? []) {
            if (i.InstanceId !== a.InstanceId) continue;
            delete i.PublicIpAddress;
            for (const n of (i.NetworkInterfaces as Obj[]) ?? []) strip(n);
          }
        for (const k of [
          'AssociationId',
          'NetworkInterfaceId',
          'NetworkInterfaceOwnerId',
          'PrivateIpAddress',
          'InstanceId',
        ])
          delete a[k];
        return { Return: true };
      }
      case 'ReleaseAddress': {
        const a = find('Addresses', 'AllocationId', p.AllocationId, 'InvalidAllocationID.NotFound');
        if (a.AssociationId) throw new Ec2Error('InvalidIPAddress.InUse', 'Address is in use');
        check();
        account.Addresses = list('Addresses').filter((x) => x !== a);
        return { Return: true };
      }
      default:
        throw new Ec2Error('InvalidAction', `${action} is not supported by the test account`);
    }
  }

  const region = opts.region ?? 'us-east-1';
  const interceptor = nock(`https://ec2.${region}.amazonaws.com`).persist().post('/');
  const scope = interceptor.reply((_uri, body) => {
    const req = parseEc2Request(
      typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>).toString(),
    );
    const dry = req.params.DryRun === 'true';
    calls.push({ action: req.action, dry, params: req.params });
    const requestId = randomUUID();
    const headers = { 'Content-Type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': requestId };
    if (opts.deny?.includes(req.action)) {
      return [
        403,
        ec2ErrorXml('UnauthorizedOperation', 'You are not authorized to perform this operation.', requestId),
        headers,
      ];
    }
    const failure = opts.failReal?.[req.action];
    if (failure && !dry) return [400, ec2ErrorXml(failure, `${failure} (injected)`, requestId), headers];
    if (req.action === 'DescribeSecurityGroupRules') {
      // The rules whyping added (the account keeps an sgr- id for each), as DescribeSecurityGroupRules shows them.
      const ids = Object.entries(req.params)
        .filter(([k]) => k.startsWith('SecurityGroupRuleId.'))
        .map(([, v]) => v);
      const missing = ids.filter((id) => !ruleIndex.has(id));
      if (missing.length > 0) {
        return [
          400,
          ec2ErrorXml(
            'InvalidSecurityGroupRuleId.NotFound',
            `The security group rule ID '${missing[0]}' does not exist`,
          ),
          headers,
        ];
      }
      const rules = ids.map((id) => {
        const { groupId, permission: p } = ruleIndex.get(id) as { groupId: string; permission: Obj };
        const sg = list('SecurityGroups').find((g) => g.GroupId === groupId);
        const range = ((p.IpRanges as Obj[]) ?? [])[0];
        const pair = ((p.UserIdGroupPairs as Obj[]) ?? [])[0];
        return {
          SecurityGroupRuleId: id,
          GroupId: groupId,
          GroupOwnerId: sg?.OwnerId,
          IsEgress: false,
          IpProtocol: p.IpProtocol,
          FromPort: p.FromPort,
          ToPort: p.ToPort,
          ...(range ? { CidrIpv4: range.CidrIp } : {}),
          ...(pair ? { ReferencedGroupInfo: { GroupId: pair.GroupId, UserId: pair.UserId } } : {}),
          Description: range?.Description ?? pair?.Description,
        };
      });
      return [200, toEc2Xml('DescribeSecurityGroupRules', { SecurityGroupRules: rules }, requestId), headers];
    }
    if (!WRITES.has(req.action)) {
      const [status, xml] = answer(account, req, {});
      return [status, xml, headers];
    }
    try {
      const out = write(req.action, req.params, dry);
      // CreateTags, DeleteRoute, DisassociateAddress … have no output shape: EC2 answers <return>true</return>.
      const xml = UNIT_OUTPUT.has(req.action)
        ? `<${req.action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId><return>true</return></${req.action}Response>`
        : toEc2Xml(req.action, out, requestId);
      return [200, xml, headers];
    } catch (e) {
      // A bug in this test account must fail the test fast, not hang the client.
      if (!(e instanceof Ec2Error))
        return [500, ec2ErrorXml('TestAccountBug', `${req.action}: ${e}`, requestId), headers];
      return [e.status, ec2ErrorXml(e.code, e.message, requestId), headers];
    }
  });
  return {
    account,
    calls,
    writes: () => calls.filter((c) => !c.dry && WRITES.has(c.action)).map((c) => c.action),
    stop: () => {
      scope.persist(false);
      nock.removeInterceptor(interceptor as unknown as nock.Interceptor);
    },
  };
}
