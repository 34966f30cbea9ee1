import { describe, expect, it } from 'vitest';
import { parseRequest, parseRequestArgs, tokenize } from '../../src/core/request.js';
import { WhypingError } from '../../src/errors.js';
import type { Query } from '../../src/model/index.js';

const q = (from: string, to: string, protocol: Query['protocol'] = 'icmp', port: number | null = null): Query => ({
  from,
  to,
  protocol,
  port,
});

function badInput(fn: () => unknown): WhypingError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WhypingError);
    expect((e as WhypingError).code).toBe('BAD_INPUT');
    expect((e as WhypingError).exitCode).toBe(2);
    return e as WhypingError;
  }
  throw new Error('expected BAD_INPUT, nothing was thrown');
}

describe('parseRequest understands every form of the question', () => {
  const cases: [string, Query][] = [
    ['web-1 db-1', q('web-1', 'db-1')],
    ['  web-1    db-1  ', q('web-1', 'db-1')],
    ['web-1\tdb-1\n', q('web-1', 'db-1')],
    ['web-1 db-1 icmp', q('web-1', 'db-1')],
    ['web-1 db-1 ping', q('web-1', 'db-1')],
    ['web-1 db-1 tcp 443', q('web-1', 'db-1', 'tcp', 443)],
    ['web-1 db-1 TCP 443', q('web-1', 'db-1', 'tcp', 443)],
    ['web-1 db-1 udp 53', q('web-1', 'db-1', 'udp', 53)],
    ['web-1 db-1 tcp/443', q('web-1', 'db-1', 'tcp', 443)],
    ['web-1 db-1 443/tcp', q('web-1', 'db-1', 'tcp', 443)],
    ['web-1 db-1 udp:53', q('web-1', 'db-1', 'udp', 53)],
    ['web-1 db-1 tcp port 5432', q('web-1', 'db-1', 'tcp', 5432)],
    ['web-1 db-1 port 5432', q('web-1', 'db-1', 'tcp', 5432)],
    ['web-1 db-1 443', q('web-1', 'db-1', 'tcp', 443)],
    ['web-1 db-1 --protocol udp --port 53', q('web-1', 'db-1', 'udp', 53)],
    ['web-1 db-1:443', q('web-1', 'db-1', 'tcp', 443)],
    ['web-1 db-1:53 udp', q('web-1', 'db-1', 'udp', 53)],
    ['web-1 db-1:443 tcp 443', q('web-1', 'db-1', 'tcp', 443)],
    ['web-1 db-1 tcp 1', q('web-1', 'db-1', 'tcp', 1)],
    ['web-1 db-1 tcp 65535', q('web-1', 'db-1', 'tcp', 65535)],
    ['"web 1" db-1 tcp 443', q('web 1', 'db-1', 'tcp', 443)],
    ["'web 1' 'db 1'", q('web 1', 'db 1')],
    [
      '"Instance - NextWork VPC 1" "Instance - NextWork VPC 2"',
      q('Instance - NextWork VPC 1', 'Instance - NextWork VPC 2'),
    ],
    ['\u201cweb 1\u201d db-1', q('web 1', 'db-1')],
    ['\u2018web 1\u2019 db-1', q('web 1', 'db-1')],
    ['"say \\"hi\\"" db-1', q('say "hi"', 'db-1')],
    ["'it''s' db-1", q('its', 'db-1')],
    ['web\\ 1 db-1', q('web 1', 'db-1')],
    ['"ping" "tcp"', q('ping', 'tcp')],
    ['"web 1":443 db-1', q('web 1:443', 'db-1')],
    ['i-0abc123 10.2.4.95', q('i-0abc123', '10.2.4.95')],
    ['eni-0abc 10.2.4.95', q('eni-0abc', '10.2.4.95')],
    ['internet web-1 tcp 80', q('internet', 'web-1', 'tcp', 80)],
    ['10.1.0.12 10.2.4.95:22', q('10.1.0.12', '10.2.4.95', 'tcp', 22)],
    ['fe80::1 2001:db8::1', q('fe80::1', '2001:db8::1')],
    ['web-1 [2001:db8::1]:443', q('web-1', '2001:db8::1', 'tcp', 443)],
    ["why can't web-1 ping db-1", q('web-1', 'db-1')],
    ['why can\u2019t web-1 ping db-1?', q('web-1', 'db-1')],
    ["Why can't web-1 ping db-1?", q('web-1', 'db-1')],
    ["why can't web-1 ping db-1 on 443", q('web-1', 'db-1', 'tcp', 443)],
    ['can web-1 reach db-1 on 443', q('web-1', 'db-1', 'tcp', 443)],
    ['can web-1 reach db-1 on port 443?', q('web-1', 'db-1', 'tcp', 443)],
    ['can web-1 reach db-1 over udp 53', q('web-1', 'db-1', 'udp', 53)],
    ['can web-1 connect to db-1 on 5432', q('web-1', 'db-1', 'tcp', 5432)],
    ['can web-1 ssh to db-1', q('web-1', 'db-1', 'tcp', 22)],
    ['can web-1 reach db-1 with https', q('web-1', 'db-1', 'tcp', 443)],
    ['from web-1 to db-1', q('web-1', 'db-1')],
    ['to db-1 from web-1 tcp 443', q('web-1', 'db-1', 'tcp', 443)],
    ["why doesn't traffic from web-1 reach db-1", q('web-1', 'db-1')],
    ['why can\'t "web 1" ping "db 1"', q('web 1', 'db 1')],
    ["why can't I connect to web-1 with ec2 instance connect", q('eic', 'web-1', 'tcp', 22)],
    ["why can't I connect to web-1 with EC2 Instance Connect?", q('eic', 'web-1', 'tcp', 22)],
    ['connect to "Instance - NextWork VPC 1" via instance connect', q('eic', 'Instance - NextWork VPC 1', 'tcp', 22)],
    ['eic web-1', q('eic', 'web-1', 'tcp', 22)],
    ['ec2-instance-connect web-1', q('ec2-instance-connect', 'web-1', 'tcp', 22)],
    ['eic web-1 tcp 2222', q('eic', 'web-1', 'tcp', 2222)],
    ['web-1, db-1', q('web-1', 'db-1')],
    // Slack message text
    ["<@U0WHYPING> why can't web-1 ping db-1", q('web-1', 'db-1')],
    ['<@U0WHYPING|whyping> web-1 db-1 tcp 443', q('web-1', 'db-1', 'tcp', 443)],
    ['<!here> web-1 db-1', q('web-1', 'db-1')],
    ['web-1 <http://db-1.example.com|db-1.example.com>:443', q('web-1', 'db-1.example.com', 'tcp', 443)],
    ['web-1 <http://db-1.example.com>', q('web-1', 'db-1.example.com')],
    ['"R&amp;D box" db-1', q('R&D box', 'db-1')],
    ['\u201cInstance - NextWork VPC 1\u201d 10.2.4.95', q('Instance - NextWork VPC 1', '10.2.4.95')],
  ];
  it.each(cases)('reads %j', (text, expected) => {
    expect(parseRequest(text)).toEqual(expected);
  });
});

describe('parseRequest refuses bad input with a specific message', () => {
  const cases: [string, RegExp][] = [
    ['', /Name two ends.*got none/],
    ['   ', /Name two ends.*got none/],
    ['web-1', /only "web-1"/],
    ['web-1 db-1 cache-1', /Too many ends/],
    ['web 1 db-1', /Too many ends.*quote a Name/],
    ['"web 1 db-1', /Unbalanced double quote/],
    ["'web 1 db-1", /Unbalanced single quote/],
    ['web-1 "db-1', /Unbalanced double quote/],
    ['"" db-1', /endpoint is empty/],
    ['web-1 db-1 tcp 0', /out of range/],
    ['web-1 db-1 tcp 65536', /out of range/],
    ['web-1 db-1 tcp 99999999999999999999', /out of range/],
    ['web-1 db-1 tcp -1', /not a whole number/],
    ['web-1 db-1 tcp 44.3', /not a whole number/],
    ['web-1 db-1:0', /out of range/],
    ['web-1 db-1:70000', /out of range/],
    ['web-1 db-1: ', /not a port/],
    [':443 db-1', /no endpoint before the colon/],
    ['web-1 db-1 port abc', /"abc" is not a port/],
    ['web-1 db-1 port', /needs a port number/],
    ['web-1 db-1 tcp', /TCP needs a port/],
    ['web-1 db-1 udp', /UDP needs a port/],
    ['web-1 db-1 icmp 443', /ICMP \(ping\) has no port/],
    ['web-1 db-1:443 icmp', /ICMP \(ping\) has no port/],
    ['web-1 db-1 icmp tcp 443', /Two protocols/],
    ['web-1 db-1 tcp 443 udp 53', /Two protocols|Two ports/],
    ['web-1 db-1:443 tcp 80', /Two ports given \(443 and 80\)/],
    ['web-1 db-1 --protocol sctp', /Unknown protocol "sctp"/],
    ['web-1 db-1 --protocol', /needs a value/],
    ['web-1 db-1 --frobnicate', /Unknown option --frobnicate/],
    ['from web-1 from db-1', /Both ends are marked "from"/],
    ["why can't I ping web-1", /only "web-1"/],
    ['connect to web-1 and db-1 with ec2 instance connect', /name one instance/],
    ['10.1.0.999 10.2.4.95', /"10\.1\.0\.999" is not a valid IP address/],
    ['10.1.0.12 10.2.4', /"10\.2\.4" is not a valid IP address/],
    ['10.1.0.12 10.2.4.95.7:22', /"10\.2\.4\.95\.7" is not a valid IP address/],
    ['10.1.0.0/16 10.2.4.95', /"10\.1\.0\.0\/16" is a CIDR range.*one address/],
    ['10.1.0.12/33 10.2.4.95', /"10\.1\.0\.12\/33" is a CIDR range.*one address/],
  ];
  it.each(cases)('refuses %j', (text, message) => {
    expect(badInput(() => parseRequest(text)).message).toMatch(message);
  });
});

describe('parseRequest is safe with hostile text', () => {
  it('refuses text longer than 1000 characters', () => {
    expect(badInput(() => parseRequest(`web-1 ${'a'.repeat(2000)}`)).message).toMatch(/under 1000/);
  });
  it('refuses an endpoint longer than 256 characters', () => {
    expect(badInput(() => parseRequest(`web-1 ${'a'.repeat(300)}`)).message).toMatch(/at most 256/);
  });
  it.each([
    ['a NUL byte', 'web-1\u0000 db-1'],
    ['an escape sequence', 'web-1 \u001b[31mdb-1'],
    ['a bidi override', 'web-1 \u202edb-1'],
    ['a zero-width space', 'web-1 d\u200bb-1'],
    ['a DEL character', 'web-1 db-1\u007f'],
  ])('refuses %s', (_label, text) => {
    expect(badInput(() => parseRequest(text)).message).toMatch(/control or invisible characters/);
  });
  it('keeps shell metacharacters as plain text (they never reach a shell)', () => {
    expect(parseRequest('"$(rm -rf /)" "`id`;|&"')).toEqual(q('$(rm -rf /)', '`id`;|&'));
  });
  it('does not treat object prototype names as keywords', () => {
    expect(parseRequest('constructor __proto__')).toEqual(q('constructor', '__proto__'));
  });
  it('never throws anything but BAD_INPUT on random text', () => {
    const alphabet = ' "\'\\:/-.0123456789abcdeiptcu?\u2019\u201c';
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 2000; n++) {
      const len = Math.floor(rnd() * 30);
      let text = '';
      for (let k = 0; k < len; k++) text += alphabet[Math.floor(rnd() * alphabet.length)];
      try {
        const r = parseRequest(text);
        expect(r.from.length).toBeGreaterThan(0);
        expect(r.to.length).toBeGreaterThan(0);
        expect(r.protocol === 'icmp' ? r.port === null : Number.isInteger(r.port)).toBe(true);
      } catch (e) {
        expect((e as WhypingError).code, `text ${JSON.stringify(text)}`).toBe('BAD_INPUT');
      }
    }
  });
});

describe('parseRequestArgs reads CLI arguments with the same rules', () => {
  it('keeps an argument with spaces as one endpoint', () => {
    expect(parseRequestArgs('Instance - NextWork VPC 1', '10.2.4.95')).toEqual(
      q('Instance - NextWork VPC 1', '10.2.4.95'),
    );
  });
  it('keeps an argument that is a keyword as an endpoint', () => {
    expect(parseRequestArgs('ping', 'tcp')).toEqual(q('ping', 'tcp'));
  });
  it('reads the :port shorthand', () => {
    expect(parseRequestArgs('web-1', 'db-1:443')).toEqual(q('web-1', 'db-1', 'tcp', 443));
  });
  it('keeps a load balancer ARN whole: its colons are never host:port', () => {
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/shop/50dc6c495c0c9188';
    expect(parseRequestArgs('web-1', arn, { port: '80' })).toEqual(q('web-1', arn, 'tcp', 80));
    expect(parseRequest(`web-1 ${arn} tcp 80`)).toEqual(q('web-1', arn, 'tcp', 80));
    expect(parseRequestArgs(arn, 'db-1')).toEqual(q(arn, 'db-1'));
  });
  it('reads --protocol and --port', () => {
    expect(parseRequestArgs('web-1', 'db-1', { protocol: 'udp', port: '53' })).toEqual(q('web-1', 'db-1', 'udp', 53));
    expect(parseRequestArgs('web-1', 'db-1', { protocol: 'ICMP' })).toEqual(q('web-1', 'db-1'));
  });
  it('defaults to tcp when only --port is given', () => {
    expect(parseRequestArgs('web-1', 'db-1', { port: '22' })).toEqual(q('web-1', 'db-1', 'tcp', 22));
  });
  it('refuses an end that is only spaces as empty', () => {
    expect(badInput(() => parseRequestArgs('web-1', '   ')).message).toMatch(/endpoint is empty/);
    expect(badInput(() => parseRequest('web-1 "  "')).message).toMatch(/endpoint is empty/);
  });

  it('refuses a malformed IP address or a CIDR range as an end', () => {
    expect(badInput(() => parseRequestArgs('10.1.0.999', 'db-1')).message).toMatch(/not a valid IP address/);
    expect(badInput(() => parseRequestArgs('web-1', '10.2.0.0/16')).message).toMatch(/is a CIDR range/);
  });

  it('refuses a bad port, a bad protocol and contradictions', () => {
    expect(badInput(() => parseRequestArgs('web-1', 'db-1', { port: '0' })).message).toMatch(/out of range/);
    expect(badInput(() => parseRequestArgs('web-1', 'db-1', { port: 'x' })).message).toMatch(/not a port/);
    expect(badInput(() => parseRequestArgs('web-1', 'db-1', { protocol: 'gre' })).message).toMatch(/Unknown protocol/);
    expect(badInput(() => parseRequestArgs('web-1', 'db-1', { protocol: 'tcp' })).message).toMatch(/TCP needs a port/);
    expect(badInput(() => parseRequestArgs('web-1', 'db-1', { protocol: 'icmp', port: '1' })).message).toMatch(
      /no port/,
    );
    expect(badInput(() => parseRequestArgs('web-1', 'db-1:443', { port: '80' })).message).toMatch(/Two ports/);
  });
});

describe('tokenize', () => {
  it('marks quoted words', () => {
    expect(tokenize('a "b c" d')).toEqual([
      { text: 'a', quoted: false },
      { text: 'b c', quoted: true },
      { text: 'd', quoted: false },
    ]);
  });
  it('keeps apostrophes inside words', () => {
    expect(tokenize("can't won't")).toEqual([
      { text: "can't", quoted: false },
      { text: "won't", quoted: false },
    ]);
  });
});
