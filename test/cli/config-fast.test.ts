import { describe, expect, it } from 'vitest';
import { readFast, readWithSchema } from '../../src/config.js';

// Values each variable is tried with: unset, blank, valid, edge and invalid spellings.
const VALUES = [
  undefined,
  '',
  '  ',
  '0',
  '1',
  '5',
  '24',
  '90',
  '91',
  '600',
  '601',
  '65535',
  '65536',
  ' 80 ',
  '1.5',
  '1e3',
  '0x10',
  '-1',
  'abc',
  'on',
  'OFF',
  ' Debug ',
  'info',
  'loud',
  'yes',
  'my-table',
  'ab',
  'a b c',
  'arn:aws:iam::123456789012:role/Name',
  ' arn:aws-cn:iam::123456789012:role/a/b ',
  'arn:aws:iam::1:role/x',
  'x'.repeat(31),
  ` ${'k'.repeat(40)} `,
  '/home/u/',
  'xoxb-1',
  'C123,C456',
];
const NAMES = [
  'WHYPING_LOG_LEVEL',
  'WHYPING_SANDBOX',
  'WHYPING_PROBES',
  'AWS_REGION',
  'WHYPING_ROLE_ARN',
  'PORT',
  'WHYPING_PROBE_TIMEOUT_S',
  'WHYPING_LOCK_TABLE',
  'WHYPING_HISTORY_DAYS',
  'AWS_DEFAULT_REGION',
  'SLACK_BOT_TOKEN',
  'SLACK_API_URL',
  'HOST',
  'WHYPING_FIXERS',
  'WHYPING_FIX_ROLE_ARN',
  'NO_COLOR',
  'WHYPING_SECRET',
  'WHYPING_UNDO_TTL_H',
  'WHYPING_AWS_TIMEOUT_S',
  'WHYPING_MAX_SNAPSHOT_MB',
  'XDG_CONFIG_HOME',
  'HOME',
];

const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

describe('the environment read without zod', () => {
  it('agrees with the zod schema wherever it answers, and answers for unset and plainly valid values', () => {
    let answered = 0;
    for (const name of NAMES) {
      for (const value of VALUES) {
        const env = value === undefined ? {} : { [name]: value };
        const fast = readFast(env);
        let schema: object | string;
        try {
          schema = defined(readWithSchema(env));
        } catch (e) {
          schema = (e as Error).message;
        }
        if (fast === undefined) continue;
        answered++;
        expect(defined(fast), `${name}=${JSON.stringify(value)}`).toEqual(schema);
      }
    }
    // Unset and blank always; most valid values too (the rest go to the schema, which words any error).
    expect(answered).toBeGreaterThan(NAMES.length * 6);
    expect(readFast({ PORT: '8080', WHYPING_LOG_LEVEL: 'debug', WHYPING_SANDBOX: 'seed' })).toBeDefined();
    expect(readFast({ PORT: '0' })).toBeUndefined();
  });
});
