/** Fix executors: plans become EC2 writes (dry-run first, idempotent, audited) and undo plans travel as tokens. */

export { ownerOfChange } from './actions/index.js';
export {
  type Audit,
  type AwsCallError,
  auditDescription,
  auditTags,
  isoSeconds,
  sanitizeSgDescription,
  sanitizeTagValue,
} from './aws.js';
export { type ApplyContext, type ApplyResult, EIP_TARGET_TAG, executeFix } from './execute.js';
export {
  describeUndoStep,
  encodeUndoTokens,
  MAX_UNDO_TOKEN_LENGTH,
  type PermissionSpec,
  type RouteTargetSpec,
  type UndoChange,
  type UndoStep,
  type UndoToken,
  verifyUndoToken,
} from './undo.js';
export { executeUndo, type UndoContext, type UndoResult } from './undo-exec.js';
