/**
 * A fake Elastic Load Balancing v2 endpoint at the wire (nock): the AWS Query protocol — form-encoded requests,
 * `<member>` lists in XML answers, the Query error envelope — answering from describe-* documents with the sandbox's
 * own elbv2 handlers (src/sandbox/elbv2.ts), so the rules of what each call returns are written once.
 */
import { randomUUID } from 'node:crypto';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { XmlNode, XmlText } from '@aws-sdk/xml-builder';
import nock from 'nock';
import type { Input } from '../../src/sandbox/context.js';
import { elbv2Handlers, emptyElbDocuments, loadElbDocuments } from '../../src/sandbox/elbv2.js';
import type { SandboxState } from '../../src/sandbox/state.js';

const NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

/** A real ELBv2 client with fixed test credentials and no retries. */
export function testElbv2(region = 'us-east-1'): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({
    region,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
}

/**
 * PascalCase JSON as the SDK returns it, as the children of a Query-protocol XML element (every list's items are
 * `<member>`); the SDK's own XML writer escapes the text.
 */
function toXml(value: unknown): (XmlNode | XmlText)[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((v) => new XmlNode('member', toXml(v)));
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => new XmlNode(k, toXml(v)));
  }
  // Timestamps as the corpora hold them (boto: `2020-04-22 01:27:45.349000+00:00`) go on the wire as AWS sends them.
  if (typeof value === 'string' && TIMESTAMP.test(value))
    return [new XmlText(new Date(value.replace(' ', 'T')).toISOString())];
  return [new XmlText(String(value))];
}

const TIMESTAMP = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** `Names.member.1=a&Names.member.2=b&LoadBalancerArn=x` → `{ Names: ['a', 'b'], LoadBalancerArn: 'x' }`. */
function parseForm(body: string): { action: string; input: Input } {
  const form = new URLSearchParams(body);
  const input: Input = {};
  for (const [key, value] of form) {
    const m = /^(\w+)\.member\.(\d+)$/.exec(key);
    if (m?.[1]) {
      input[m[1]] ??= [];
      input[m[1]][Number(m[2]) - 1] = value;
    } else if (key !== 'Action' && key !== 'Version') input[key] = value;
  }
  return { action: form.get('Action') ?? '', input };
}

/** Answers the elbv2 describe calls of `region` from the elbv2 keys of `docs`; returns the actions called, in order. */
export function fakeElbv2(docs: Record<string, unknown>[], opts: { region?: string } = {}): { calls: string[] } {
  const elb = emptyElbDocuments();
  for (const d of docs) loadElbDocuments(elb, d);
  const state = { elb } as unknown as SandboxState;
  const calls: string[] = [];
  nock(`https://elasticloadbalancing.${opts.region ?? 'us-east-1'}.amazonaws.com`)
    .persist()
    .post('/')
    .reply((_uri, body) => {
      const { action, input } = parseForm(String(body));
      calls.push(action);
      const requestId = randomUUID();
      const handler = elbv2Handlers[action];
      try {
        if (!handler) throw Object.assign(new Error(`${action} is not answered here`), { code: 'InvalidAction' });
        const out = handler(input, {
          state,
          requestId,
          fail: (code, message) => {
            throw Object.assign(new Error(message ?? code), { code });
          },
        });
        const response = new XmlNode(`${action}Response`, [
          new XmlNode(`${action}Result`, toXml(out)),
          new XmlNode('ResponseMetadata', [XmlNode.of('RequestId', requestId)]),
        ]).addAttribute('xmlns', NS);
        return [200, response.toString()];
      } catch (e) {
        const { code, message } = e as { code?: string; message: string };
        const error = new XmlNode('Error', [
          XmlNode.of('Type', 'Sender'),
          XmlNode.of('Code', code ?? 'InternalFailure'),
          XmlNode.of('Message', message),
        ]);
        const response = new XmlNode('ErrorResponse', [error, XmlNode.of('RequestId', requestId)]);
        return [400, response.addAttribute('xmlns', NS).toString()];
      }
    });
  return { calls };
}
