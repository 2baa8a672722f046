/** One entry of an error's details: where (a JSON path or `line 12, column Email`) and what. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * Every expected failure the API can report, with a stable code. `http/errors.ts` maps codes to
 * statuses and docs/errors.md documents each one (a test keeps the three in step).
 */
export const ERROR_CODES = [
  'MALFORMED_JSON',
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'STORE_EXISTS',
  'DATA_DIR_LOCKED',
  'IMPORT_FAILED',
  'CHECKOUT_CONFLICT',
  'RATE_LIMITED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error we raise on purpose: a stable code, a message for people, and where it happened. */
export class ComebackError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'ComebackError';
    this.code = code;
    this.details = details;
  }
}

/**
 * A record of a batch that the database step refused (a refund of an unknown order …): `index` is its
 * position in the batch and the details' paths are relative to it, so the API can answer `data[7].…`.
 */
export class RecordError extends ComebackError {
  readonly index: number;

  constructor(index: number, message: string, details: ErrorDetail[]) {
    super('VALIDATION_FAILED', message, details);
    this.name = 'RecordError';
    this.index = index;
  }

  /** The same error with paths from the batch body's root (`data[7].lines`). */
  inBatch(field = 'data'): ComebackError {
    const at = `${field}[${this.index}]`;
    return new ComebackError(
      this.code,
      this.message,
      this.details.map((d) => ({ ...d, path: d.path === '(root)' ? at : `${at}.${d.path}` })),
    );
  }
}

export function notFound(what: string, id: string): ComebackError {
  return new ComebackError('NOT_FOUND', `${what} ${id} was not found`);
}

export function validationFailed(message: string, details: ErrorDetail[]): ComebackError {
  return new ComebackError('VALIDATION_FAILED', message, details);
}
