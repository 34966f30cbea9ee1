/** Shared helpers of the sandbox tests: catch an AWS error, the seed lab's ids. */
import { expect } from 'vitest';

/** Runs `fn`, expects it to throw, and returns the error (typed loosely, as AWS errors are). */
export async function awsError(fn: () => Promise<unknown>): Promise<{
  name: string;
  message: string;
  $fault: string;
  $metadata: { httpStatusCode?: number; requestId?: string };
  Code?: string;
}> {
  try {
    await fn();
  } catch (e) {
    return e as never;
  }
  expect.fail('expected an AWS error');
}

/** Ids of the seed lab (src/sandbox/scenarios/seed-lab.json). */
export const SEED = {
  vpc1: 'vpc-0e5b1c9d2f4a71a01',
  vpc2: 'vpc-07c3d8e21b6f92b02',
  subnet1: 'subnet-0f1a2b3c4d5e60a11',
  subnet2: 'subnet-04d9e8c7b6a5f2b12',
  rtbMain1: 'rtb-0a9b8c7d6e5f4a101',
  rtbPublic1: 'rtb-03e4f5a6b7c8d9e11',
  rtbPublic2: 'rtb-06f7a8b9c0d1e2f22',
  sg1: 'sg-0c4f1e2d3a5b6c711',
  sg2: 'sg-0d5a2f3e4b6c7d822',
  acl1: 'acl-0d3c2b1a0f9e8d701',
  eni1: 'eni-0f0e1d2c3b4a59611',
  eni2: 'eni-0e1f2a3b4c5d6e722',
  instance1: 'i-0a7b3c9d1e5f20311',
  instance2: 'i-0b8c4d0e2f6a31422',
  igw1: 'igw-0c2d4e6f8a0b1c3d1',
  pcx: 'pcx-0d6e7f8a9b0c1d2e3',
  eicPrefixList: 'pl-0e7a1b2c3d4e5f601',
} as const;
