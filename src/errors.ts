/**
 * Capstan's one error hierarchy. Every error a user can cause is a {@link CapstanError} with a
 * stable `code`; the CLI prints `error: <message>` plus an optional hint and exits with
 * `exitCode`, never with a stack trace (unless `--verbose`). Any other thrown value is a bug.
 *
 * This module is a leaf: every layer (loader, engine, compose, cli) may import it.
 */

/** Stable error codes. Tests and library users match on these, never on message text. */
export type ErrorCode =
  | 'USAGE' // bad command line
  | 'LOADER' // compose file, .env or interpolation problem (has a source position)
  | 'NO_CONFIG_FILE' // no compose file given or found (commands that can fall back to labels do)
  | 'VALIDATION' // schema or consistency problem in the model
  | 'UNSUPPORTED' // a valid attribute this engine (API version, OS) or Capstan cannot apply
  | 'ENGINE' // the Docker engine answered with an error
  | 'ENGINE_UNREACHABLE' // no engine answered at all
  | 'NOT_FOUND' // an engine object does not exist
  | 'CONFLICT' // an engine object is in the way (name taken, port allocated)
  | 'DEPENDENCY' // a depends_on condition failed
  | 'TIMEOUT'
  | 'CANCELLED'; // Ctrl+C / SIGTERM

export interface ErrorOptions {
  /** One line telling the user what to do about it. */
  hint?: string;
  /** Up to three lines of detail printed under the message. */
  details?: string[];
  cause?: unknown;
  /** Process exit status; defaults to 1 (130 for CANCELLED). */
  exitCode?: number;
}

/** Base class: a failure with a code, a one-line message, optional hint and detail lines. */
export class CapstanError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: string[];
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? [];
    this.exitCode = options.exitCode ?? (code === 'CANCELLED' ? 130 : 1);
  }
}

/** Where in a source file something is. Lines and columns are 1-based. */
export interface SourcePosition {
  file: string;
  line?: number;
  column?: number;
}

/**
 * A problem in the input files: compose YAML, `.env`, interpolation, schema. The message is
 * rendered as `file:line:col: key.path: what is wrong` so one line tells the user where to look.
 */
export class LoaderError extends CapstanError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** Dotted key path inside the file, e.g. `services.web.ports[0]`; empty when not known. */
  readonly keyPath: string;
  /** The bare description, without the position prefix. */
  readonly reason: string;

  constructor(
    reason: string,
    where: Partial<SourcePosition> & { keyPath?: string } = {},
    options: ErrorOptions & { code?: 'LOADER' | 'NO_CONFIG_FILE' } = {},
  ) {
    super(options.code ?? 'LOADER', formatPosition(where, reason), options);
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.keyPath = where.keyPath ?? '';
    this.reason = reason;
  }
}

/** `file:line:col: key.path: reason`, omitting the parts that are unknown. */
export function formatPosition(
  where: Partial<SourcePosition> & { keyPath?: string },
  reason: string,
): string {
  let prefix = '';
  if (where.file) {
    prefix = where.file;
    if (where.line !== undefined) {
      prefix += `:${where.line}`;
      if (where.column !== undefined) prefix += `:${where.column}`;
    }
    prefix += ': ';
  }
  const key = where.keyPath ? `${where.keyPath}: ` : '';
  return `${prefix}${key}${reason}`;
}

/**
 * The engine answered an HTTP error. `statusCode` is the HTTP status, `message` the daemon's own
 * message (from its `{"message": …}` body), prefixed with what we were doing.
 */
export class EngineError extends CapstanError {
  readonly statusCode: number;
  readonly daemonMessage: string;

  constructor(statusCode: number, daemonMessage: string, context: string, options: ErrorOptions = {}) {
    const code: ErrorCode =
      statusCode === 404 ? 'NOT_FOUND' : statusCode === 409 ? 'CONFLICT' : 'ENGINE';
    super(code, context ? `${context}: ${daemonMessage}` : daemonMessage, options);
    this.statusCode = statusCode;
    this.daemonMessage = daemonMessage;
  }
}
