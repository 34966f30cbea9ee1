/** The question a greeting suggests: two instances of the account in use, or placeholders when it has fewer. */
import { someInstanceNames } from '../collect/names.js';
import type { Deps } from './deps.js';

/** `why can't Instance - NextWork VPC 1 ping Instance - NextWork VPC 2` (unquoted: the grammar separates the ends). */
export async function suggestedQuestion(deps: Deps): Promise<string> {
  const [a, b] = await someInstanceNames(deps.clients.ec2);
  return a && b ? `why can't ${a} ping ${b}` : "why can't <instance> ping <instance>";
}
