/**
 * Undo across accounts and regions at the wire: real EC2 clients per region (each its own endpoint, as the account
 * clients give them), nock answering EC2 Query XML. Every step is re-read and dry-run with its own region's client
 * before anything is undone; a refusal in one region after another was undone says which steps were undone and which
 * were not.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { executeUndo, type UndoStep, type UndoToken } from '../../src/fix/index.js';
import { silentLogger } from '../../src/log.js';

const A = '111122223333';
const B = '444455556666';
const PCX = 'pcx-0c1d2e3f4a5b60718';
const NOW = new Date('2026-11-25T10:00:00.000Z');
const TABLE = { 'us-east-1': 'rtb-0a1b2c3d4e5f6071a', 'eu-west-1': 'rtb-0b2c3d4e5f6a7081b' } as const;
const OWNER = { 'us-east-1': A, 'eu-west-1': B } as const;
const DEST = { 'us-east-1': '10.20.0.0/16', 'eu-west-1': '10.10.0.0/16' } as const;
type Region = keyof typeof TABLE;

const client = (region: Region) =>
  new EC2Client({
    region,
    maxAttempts: 1,
    credentials: { accessKeyId: region === 'us-east-1' ? 'AKIDHOME' : `ASIA${B}`, secretAccessKey: 'secret' },
  });

function step(region: Region): UndoStep {
  return {
    account: OWNER[region],
    region,
    fixId: `fix-${region}`,
    change: {
      kind: 'route-created',
      routeTableId: TABLE[region],
      destinationCidrBlock: DEST[region],
      target: { vpcPeeringConnectionId: PCX },
      state: 'active',
    },
  };
}

const token: UndoToken = {
  v: 2,
  actor: 'cli:tester',
  diagnosisId: 'd-1a2b3c4d',
  appliedAt: '2026-11-25T10:00:00Z',
  expiresAt: NOW.getTime() / 1000 + 3600,
  home: A,
  steps: [step('us-east-1'), step('eu-west-1')],
};

let n = 0;
const xml = (action: string, inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-${++n}</requestId>${inner}</${action}Response>`;
const error = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${code} here</Message></Error></Errors><RequestID>req-${++n}</RequestID></Response>`;

/** One region's EC2 endpoint: the route table as whyping left it; DeleteRoute's real call answers `real`. */
function region(r: Region, real: 'ok' | 'UnauthorizedOperation') {
  const sent: string[] = [];
  nock(`https://ec2.${r}.amazonaws.com`)
    .persist()
    .post('/')
    .reply((_uri, body) => {
      const f = Object.fromEntries(new URLSearchParams(body as string));
      const dry = f.DryRun === 'true';
      sent.push(`${f.Action}${dry ? '(dry)' : ''}`);
      if (f.Action === 'DescribeRouteTables') {
        return [
          200,
          xml(
            'DescribeRouteTables',
            `<routeTableSet><item><routeTableId>${TABLE[r]}</routeTableId><vpcId>vpc-1</vpcId><ownerId>${OWNER[r]}</ownerId><routeSet><item><destinationCidrBlock>${DEST[r]}</destinationCidrBlock><vpcPeeringConnectionId>${PCX}</vpcPeeringConnectionId><state>active</state></item></routeSet><associationSet/><tagSet/></item></routeTableSet>`,
          ),
        ];
      }
      if (f.Action === 'DeleteRoute' && f.RouteTableId === TABLE[r]) {
        if (dry) return [412, error('DryRunOperation')];
        if (real === 'ok') return [200, xml('DeleteRoute', '<return>true</return>')];
        return [403, error(real)];
      }
      return [400, error('InvalidAction')];
    });
  return sent;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('undo of a fix that spans two accounts and regions, at the wire', () => {
  const clients = { 'us-east-1': client('us-east-1'), 'eu-west-1': client('eu-west-1') };
  const ctx = {
    actor: 'cli:tester',
    region: 'us-east-1',
    logger: silentLogger,
    clientFor: (s: UndoStep) => clients[s.region as Region],
  };

  it('re-reads, dry-runs and undoes each step through its own region, newest first', async () => {
    const east = region('us-east-1', 'ok');
    const west = region('eu-west-1', 'ok');
    const u = await executeUndo(clients['us-east-1'], token, ctx);
    expect(u.status, u.message).toBe('applied');
    expect(east).toEqual(['DescribeRouteTables', 'DeleteRoute(dry)', 'DeleteRoute(dry)', 'DeleteRoute']);
    expect(west).toEqual(['DescribeRouteTables', 'DeleteRoute(dry)', 'DeleteRoute(dry)', 'DeleteRoute']);
    expect(u.message).toBe(
      `Undone: deleted route 10.10.0.0/16 from ${TABLE['eu-west-1']}; deleted route 10.20.0.0/16 from ${TABLE['us-east-1']}.`,
    );
  });

  it("one region refuses its call after the other's step was undone: says which steps were undone and which were not", async () => {
    region('us-east-1', 'UnauthorizedOperation');
    const west = region('eu-west-1', 'ok');
    const u = await executeUndo(clients['us-east-1'], token, ctx);
    // A permission refusal (UnauthorizedOperation) is `refused`, naming the action, and partial.
    expect(u).toMatchObject({ status: 'refused', missingPermission: 'ec2:DeleteRoute' });
    expect(west.at(-1)).toBe('DeleteRoute');
    expect(u.message).toContain('Undo stopped:');
    expect(u.message).toContain(`Done before the failure: deleted route 10.10.0.0/16 from ${TABLE['eu-west-1']}.`);
    expect(u.message).toMatch(
      new RegExp(
        `Undone: step 2 of 2 \\(.*\\[fix-eu-west-1; account ${B}, eu-west-1\\]\\)\\. Not undone: step 1 of 2 \\(.*\\[fix-us-east-1; account ${A}, us-east-1\\]\\)\\.$`,
      ),
    );
  });

  it('without per-step clients, a step in another region is refused before anything is read', async () => {
    const east = region('us-east-1', 'ok');
    const { clientFor: _, ...one } = ctx;
    const u = await executeUndo(clients['us-east-1'], token, one);
    expect(u.status).toBe('refused');
    expect(u.message).toContain(
      'was made in eu-west-1, and this undo reads us-east-1. Run it with --region eu-west-1.',
    );
    expect(east).toEqual(['DescribeRouteTables']);
  });
});
