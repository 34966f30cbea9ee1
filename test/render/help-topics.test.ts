import { describe, expect, it } from 'vitest';
import { findHelpTopic, HELP_TOPICS } from '../../src/render/help-topics.js';
import { helpText } from '../../src/render/views.js';

describe('help topics', () => {
  it('wraps every topic at 80 columns and lists each one in help', () => {
    for (const t of HELP_TOPICS) {
      for (const line of t.text.split('\n')) expect(line.length, `${t.id}: ${line}`).toBeLessThanOrEqual(80);
      expect(helpText('shell')).toMatch(new RegExp(`\\n {2}${t.id} +${t.title.replace(/[()]/g, '.')}`));
      expect(helpText('slack')).toContain(`  ${t.id} `);
    }
  });

  it("keeps the shell's help within 80 columns, so a terminal never wraps it mid-column", () => {
    for (const line of helpText('shell').split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('holds what the short sentences leave out', () => {
    const flat = (id: string) => findHelpTopic(id)?.text.replace(/\s+/g, ' ') ?? '';
    expect(flat('EIC')).toContain("If the instance has no public IP by design, don't give it one");
    expect(flat('eic')).toContain(
      'Browser EC2 Instance Connect from the service range needs a public IP; an endpoint does not.',
    );
    expect(flat('peer-sg')).toContain('AWS accepts such a rule only across an active VPC peering.');
  });

  it('names /whyping help in Slack for an unknown topic', () => {
    expect(helpText('slack', 'nope')).toMatch(/^No help topic "nope"\. The topics \(\/whyping help <topic>\):/);
  });
});
