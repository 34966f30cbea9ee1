/**
 * An end named in another account: `i-0abc…@444455556666`, `db-b@444455556666`, or with its region,
 * `db-b@444455556666/eu-west-1`. Parsed strictly (a 12-digit account, a region of AWS's shape); the text is only ever
 * compared with what AWS returns or sent as a filter value, never to a shell. Pure: no SDK.
 */
import { WhypingError } from '../errors.js';
import { isIp } from '../net/ip.js';

/** An end's text without its account suffix, and the account (and region) it names, when it names one. */
export interface EndText {
  /** What is looked up: an instance id, a Name, an ENI id or an address. */
  text: string;
  account?: string;
  region?: string;
}

const QUALIFIED = /^(.+)@(\d{12})(?:\/([a-z]{2}(?:-[a-z]+)+-\d))?$/;
const ACCOUNT = /^\d{12}$/;

function bad(message: string, input: string): WhypingError {
  return new WhypingError('BAD_INPUT', message, { input });
}

/**
 * Splits `X@account[/region]`. A Name may contain `@` (`ops@team`): only a suffix of digits is read as an account, and
 * then it must be 12 digits; an id or an address followed by `@` must name a 12-digit account.
 */
export function parseEnd(input: string): EndText {
  const t = input.trim();
  const at = t.lastIndexOf('@');
  if (at < 0) return { text: input };
  const m = QUALIFIED.exec(t);
  if (m) {
    const [, text, account, region] = m as unknown as [string, string, string, string | undefined];
    return { text: text.trim(), account, ...(region ? { region } : {}) };
  }
  const head = t.slice(0, at);
  const tail = t.slice(at + 1);
  const idLike = /^(i|eni)-[0-9a-z]+$/i.test(head) || isIp(head);
  if (/^\d/.test(tail) || idLike) {
    throw bad(
      `"${t}": after @ comes the 12-digit account id of the end, optionally with its region (i-0abc@444455556666 or db-b@444455556666/eu-west-1).`,
      input,
    );
  }
  return { text: input };
}

/** Validates --from-account / --to-account: a 12-digit account id. */
export function parseAccountFlag(flag: string, value: string): string {
  const v = value.trim();
  if (!ACCOUNT.test(v))
    throw bad(`${flag} takes a 12-digit AWS account id (e.g. 444455556666), not "${value}".`, value);
  return v;
}

/**
 * The end's text with the account a flag gives (validated: 12 digits); an end naming another account already is bad
 * input. No flag: the end as typed.
 */
export function withAccount(end: string, flagValue: string | undefined, flag: string): string {
  if (flagValue === undefined) return end;
  const account = parseAccountFlag(flag, flagValue);
  const parsed = parseEnd(end);
  if (parsed.account && parsed.account !== account) {
    throw bad(`"${end}" names account ${parsed.account}, and ${flag} says ${account}: keep one.`, end);
  }
  if (parsed.account) return end;
  return `${parsed.text.trim()}@${account}`;
}

/** How an end is written back with its account (for messages and labels). */
export function endLabel(e: EndText): string {
  return e.account ? `${e.text}@${e.account}${e.region ? `/${e.region}` : ''}` : e.text;
}
