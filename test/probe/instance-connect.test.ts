import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addInstanceConnectHint, throwawayPublicKey } from '../../src/probe/instance-connect.js';
import { diagnosisOf, endpoint } from './world.js';

describe('throwawayPublicKey', () => {
  it('is an OpenSSH ed25519 public key whose blob decodes to the key type and 32 key bytes', () => {
    const key = throwawayPublicKey();
    const [type, b64, comment] = key.split(' ');
    expect(type).toBe('ssh-ed25519');
    expect(b64).toMatch(/^AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+={0,2}$/);
    expect(comment).toBe('whyping-check');
    const blob = Buffer.from(b64 ?? '', 'base64');
    expect(blob.readUInt32BE(0)).toBe(11);
    expect(blob.subarray(4, 15).toString()).toBe('ssh-ed25519');
    expect(blob.readUInt32BE(15)).toBe(32);
    expect(blob.length).toBe(51);
    // The 32 bytes are a valid ed25519 public key.
    const x = blob.subarray(19).toString('base64url');
    expect(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }).asymmetricKeyType).toBe(
      'ed25519',
    );
  });

  it('meets the 80-character minimum of SendSSHPublicKey and is fresh every time', () => {
    const a = throwawayPublicKey();
    expect(a.length).toBeGreaterThanOrEqual(80);
    expect(a.length).toBeLessThanOrEqual(4096);
    expect(throwawayPublicKey()).not.toBe(a);
  });
});

describe('addInstanceConnectHint', () => {
  const eicDiagnosis = () => {
    const d = diagnosisOf(false, { protocol: 'tcp', port: 22, codes: ['NO_PUBLIC_IP'] });
    d.query.from = 'eic';
    d.endpoints.from = endpoint({
      kind: 'internet',
      input: 'eic',
      ip: null,
      sourceRange: {
        label: 'EC2 Instance Connect (us-east-1)',
        cidrs: ['18.206.107.24/29'],
        prefixListId: 'pl-0e4bcff02b13bef1e',
      },
    });
    return d;
  };

  it('adds the EC2 Instance Connect Endpoint hint to eic → instance on tcp/22 with NO_PUBLIC_IP', () => {
    const d = addInstanceConnectHint(eicDiagnosis());
    expect(d.hints).toHaveLength(1);
    // One short sentence that names the help topic; the steps are in `help eic`.
    expect(d.hints?.[0]).toBe(
      'db-1 (i-0fedcba9876543210) has no public IP: if that is by design, reach it through an EC2 Instance Connect Endpoint (help eic).',
    );
    expect(d.hints?.[0]?.length).toBeLessThanOrEqual(160);
    // The verdict and the findings stay as they were.
    expect(d.reachable).toBe(false);
    expect(d.findings.map((f) => f.code)).toEqual(['NO_PUBLIC_IP']);
  });

  it('adds it once', () => {
    const once = addInstanceConnectHint(eicDiagnosis());
    expect(addInstanceConnectHint(once).hints).toHaveLength(1);
  });

  it('does nothing for another port, another source, or without NO_PUBLIC_IP', () => {
    const other = eicDiagnosis();
    other.query.port = 3389;
    expect(addInstanceConnectHint(other).hints).toBeUndefined();
    expect(
      addInstanceConnectHint(diagnosisOf(false, { protocol: 'tcp', port: 22, codes: ['NO_PUBLIC_IP'] })).hints,
    ).toBeUndefined();
    const fine = eicDiagnosis();
    fine.findings = [];
    expect(addInstanceConnectHint(fine).hints).toBeUndefined();
  });
});
