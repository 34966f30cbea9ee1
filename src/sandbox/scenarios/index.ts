/**
 * Built-in scenarios: each is a describe-* JSON file (`<name>.json`) and, optionally, a host-facts file
 * (`<name>.host.json`) in this folder, loadable by name.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WhypingError } from '../../errors.js';
import type { RawSnapshotFile } from '../../model/index.js';
import type { HostFacts } from '../state.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The scenario the sandbox loads when none is named. */
export const DEFAULT_SCENARIO = 'seed-lab';

/** A loaded scenario: its describe-* documents, its host facts and its one-line story. */
export interface Scenario {
  name: string;
  files: RawSnapshotFile[];
  hostFacts: HostFacts;
  description: string;
}

/** Names of the built-in scenarios. */
export function listScenarios(): string[] {
  return readdirSync(HERE)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.host.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Loads a built-in scenario by name; throws BAD_INPUT naming the known ones. */
export function loadScenario(name: string): Scenario {
  const path = join(HERE, `${name}.json`);
  if (!/^[a-z0-9-]+$/.test(name) || !existsSync(path)) {
    throw new WhypingError('BAD_INPUT', `No sandbox scenario named "${name}". Known: ${listScenarios().join(', ')}.`, {
      candidates: listScenarios(),
    });
  }
  const data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const hostPath = join(HERE, `${name}.host.json`);
  const hostFacts = existsSync(hostPath) ? (JSON.parse(readFileSync(hostPath, 'utf8')) as HostFacts) : {};
  const description = hostFacts.description ?? (typeof data.Description === 'string' ? data.Description : name);
  return { name, files: filesOf(name, data), hostFacts, description };
}

/**
 * The scenario's documents: one account and region, or under `Accounts` one set per account and region
 * (`{"Accounts": {"111122223333": {"us-east-1": {"Vpcs": […]}}}}`, the `aws_configs/accounts/<id>/<region>/` layout).
 */
function filesOf(name: string, data: Record<string, unknown>): RawSnapshotFile[] {
  const accounts = data.Accounts as Record<string, Record<string, Record<string, unknown>>> | undefined;
  if (!accounts || typeof accounts !== 'object')
    return [{ path: `sandbox:${name}.json`, data, region: regionOf(data) }];
  return Object.entries(accounts).flatMap(([accountId, regions]) =>
    Object.entries(regions).map(([region, docs]) => ({
      path: `sandbox:${name}/${accountId}/${region}.json`,
      data: docs,
      region,
      accountId,
    })),
  );
}

/** The region of a scenario, from its first subnet's availability zone (`us-east-1a` → `us-east-1`). */
function regionOf(data: Record<string, unknown>): string | undefined {
  const subnets = data.Subnets;
  const az = Array.isArray(subnets)
    ? (subnets[0] as { AvailabilityZone?: string } | undefined)?.AvailabilityZone
    : undefined;
  return az ? az.replace(/[a-z]$/, '') : undefined;
}
