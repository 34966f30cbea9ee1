/** SSM Run Command probes, their output parsers, reconcile, and the EC2 Instance Connect check. */
export * from './command.js';
export * from './instance-connect.js';
export * from './parse.js';
export * from './reconcile.js';
export * from './run.js';
export * from './ssm-path.js';
