/** Parsing an end's account suffix and the --from-account / --to-account flags: strict, 12 digits, never a guess. */
import { describe, expect, it } from 'vitest';
import { parseAccountFlag, parseEnd, withAccount } from '../../src/collect/ends.js';

describe('parseEnd', () => {
  it('splits an id, a Name or an address from its 12-digit account and optional region', () => {
    expect(parseEnd('i-0abc@444455556666')).toEqual({ text: 'i-0abc', account: '444455556666' });
    expect(parseEnd('db-b@444455556666/eu-west-1')).toEqual({
      text: 'db-b',
      account: '444455556666',
      region: 'eu-west-1',
    });
    expect(parseEnd('10.0.0.1@444455556666')).toEqual({ text: '10.0.0.1', account: '444455556666' });
    expect(parseEnd('web 1@444455556666')).toEqual({ text: 'web 1', account: '444455556666' });
  });

  it('leaves a Name with @ and no account alone', () => {
    expect(parseEnd('ops@team')).toEqual({ text: 'ops@team' });
    expect(parseEnd('db-1')).toEqual({ text: 'db-1' });
  });

  it('refuses an account that is not 12 digits, or an id followed by anything else', () => {
    for (const bad of [
      'db-b@12345',
      'db-b@4444555566667',
      'i-0abc@partner',
      '10.0.0.1@x',
      'db-b@444455556666/Europe',
    ]) {
      expect(() => parseEnd(bad), bad).toThrow(/12-digit account id/);
    }
  });
});

describe('--from-account / --to-account', () => {
  it('takes 12 digits only', () => {
    expect(parseAccountFlag('--to-account', ' 444455556666 ')).toBe('444455556666');
    expect(() => parseAccountFlag('--to-account', '4444-5555-6666')).toThrow(
      '--to-account takes a 12-digit AWS account id',
    );
    expect(() => parseAccountFlag('--to-account', '$(id)')).toThrow(/12-digit/);
  });

  it('writes the account onto the end, and refuses two different accounts for one end', () => {
    expect(withAccount('db-b', '444455556666', '--to-account')).toBe('db-b@444455556666');
    expect(withAccount('db-b', undefined, '--to-account')).toBe('db-b');
    expect(withAccount('db-b@444455556666', '444455556666', '--to-account')).toBe('db-b@444455556666');
    expect(() => withAccount('db-b@444455556666', '555566667777', '--to-account')).toThrow(
      'names account 444455556666, and --to-account says 555566667777',
    );
  });
});
