/**
 * A problem the operator fixes outside the code (a setting, a missing service): the CLI prints its message
 * as one line, without a stack trace, and exits 1.
 */
export class OperatorError extends Error {
  override name = 'OperatorError';
}
