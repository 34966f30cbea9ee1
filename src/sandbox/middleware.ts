/**
 * Plugs the sandbox beneath real SDK clients: one middleware per client, at the end of the initialize step, answers
 * each command from the state (context.commandName + args.input) and returns `{ output, response }` as the SDK's own
 * deserializer would, so everything above it (paginators, callers' middleware, error handling) runs unchanged.
 */
import type { MiddlewareStack } from '@smithy/types';
import { isWrite, recordWrite } from './cloudtrail.js';
import type { Handler, OpContext } from './context.js';
import { cloudtrailError, dynamoError, ec2Error, eicError, elbv2Error, responseMetadata, ssmError } from './errors.js';
import { wildcardRegExp } from './filters.js';
import type { SandboxState } from './state.js';

/** The services the sandbox answers, with their IAM prefixes. */
export type SandboxService =
  | 'ec2'
  | 'ssm'
  | 'ec2-instance-connect'
  | 'dynamodb'
  | 'cloudtrail'
  | 'elasticloadbalancing';

/** One call the sandbox answered (or refused). */
export interface SandboxCall {
  service: string;
  operation: string;
  /** The AWS error code when the call failed. */
  error?: string;
}

interface AttachOptions {
  service: SandboxService;
  handlers: Record<string, Handler>;
  state: SandboxState;
  calls: SandboxCall[];
  /** Simulated latency per call (benchmarks); 0 answers at once. */
  latencyMs: number;
}

function failer(service: SandboxService, requestId: string) {
  return (code: string, message?: string): never => {
    if (service === 'ec2') throw ec2Error(code, message ?? code, requestId);
    if (service === 'ssm') throw ssmError(code, message, requestId);
    if (service === 'dynamodb') throw dynamoError(code, message ?? code, requestId);
    if (service === 'cloudtrail') throw cloudtrailError(code, message ?? code, requestId);
    if (service === 'elasticloadbalancing') throw elbv2Error(code, message ?? code, requestId);
    throw eicError(code, message ?? code, requestId);
  };
}

/** True when the caller is denied `action` (`ec2:CreateRoute`); the deny list takes `*` wildcards. */
function denied(state: SandboxState, action: string): boolean {
  for (const pattern of state.deniedActions) if (wildcardRegExp(pattern).test(action)) return true;
  return false;
}

/** AWS's wording of an IAM refusal. */
function deniedMessage(state: SandboxState, action: string): string {
  return (
    `You are not authorized to perform this operation. User: arn:aws:iam::${state.accountId}:user/whyping-sandbox ` +
    `is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`
  );
}

/** Any SDK client (EC2, SSM, EC2 Instance Connect): all the sandbox needs is its middleware stack. */
// biome-ignore lint/suspicious/noExplicitAny: the stack's input/output types differ per client
type AnyClient = { middlewareStack: MiddlewareStack<any, any> };

/** Adds the answering middleware to `client`. */
export function attachSandbox(client: AnyClient, opts: AttachOptions): void {
  const { service, handlers, state, calls } = opts;
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const requestId = state.ids.requestId();
      const fail = failer(service, requestId);
      const call: SandboxCall = { service, operation };
      calls.push(call);
      if (opts.latencyMs > 0) await new Promise((r) => setTimeout(r, opts.latencyMs));
      try {
        const action = `${service}:${operation}`;
        if (denied(state, action)) {
          if (service === 'ec2') fail('UnauthorizedOperation', deniedMessage(state, action));
          // EC2 Instance Connect models IAM refusals as AuthException; SSM answers AccessDeniedException.
          if (service === 'ec2-instance-connect') fail('AuthException', deniedMessage(state, action));
          fail(
            'AccessDeniedException',
            deniedMessage(state, action).replace('You are not authorized to perform this operation. ', ''),
          );
        }
        const handler = handlers[operation];
        if (!handler) {
          if (service === 'ec2')
            fail(
              'InvalidAction',
              `The action ${operation} is not valid for this web service (the whyping sandbox does not answer it).`,
            );
          fail('UnknownOperationException', `The sandbox does not answer ${operation}`);
        }
        const ctx: OpContext = { state, requestId, fail };
        const input = (args.input ?? {}) as Record<string, unknown>;
        const result = (handler as Handler)(structuredClone(input), ctx);
        // CloudTrail records the management writes that succeeded, with the caller and the parameters.
        if (service === 'ec2' && isWrite(operation)) recordWrite(state, operation, structuredClone(input));
        return {
          output: { ...result, $metadata: responseMetadata(requestId) },
          response: { statusCode: 200, headers: { 'x-amzn-requestid': requestId }, body: undefined },
        };
      } catch (e) {
        call.error = (e as { name?: string }).name ?? 'Error';
        throw e;
      }
    },
    { step: 'initialize', priority: 'low', name: 'whypingSandbox', tags: ['SANDBOX'], override: true },
  );
}
