/** EC2 over the wire for fix tests: a real EC2Client, nock answering EC2 Query XML, and a log of every form sent. */
import { EC2Client } from '@aws-sdk/client-ec2';
import nock from 'nock';

export const EC2_ORIGIN = 'https://ec2.us-east-1.amazonaws.com';

/** The test client every fix test uses (fake credentials, no retries). */
export function testEc2(): EC2Client {
  return new EC2Client({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
}

export type Form = Record<string, string>;

let counter = 0;
/** A fresh request id (what AWS puts in x-amzn-RequestId). */
export function requestId(): string {
  counter += 1;
  return `req-${String(counter).padStart(4, '0')}-0000-4000-8000-000000000000`;
}

/** An EC2 success body: `<ActionResponse>` with the given inner XML. */
export function okXml(action: string, inner = '<return>true</return>'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId()}</requestId>${inner}</${action}Response>`;
}

/** The EC2 error envelope. */
export function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId()}</RequestID></Response>`;
}

const STATUS: Record<string, number> = { DryRunOperation: 412, UnauthorizedOperation: 403 };

/** Reply spec: inner XML of a success, or an AWS error code. */
export type Reply = { inner?: string; requestId?: string } | { error: string; message?: string; status?: number };

/** Records every EC2 form the client sends; interceptors match on Action and on DryRun. */
export class Ec2Wire {
  readonly sent: Form[] = [];

  /** Expects one call of `action` (`dry: true` = with DryRun=true) and answers it. */
  on(action: string, reply: Reply, opts: { dry?: boolean; when?: (f: Form) => boolean } = {}): nock.Scope {
    const dry = opts.dry ?? false;
    return nock(EC2_ORIGIN)
      .post('/', (body: Form) => {
        if (body.Action !== action || (body.DryRun === 'true') !== dry) return false;
        if (opts.when && !opts.when(body)) return false;
        this.sent.push(body);
        return true;
      })
      .reply(() => {
        if ('error' in reply) {
          const id = requestId();
          return [
            reply.status ?? STATUS[reply.error] ?? 400,
            errorXml(reply.error, reply.message ?? `${reply.error} (test)`),
            { 'Content-Type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': id },
          ];
        }
        const id = reply.requestId ?? requestId();
        return [200, okXml(action, reply.inner), { 'Content-Type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': id }];
      });
  }

  /** Expects the DryRun call of `action` answered DryRunOperation (= would succeed). */
  dryOk(action: string, when?: (f: Form) => boolean): nock.Scope {
    return this.on(
      action,
      { error: 'DryRunOperation', message: 'Request would have succeeded, but DryRun flag is set.' },
      {
        dry: true,
        when,
      },
    );
  }

  /** Expects the DryRun call and then the real call of `action`, the real one answered with `inner`. */
  write(action: string, inner = '<return>true</return>', id?: string): void {
    this.dryOk(action);
    this.on(action, { inner, ...(id ? { requestId: id } : {}) });
  }

  /** Actions sent, `Action` or `Action(dry)`, in order. */
  get actions(): string[] {
    return this.sent.map((f) => (f.DryRun === 'true' ? `${f.Action}(dry)` : (f.Action ?? '?')));
  }

  /** The non-dry-run forms sent for `action`. */
  real(action: string): Form[] {
    return this.sent.filter((f) => f.Action === action && f.DryRun !== 'true');
  }
}
