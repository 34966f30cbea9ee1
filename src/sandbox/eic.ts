/** EC2 Instance Connect: SendSSHPublicKey succeeds for a running instance and fails as AWS does otherwise. */
import type { Handler, Input, OpContext } from './context.js';

const OS_USER = /^[A-Za-z_][A-Za-z0-9@._-]{0,30}[A-Za-z0-9$_-]?$/;
const KEY = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/;

const sendSshPublicKey: Handler = (input: Input, ctx: OpContext) => {
  const s = ctx.state;
  const user = String(input.InstanceOSUser ?? '');
  if (!OS_USER.test(user)) ctx.fail('InvalidArgsException', `Invalid value '${user}' for InstanceOSUser.`);
  const key = String(input.SSHPublicKey ?? '');
  if (key.length < 80 || key.length > 4096 || !KEY.test(key)) {
    ctx.fail(
      'InvalidArgsException',
      'The SSH public key is not in a supported format (RSA, ED25519 or ECDSA, OpenSSH encoding).',
    );
  }
  const inst = s.instances().find((i) => i.InstanceId === input.InstanceId);
  if (!inst || inst.State?.Name === 'terminated') {
    ctx.fail('EC2InstanceNotFoundException', `Instance not found: ${input.InstanceId}`);
  }
  if (input.AvailabilityZone && input.AvailabilityZone !== inst.Placement?.AvailabilityZone) {
    ctx.fail('EC2InstanceNotFoundException', `Instance not found: ${input.InstanceId} in ${input.AvailabilityZone}`);
  }
  if (inst.State?.Name !== 'running') {
    ctx.fail(
      'EC2InstanceStateInvalidException',
      `Instance ${input.InstanceId} is not in a valid state (${inst.State?.Name}).`,
    );
  }
  if (/windows/i.test(inst.Platform ?? '')) {
    ctx.fail('EC2InstanceTypeInvalidException', 'EC2 Instance Connect does not support Windows instances.');
  }
  s.pushedKeys.push({ instanceId: inst.InstanceId ?? '', osUser: user, at: s.now() });
  return { RequestId: ctx.requestId, Success: true };
};

/** Every EC2 Instance Connect operation the sandbox answers. */
export const eicHandlers: Record<string, Handler> = { SendSSHPublicKey: sendSshPublicKey };
