/**
 * EC2 at the wire, for tests through a real EC2Client: describe-* JSON (PascalCase, as the CLI/SDK print it) is
 * serialized into EC2 Query XML generically from the SDK's own schemas, and a nock interceptor answers every
 * EC2 action from an in-memory account, applying the request's Filters, id lists and NextToken pagination.
 *
 * Schema tuples (from @aws-sdk/client-ec2, e.g. `DescribeRouteTables$`):
 *   operation [9, ns, name, traits, () => input, () => output]
 *   structure [3, ns, name, traits, memberNames, memberSchemas]   list [1, ns, name, traits, member]
 *   map [2, ns, name, traits, key, value]                          wrapped simple [0, ns, name, traits, schema]
 *   member [schemaRef, traits] (traits carry xmlName), simple numbers: 0 string, 1 number, 2 boolean, 4–7 timestamp.
 * Lists serialize as <xxxSet><item>…</item></xxxSet> because the list member's xmlName is `item`.
 */
import { randomUUID } from 'node:crypto';
import * as sdk from '@aws-sdk/client-ec2';
import { XmlNode } from '@aws-sdk/xml-builder';
import nock from 'nock';
import type { RawSnapshotFile } from '../../src/model/index.js';
import { wildcardRegExp } from '../../src/sandbox/filters.js';

type Ref = unknown;
type Traits = Record<string, unknown>;

const deref = (s: Ref): Ref => (typeof s === 'function' ? (s as () => Ref)() : s);

/** Splits a member reference into its schema and its member traits. */
function member(ref: Ref): { schema: Ref; traits: Traits } {
  if (Array.isArray(ref) && ref.length === 2) {
    const inner = member(ref[0]);
    const t = typeof ref[1] === 'object' && ref[1] !== null ? (ref[1] as Traits) : {};
    return { schema: inner.schema, traits: { ...inner.traits, ...t } };
  }
  let schema = deref(ref);
  while (Array.isArray(schema) && schema[0] === 0 && schema.length >= 5) schema = deref(schema[4]);
  return { schema, traits: {} };
}

/** Keys of the JSON that the SDK schema does not know (they would be lost on the wire): for fixture checks. */
export const unknownKeysSeen: string[] = [];

/** One member's element (undefined for an absent value); text is escaped by the SDK's own XML writer. */
function writeValue(ref: Ref, value: unknown, name: string, path: string): XmlNode | undefined {
  const { schema } = member(ref);
  if (value === undefined || value === null) return undefined;
  if (typeof schema === 'number') {
    if (schema >= 64 && schema < 128) return writeList(schema - 64, value, name, path);
    if (schema >= 4 && schema <= 7) {
      const d = value instanceof Date ? value : new Date(String(value));
      if (Number.isNaN(d.getTime())) throw new Error(`${path}: not a timestamp: ${String(value)}`);
      return XmlNode.of(name, d.toISOString());
    }
    if (typeof value === 'object') throw new Error(`${path}: expected a scalar, got ${JSON.stringify(value)}`);
    return XmlNode.of(name, String(value));
  }
  if (!Array.isArray(schema)) throw new Error(`${path}: unsupported schema ${String(schema)}`);
  const kind = schema[0];
  if (kind === 1) return writeList(schema[4], value, name, path);
  if (kind === 3 || kind === -3 || kind === 4) {
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}: expected an object`);
    return new XmlNode(name, writeStruct(schema, value as Record<string, unknown>, path));
  }
  if (kind === 2) throw new Error(`${path}: maps are not used by the EC2 outputs we serve`);
  throw new Error(`${path}: unsupported schema kind ${String(kind)}`);
}

function writeList(memberRef: Ref, value: unknown, name: string, path: string): XmlNode {
  if (!Array.isArray(value)) throw new Error(`${path}: expected a list`);
  const { traits } = member(memberRef);
  const itemName = typeof traits.xmlName === 'string' ? traits.xmlName : 'member';
  const items = value.map((v, i) => writeValue(memberRef, v, itemName, `${path}[${i}]`));
  return new XmlNode(
    name,
    items.filter((n) => n !== undefined),
  );
}

function writeStruct(schema: unknown[], value: Record<string, unknown>, path: string): XmlNode[] {
  const names = schema[4] as string[];
  const refs = schema[5] as Ref[];
  const out: XmlNode[] = [];
  for (const key of Object.keys(value)) {
    const i = names.indexOf(key);
    if (i < 0) {
      unknownKeysSeen.push(`${path}.${key}`);
      continue;
    }
    const { traits } = member(refs[i]);
    const xmlName = typeof traits.xmlName === 'string' ? traits.xmlName : key;
    const node = writeValue(refs[i], value[key], xmlName, `${path}.${key}`);
    if (node) out.push(node);
  }
  return out;
}

/** The output structure schema of an EC2 operation, from the SDK (`DescribeVpcs$`). */
function outputSchema(operation: string): unknown[] {
  const op = (sdk as unknown as Record<string, unknown>)[`${operation}$`];
  if (!Array.isArray(op) || op[0] !== 9) throw new Error(`@aws-sdk/client-ec2 has no operation schema ${operation}$`);
  return deref(op[5]) as unknown[];
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Serializes an operation's output (PascalCase JSON, as the SDK returns it) into the EC2 Query XML response. */
export function toEc2Xml(operation: string, output: Record<string, unknown>, requestId = randomUUID()): string {
  const response = new XmlNode(`${operation}Response`, [
    XmlNode.of('requestId', requestId),
    ...writeStruct(outputSchema(operation), output, operation),
  ]).addAttribute('xmlns', 'http://ec2.amazonaws.com/doc/2016-11-15/');
  return XML_DECLARATION + response.toString();
}

/** The EC2 error envelope (not the generic Query <ErrorResponse>). */
export function ec2ErrorXml(code: string, message: string, requestId = randomUUID()): string {
  const error = new XmlNode('Error', [XmlNode.of('Code', code), XmlNode.of('Message', message)]);
  const response = new XmlNode('Response', [new XmlNode('Errors', [error]), XmlNode.of('RequestID', requestId)]);
  return XML_DECLARATION + response.toString();
}

// ---------------------------------------------------------------------------------------------------------------
// The fake account

/** Describe actions: where the items live in the account JSON, and the output key when it differs. */
const ACTIONS: Record<string, { key: string; outKey?: string; idField?: string; notFound?: string }> = {
  DescribeInstances: { key: 'Reservations', idField: 'InstanceId', notFound: 'InvalidInstanceID.NotFound' },
  DescribeVpcs: { key: 'Vpcs', idField: 'VpcId', notFound: 'InvalidVpcID.NotFound' },
  DescribeSubnets: { key: 'Subnets', idField: 'SubnetId', notFound: 'InvalidSubnetID.NotFound' },
  DescribeRouteTables: { key: 'RouteTables', idField: 'RouteTableId', notFound: 'InvalidRouteTableID.NotFound' },
  DescribeSecurityGroups: { key: 'SecurityGroups', idField: 'GroupId', notFound: 'InvalidGroup.NotFound' },
  DescribeNetworkAcls: { key: 'NetworkAcls', idField: 'NetworkAclId', notFound: 'InvalidNetworkAclID.NotFound' },
  DescribeNetworkInterfaces: {
    key: 'NetworkInterfaces',
    idField: 'NetworkInterfaceId',
    notFound: 'InvalidNetworkInterfaceID.NotFound',
  },
  DescribeInternetGateways: { key: 'InternetGateways', idField: 'InternetGatewayId' },
  DescribeEgressOnlyInternetGateways: {
    key: 'EgressOnlyInternetGateways',
    idField: 'EgressOnlyInternetGatewayId',
    notFound: 'InvalidEgressOnlyInternetGatewayId.NotFound',
  },
  DescribeNatGateways: { key: 'NatGateways', idField: 'NatGatewayId' },
  DescribeVpcPeeringConnections: { key: 'VpcPeeringConnections', idField: 'VpcPeeringConnectionId' },
  DescribeAddresses: { key: 'Addresses', idField: 'AllocationId' },
  DescribeTransitGateways: { key: 'TransitGateways', idField: 'TransitGatewayId' },
  DescribeTransitGatewayAttachments: { key: 'TransitGatewayAttachments', idField: 'TransitGatewayAttachmentId' },
  DescribeTransitGatewayVpcAttachments: {
    key: 'TransitGatewayVpcAttachments',
    idField: 'TransitGatewayAttachmentId',
  },
  DescribeTransitGatewayRouteTables: { key: 'TransitGatewayRouteTables', idField: 'TransitGatewayRouteTableId' },
  DescribeVpcEndpoints: { key: 'VpcEndpoints', idField: 'VpcEndpointId' },
  DescribeManagedPrefixLists: { key: 'ManagedPrefixLists', outKey: 'PrefixLists', idField: 'PrefixListId' },
};

/** Filter name → where its values live in an item (`[]` flattens a list; `tag:K` is handled apart). */
const FILTER_PATHS: Record<string, string> = {
  'vpc-id': 'VpcId',
  'subnet-id': 'SubnetId',
  'group-id': 'GroupId',
  'instance-id': 'InstanceId',
  'instance-state-name': 'State.Name',
  'network-interface-id': 'NetworkInterfaceId',
  'addresses.private-ip-address': 'PrivateIpAddresses[].PrivateIpAddress',
  'private-ip-address': 'PrivateIpAddress',
  'ipv6-addresses.ipv6-address': 'Ipv6Addresses[].Ipv6Address',
  'association.public-ip': 'Association.PublicIp',
  'addresses.association.public-ip': 'PrivateIpAddresses[].Association.PublicIp',
  'attachment.instance-id': 'Attachment.InstanceId',
  'route-table-id': 'RouteTableId',
  'association.subnet-id': 'Associations[].SubnetId',
  'association.main': 'Associations[].Main',
  'network-acl-id': 'NetworkAclId',
  'requester-vpc-info.vpc-id': 'RequesterVpcInfo.VpcId',
  'accepter-vpc-info.vpc-id': 'AccepterVpcInfo.VpcId',
  'vpc-peering-connection-id': 'VpcPeeringConnectionId',
  'attachment.vpc-id': 'Attachments[].VpcId',
  'internet-gateway-id': 'InternetGatewayId',
  'nat-gateway-id': 'NatGatewayId',
  'transit-gateway-id': 'TransitGatewayId',
  'transit-gateway-attachment-id': 'TransitGatewayAttachmentId',
  'transit-gateway-route-table-id': 'TransitGatewayRouteTableId',
  'resource-id': 'ResourceId',
  'resource-type': 'ResourceType',
  'prefix-list-id': 'PrefixListId',
  'prefix-list-name': 'PrefixListName',
  'public-ip': 'PublicIp',
  'allocation-id': 'AllocationId',
  'vpc-endpoint-id': 'VpcEndpointId',
  'service-name': 'ServiceName',
};

function valuesAt(item: unknown, path: string): unknown[] {
  let cur: unknown[] = [item];
  for (const seg of path.split('.')) {
    const flat = seg.endsWith('[]');
    const key = flat ? seg.slice(0, -2) : seg;
    const next: unknown[] = [];
    for (const c of cur) {
      const v = c && typeof c === 'object' ? (c as Record<string, unknown>)[key] : undefined;
      if (v === undefined || v === null) continue;
      if (flat && Array.isArray(v)) next.push(...v);
      else next.push(v);
    }
    cur = next;
  }
  return cur;
}

function filterValues(item: unknown, name: string): unknown[] {
  if (name.startsWith('tag:')) {
    const k = name.slice(4);
    // Most resources list tags as Tags; ENIs as TagSet.
    return [...valuesAt(item, 'Tags[]'), ...valuesAt(item, 'TagSet[]')]
      .filter((t) => (t as { Key?: string }).Key === k)
      .map((t) => (t as { Value?: string }).Value);
  }
  if (name === 'tag-key') return [...valuesAt(item, 'Tags[].Key'), ...valuesAt(item, 'TagSet[].Key')];
  const path = FILTER_PATHS[name];
  if (!path) throw new Error(`ec2-wire: filter ${name} is not supported by the fake account; add it to FILTER_PATHS`);
  return valuesAt(item, path);
}

interface Filter {
  name: string;
  values: string[];
}

/** Parses the form body of an EC2 Query request into its action, filters, id lists and scalars. */
export function parseEc2Request(body: string): {
  action: string;
  filters: Filter[];
  lists: Record<string, string[]>;
  params: Record<string, string>;
} {
  const form = new URLSearchParams(body);
  const params: Record<string, string> = {};
  const filters = new Map<string, Filter>();
  const lists: Record<string, string[]> = {};
  for (const [k, v] of form) {
    params[k] = v;
    const f = /^Filter\.(\d+)\.(Name|Value\.(\d+))$/.exec(k);
    if (f) {
      const idx = f[1] as string;
      const cur = filters.get(idx) ?? { name: '', values: [] };
      if (f[2] === 'Name') cur.name = v;
      else cur.values.push(v);
      filters.set(idx, cur);
      continue;
    }
    const l = /^([A-Za-z]+)\.(\d+)$/.exec(k);
    if (l) {
      const listName = l[1] as string;
      lists[listName] ??= [];
      lists[listName].push(v);
    }
  }
  return { action: params.Action ?? '', filters: [...filters.values()], lists, params };
}

function matches(item: unknown, filters: Filter[]): boolean {
  return filters.every((f) => {
    const have = filterValues(item, f.name).map((v) => String(v));
    return f.values.some((want) => {
      // `*` and `?` wildcards as the sandbox reads them (one implementation of AWS's filter values).
      const re = wildcardRegExp(want);
      return have.some((h) => re.test(h));
    });
  });
}

/** An injected failure: the next `times` calls of `action` fail with this AWS error. */
export interface InjectedFailure {
  action: string;
  code: string;
  status: number;
  message?: string;
  times?: number;
}

export interface FakeEc2Options {
  region?: string;
  /** Base URL answered instead of `https://ec2.<region>.amazonaws.com` (e.g. an AWS_ENDPOINT_URL_EC2 value). */
  endpoint?: string;
  /** Page size per action (forces NextToken pagination). */
  pageSize?: Record<string, number>;
  /** Delay of every reply, in ms (benchmarks). */
  latencyMs?: number;
  failures?: InjectedFailure[];
  /** Answer only requests signed with this access key id (several accounts behind one regional endpoint). */
  accessKeyId?: string;
}

/** One request the fake account answered. */
export interface FakeCall {
  action: string;
  params: Record<string, string>;
  filters: Filter[];
}

/** A nock-backed EC2 account: every call is recorded; `stop()` removes the interceptor. */
export interface FakeEc2 {
  calls: FakeCall[];
  /** The account data, merged by top-level key (tests may mutate it between calls). */
  account: Record<string, unknown>;
  stop(): void;
}

/** Merges describe-* documents by top-level key (lists concatenated, maps merged). */
export function mergeAccount(docs: (Record<string, unknown> | RawSnapshotFile)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of docs) {
    const data = ('path' in d && 'data' in d ? d.data : d) as Record<string, unknown>;
    for (const [k, v] of Object.entries(data)) {
      if (Array.isArray(v)) out[k] = [...((out[k] as unknown[]) ?? []), ...v];
      else if (v && typeof v === 'object') out[k] = { ...((out[k] as object) ?? {}), ...v };
    }
  }
  return out;
}

function byIds(items: unknown[], field: string, ids: string[] | undefined): { items: unknown[]; missing: string[] } {
  if (!ids) return { items, missing: [] };
  const found = items.filter((i) => ids.includes(String((i as Record<string, unknown>)[field])));
  const have = new Set(found.map((i) => String((i as Record<string, unknown>)[field])));
  return { items: found, missing: ids.filter((id) => !have.has(id)) };
}

/** Answers one parsed request from the account: [status, xml]. */
export function answer(
  account: Record<string, unknown>,
  req: ReturnType<typeof parseEc2Request>,
  opts: FakeEc2Options,
) {
  const { action, filters, lists, params } = req;
  const list = (key: string) => (account[key] as unknown[] | undefined) ?? [];
  const page = (items: unknown[]) => {
    const size = opts.pageSize?.[action] ?? (params.MaxResults ? Number(params.MaxResults) : Number.POSITIVE_INFINITY);
    const start = params.NextToken ? Number(params.NextToken) : 0;
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? String(start + size) : undefined;
    return { slice, next };
  };

  // AWS-managed lists (describe-prefix-lists output, `PrefixLists` with inline Cidrs) are managed prefix lists too.
  const awsManaged = list('PrefixLists') as { PrefixListId?: string; PrefixListName?: string; Cidrs?: string[] }[];
  if (action === 'GetManagedPrefixListEntries') {
    const id = params.PrefixListId ?? '';
    const inline = awsManaged.find((p) => p.PrefixListId === id)?.Cidrs?.map((Cidr) => ({ Cidr }));
    const entries = (account.PrefixListEntries as Record<string, unknown[]> | undefined)?.[id] ?? inline;
    const known = list('ManagedPrefixLists').some((p) => (p as { PrefixListId?: string }).PrefixListId === id);
    if (!entries && !known)
      return [400, ec2ErrorXml('InvalidPrefixListID.NotFound', `The prefix list ID '${id}' does not exist`)] as const;
    const { slice, next } = page(entries ?? []);
    return [200, toEc2Xml(action, { Entries: slice, NextToken: next })] as const;
  }
  if (action === 'SearchTransitGatewayRoutes') {
    const id = params.TransitGatewayRouteTableId;
    const doc = list('TransitGatewayStaticRoutes').find(
      (r) => (r as { TransitGatewayRouteTableId?: string }).TransitGatewayRouteTableId === id,
    ) as { Routes?: unknown[] } | undefined;
    const routes = (doc?.Routes ?? []).filter((r) =>
      matches(
        r,
        filters.filter((f) => f.name !== 'type'),
      ),
    );
    const typeFilter = filters.find((f) => f.name === 'type');
    const typed = typeFilter
      ? routes.filter((r) => typeFilter.values.includes(String((r as { Type?: string }).Type ?? 'static')))
      : routes;
    return [200, toEc2Xml(action, { Routes: typed, AdditionalRoutesAvailable: false })] as const;
  }
  if (action === 'GetTransitGatewayRouteTablePropagations') {
    const id = params.TransitGatewayRouteTableId;
    const doc = list('TransitGatewayPropagations').find(
      (r) => (r as { TransitGatewayRouteTableId?: string }).TransitGatewayRouteTableId === id,
    ) as { TransitGatewayRouteTablePropagations?: unknown[] } | undefined;
    const { slice, next } = page(doc?.TransitGatewayRouteTablePropagations ?? []);
    return [200, toEc2Xml(action, { TransitGatewayRouteTablePropagations: slice, NextToken: next })] as const;
  }

  const spec = ACTIONS[action];
  if (!spec)
    return [400, ec2ErrorXml('InvalidAction', `The action ${action} is not valid for this web service.`)] as const;
  const idList = spec.idField ? lists[spec.idField] : undefined;

  if (action === 'DescribeInstances') {
    const reservations: unknown[] = [];
    const allInstances: unknown[] = [];
    for (const r of list('Reservations')) {
      const res = r as { Instances?: unknown[] };
      const picked = byIds(res.Instances ?? [], 'InstanceId', idList).items.filter((i) => matches(i, filters));
      allInstances.push(...(res.Instances ?? []));
      if (picked.length > 0) reservations.push({ ...res, Instances: picked });
    }
    const missing = byIds(allInstances, 'InstanceId', idList).missing;
    if (missing.length > 0) {
      return [
        400,
        ec2ErrorXml('InvalidInstanceID.NotFound', `The instance ID '${missing.join("', '")}' does not exist`),
      ] as const;
    }
    const { slice, next } = page(reservations);
    return [200, toEc2Xml(action, { Reservations: slice, NextToken: next })] as const;
  }

  const all =
    action === 'DescribeManagedPrefixLists'
      ? [
          ...list(spec.key),
          ...awsManaged.map((p) => ({
            PrefixListId: p.PrefixListId,
            PrefixListName: p.PrefixListName,
            AddressFamily: 'IPv4',
            State: 'create-complete',
            OwnerId: 'AWS',
          })),
        ]
      : list(spec.key);
  const { items, missing } = byIds(all, spec.idField ?? '', idList);
  if (missing.length > 0) {
    return [
      400,
      ec2ErrorXml(spec.notFound ?? 'InvalidParameterValue', `The ID '${missing.join("', '")}' does not exist`),
    ] as const;
  }
  const filtered = items.filter((i) => matches(i, filters));
  const { slice, next } = page(filtered);
  const out: Record<string, unknown> = { [spec.outKey ?? spec.key]: slice };
  if (action !== 'DescribeAddresses') out.NextToken = next;
  return [200, toEc2Xml(action, out)] as const;
}

/** Stands up a whole EC2 account behind nock for `https://ec2.<region>.amazonaws.com`. */
export function fakeEc2(docs: (Record<string, unknown> | RawSnapshotFile)[], opts: FakeEc2Options = {}): FakeEc2 {
  const region = opts.region ?? 'us-east-1';
  const account = mergeAccount(docs);
  const calls: FakeCall[] = [];
  const failures = (opts.failures ?? []).map((f) => ({ ...f, left: f.times ?? 1 }));
  let interceptor = nock(opts.endpoint ?? `https://ec2.${region}.amazonaws.com`)
    .persist()
    .post('/');
  const key = opts.accessKeyId;
  if (key) interceptor = interceptor.matchHeader('authorization', (v: string) => v.includes(`Credential=${key}/`));
  if (opts.latencyMs) interceptor = interceptor.delay(opts.latencyMs);
  const scope = interceptor.reply((_uri, body) => {
    const req = parseEc2Request(
      typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>).toString(),
    );
    calls.push({ action: req.action, params: req.params, filters: req.filters });
    const headers = { 'Content-Type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': randomUUID() };
    const fail = failures.find((f) => f.action === req.action && f.left > 0);
    if (fail) {
      fail.left -= 1;
      return [
        fail.status,
        ec2ErrorXml(fail.code, fail.message ?? `${fail.code} for ${req.action}`, headers['x-amzn-RequestId']),
        headers,
      ];
    }
    const [status, xml] = answer(account, req, opts);
    return [status, xml, headers];
  });
  return {
    calls,
    account,
    stop: () => {
      scope.persist(false);
      nock.removeInterceptor(interceptor as unknown as nock.Interceptor);
    },
  };
}
