/** Fix executors: plans become EC2 writes (dry-run first, idempotent, audited) and undo plans travel as tokens. */
export {
  type Audit,
  AwsCallError,
  auditDescription,
  auditTags,
  sanitizeSgDescription,
  sanitizeTagValue,
} from './aws.js';
export { type ApplyContext, type ApplyResult, EIP_TARGET_TAG, executeFix } from './execute.js';
export {
  decodeUndoToken,
  encodeUndoToken,
  MAX_UNDO_TOKEN_LENGTH,
  type PermissionSpec,
  type RouteTargetSpec,
  type UndoPlan,
  type UndoStep,
} from './undo.js';
export { executeUndo } from './undo-exec.js';
