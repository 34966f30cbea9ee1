/**
 * EC2 Instance Connect: a live check that AWS accepts a key for an OS user (SendSSHPublicKey with a throwaway ed25519
 * key made in memory), and the hint about EC2 Instance Connect Endpoint for instances without a public IP by design.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import { WhypingError } from '../errors.js';
import type { Diagnosis, InstanceId } from '../model/index.js';
import { assertInstanceId } from './command.js';

/** SendSSHPublicKey's own patterns for the OS user and the availability zone. */
const OS_USER = /^[A-Za-z_][A-Za-z0-9@._-]{0,30}[A-Za-z0-9$_-]?$/;
const AVAILABILITY_ZONE = /^(\w+-){2,3}\d+\w+$/;

function sshString(data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

/**
 * A fresh ed25519 public key in OpenSSH format (`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5… whyping-check`). The private half
 * is never exported: it is dropped with the key object, so the key AWS holds for 60 s can open nothing.
 */
export function throwawayPublicKey(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  if (!jwk.x) throw new WhypingError('INTERNAL', 'node:crypto returned an ed25519 key without its public bytes');
  const raw = Buffer.from(jwk.x, 'base64url');
  const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
  // The comment also keeps the key above SendSSHPublicKey's 80-character minimum (a bare ed25519 key is exactly 80).
  return `ssh-ed25519 ${blob.toString('base64')} whyping-check`;
}

export interface InstanceConnectRequest {
  instanceId: InstanceId;
  osUser: string;
  availabilityZone?: string;
}

function awsSaid(e: unknown): string {
  const m = e instanceof Error ? e.message : '';
  return m ? ` AWS said: ${m}` : '';
}

/**
 * Asks EC2 Instance Connect to accept a one-time key for `osUser` on the instance and explains the answer: a missing
 * ec2-instance-connect:SendSSHPublicKey permission for that OS user, an instance that is not running or not found,
 * an unavailable or unsupported instance, throttling. Never throws for an AWS error; throws BAD_INPUT for an invalid
 * instance id, OS user or availability zone (before any request).
 */
export async function checkInstanceConnect(
  eic: EC2InstanceConnectClient,
  req: InstanceConnectRequest,
): Promise<{ ok: boolean; message: string; requestId?: string }> {
  assertInstanceId(req.instanceId);
  if (typeof req.osUser !== 'string' || !OS_USER.test(req.osUser)) {
    throw new WhypingError(
      'BAD_INPUT',
      `Not a valid OS user name for EC2 Instance Connect: ${JSON.stringify(String(req.osUser)).slice(0, 40)}`,
    );
  }
  if (req.availabilityZone !== undefined && !AVAILABILITY_ZONE.test(req.availabilityZone)) {
    throw new WhypingError(
      'BAD_INPUT',
      `Not an availability zone: ${JSON.stringify(req.availabilityZone).slice(0, 40)}`,
    );
  }
  const { instanceId, osUser } = req;
  // Loaded here, not with the module: addInstanceConnectHint below serves offline answers, which never load the SDK.
  const { SendSSHPublicKeyCommand } = await import('@aws-sdk/client-ec2-instance-connect');
  try {
    const out = await eic.send(
      new SendSSHPublicKeyCommand({
        InstanceId: instanceId,
        InstanceOSUser: osUser,
        SSHPublicKey: throwawayPublicKey(),
        ...(req.availabilityZone ? { AvailabilityZone: req.availabilityZone } : {}),
      }),
    );
    if (out.Success === false) {
      return {
        ok: false,
        message: `EC2 Instance Connect did not accept the key for ${osUser} on ${instanceId} (Success: false).`,
      };
    }
    return {
      ok: true,
      message:
        `EC2 Instance Connect accepted a one-time key for ${osUser} on ${instanceId}: the permission and the instance state ` +
        'are fine. (The key lives 60 seconds and its private half was never kept. This does not test the network path to ' +
        'port 22, nor that the EC2 Instance Connect package is installed on the instance.)',
      ...(out.RequestId ? { requestId: out.RequestId } : {}),
    };
  } catch (e) {
    const name = (e as { name?: string } | null)?.name ?? 'Error';
    switch (name) {
      case 'AuthException':
      case 'AccessDeniedException':
      case 'AccessDenied':
        return {
          ok: false,
          message:
            `Not allowed to push a key for ${osUser} on ${instanceId}: the identity whyping runs as lacks ` +
            `ec2-instance-connect:SendSSHPublicKey on this instance for OS user ${osUser} (check the ec2:osuser ` +
            `condition in its policy), or its credentials are not valid.${awsSaid(e)}`,
        };
      case 'EC2InstanceStateInvalidException':
        return {
          ok: false,
          message: `${instanceId} is not running (EC2 Instance Connect cannot reach a stopped or terminated instance): start it first.${awsSaid(e)}`,
        };
      case 'EC2InstanceNotFoundException':
        return {
          ok: false,
          message: `EC2 Instance Connect found no instance ${instanceId}: check the id, the region and the account.${awsSaid(e)}`,
        };
      case 'EC2InstanceUnavailableException':
        return {
          ok: false,
          message:
            `${instanceId} is unavailable to EC2 Instance Connect right now: wait a few minutes and retry. If it persists, ` +
            'check that it runs an operating system EC2 Instance Connect supports (Amazon Linux 2 and 2023, Ubuntu 20.04 ' +
            'or later, with the EC2 Instance Connect package); Windows instances are reached by RDP or Fleet Manager instead.' +
            awsSaid(e),
        };
      case 'InvalidArgsException':
        return {
          ok: false,
          message:
            `EC2 Instance Connect rejected the request for ${osUser} on ${instanceId}: check that the availability zone ` +
            `matches the instance and that the OS user exists.${awsSaid(e)}`,
        };
      case 'ThrottlingException':
        return { ok: false, message: `EC2 Instance Connect throttled the request: retry in a moment.${awsSaid(e)}` };
      case 'ServiceException':
        return { ok: false, message: `EC2 Instance Connect had an internal error: retry in a moment.${awsSaid(e)}` };
      default:
        return { ok: false, message: `SendSSHPublicKey for ${osUser} on ${instanceId} failed: ${name}.${awsSaid(e)}` };
    }
  }
}

/** True when the endpoint stands for EC2 Instance Connect's service range (`eic`, `ec2-instance-connect`). */
function isInstanceConnectSource(e: Diagnosis['endpoints']['from']): boolean {
  const input = e.input.trim().toLowerCase();
  return (
    input === 'eic' ||
    input === 'ec2-instance-connect' ||
    /instance.connect/i.test(e.sourceRange?.label ?? '') ||
    /ec2-instance-connect/i.test(e.sourceRange?.prefixListId ?? '')
  );
}

/**
 * For a diagnosis from `eic` to an instance on tcp/22 that found NO_PUBLIC_IP: adds the hint that an instance without
 * a public IP by design is reached through an EC2 Instance Connect Endpoint instead. Pure; returns the diagnosis
 * unchanged when it does not apply (or already carries the hint). The hint is one sentence that ends with the
 * pointer "(help eic)": the front ends print the full explanation as the help topic `eic`.
 */
export function addInstanceConnectHint(diagnosis: Diagnosis): Diagnosis {
  const { from, to } = diagnosis.endpoints;
  const applies =
    isInstanceConnectSource(from) &&
    diagnosis.query.protocol === 'tcp' &&
    diagnosis.query.port === 22 &&
    diagnosis.findings.some((f) => f.code === 'NO_PUBLIC_IP');
  if (!applies) return diagnosis;
  const id = to.instanceId ?? to.id ?? to.input;
  const name = to.name ? `${to.name} (${id})` : id;
  // One short sentence; the topic `eic` holds the steps (the endpoint, its security group rules, the ssh command).
  const sentence = (who: string) =>
    `${who} has no public IP: if that is by design, reach it through an EC2 Instance Connect Endpoint (help eic).`;
  const hint = sentence(name).length <= 160 ? sentence(name) : sentence(id.slice(0, 40));
  if (diagnosis.hints?.includes(hint)) return diagnosis;
  return { ...diagnosis, hints: [...(diagnosis.hints ?? []), hint] };
}
