/**
 * Help topics: the full explanation behind a short sentence of an answer that ends with a pointer such as
 * "(help eic)". The engine and the probes name a topic only by its id in their text; the front ends print the
 * topic (shell and Slack `help <topic>`, CLI `whyping explain <topic>`). Each text is wrapped at 80 columns.
 */

export interface HelpTopic {
  id: string;
  title: string;
  text: string;
}

export const HELP_TOPICS: readonly HelpTopic[] = [
  {
    id: 'eic',
    title: 'reach an instance without a public IP: EC2 Instance Connect Endpoint',
    text: `Browser EC2 Instance Connect connects from the region's EC2 Instance Connect
service range (the "eic" end), so it needs the instance to have a public IPv4
address. If the instance has no public IP by design, don't give it one:
  1. create an EC2 Instance Connect Endpoint in its VPC;
  2. allow tcp/22 out of the endpoint's security group to the instance, and
     into the instance's security group from the endpoint's security group;
  3. connect with
       aws ec2-instance-connect ssh --instance-id <instance-id> \\
         --connection-type eice
     (or choose the endpoint in the console).
Browser EC2 Instance Connect from the service range needs a public IP; an
endpoint does not.`,
  },
  {
    id: 'peer-sg',
    title: "a security group rule that names a peer VPC's group",
    text: `A security group rule can name a security group of a peered VPC (same region)
as its source or destination, instead of an address range. A fix says so with
"(a peer VPC's group, across pcx-…)".
AWS accepts such a rule only across an active VPC peering. While the peering
is not active (pending acceptance), the rule is applied once the peering is
active: the fix that accepts the peering comes first, the rule after it, and
the rule's dry run failing before the acceptance does not stop the fixes.`,
  },
];

/** The topic with this id (case-insensitive), or undefined. */
export function findHelpTopic(id: string): HelpTopic | undefined {
  const want = id.trim().toLowerCase();
  return HELP_TOPICS.find((t) => t.id === want);
}

/** One line a topic: `  eic      reach an instance …`. */
export function helpTopicLines(): string[] {
  const width = Math.max(...HELP_TOPICS.map((t) => t.id.length));
  return HELP_TOPICS.map((t) => `  ${t.id.padEnd(width)}  ${t.title}`);
}

/** The text of a topic, or, for an unknown one, what it is not and the topics there are. */
export function helpTopicText(id: string, how: string): { known: boolean; text: string } {
  const topic = findHelpTopic(id);
  if (topic) return { known: true, text: `${topic.title}\n\n${topic.text}` };
  const shown = JSON.stringify(id.slice(0, 40));
  return {
    known: false,
    text: [`No help topic ${shown}. The topics (${how} <topic>):`, ...helpTopicLines()].join('\n'),
  };
}
