import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ComebackError, type ErrorCode, type ErrorDetail } from '../kernel/errors.ts';

/** HTTP status of each error code; docs/errors.md documents them (a test keeps them in step). */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  MALFORMED_JSON: 400,
  VALIDATION_FAILED: 422,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  STORE_EXISTS: 409,
  DATA_DIR_LOCKED: 409,
  IMPORT_FAILED: 422,
  CHECKOUT_CONFLICT: 409,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: ErrorDetail[] };
}

export function errorBody(code: ErrorCode, message: string, details: ErrorDetail[] = []): ErrorBody {
  return { error: { code, message, details } };
}

/** `/lines/0/quantity` → `lines[0].quantity`, the JSON path clients see. */
export function jsonPath(instancePath: string, root = ''): string {
  const parts = instancePath.split('/').filter(Boolean);
  let out = root;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

/** PostgreSQL's class 22 (data exception: out of range, invalid datetime, NUL character …), on either database. */
function isPgDataException(err: { code?: unknown }): boolean {
  return typeof err.code === 'string' && /^22[0-9A-Z]{3}$/.test(err.code);
}

/** Maps every error to the one JSON shape; bad input never becomes a 500. */
export function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof ComebackError) {
    reply.status(ERROR_STATUS[err.code]).send(errorBody(err.code, err.message, err.details));
    return;
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const details = err.validation.map((v) => ({
      path: jsonPath(v.instancePath, where === 'body' ? '' : where),
      message: v.message ?? 'invalid',
    }));
    reply.status(422).send(errorBody('VALIDATION_FAILED', `The request ${where} is invalid`, details));
    return;
  }
  const status = err.statusCode ?? 500;
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    reply.status(415).send(errorBody('UNSUPPORTED_MEDIA_TYPE', err.message));
    return;
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    reply.status(413).send(errorBody('PAYLOAD_TOO_LARGE', err.message));
    return;
  }
  if (status === 400 && (err instanceof SyntaxError || err.code?.startsWith('FST_ERR_CTP'))) {
    reply.status(400).send(errorBody('MALFORMED_JSON', `The body is not valid JSON: ${err.message}`));
    return;
  }
  if (err.code === 'FST_ERR_BAD_URL') {
    reply.status(404).send(errorBody('NOT_FOUND', err.message));
    return;
  }
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    reply
      .status(422)
      .send(
        errorBody('VALIDATION_FAILED', 'A path parameter is too long', [
          { path: 'params', message: 'too long' },
        ]),
      );
    return;
  }
  if (isPgDataException(err)) {
    // Only a value the client sent can fail this way (the schemas let it through): their error, not ours.
    req.log.warn({ err }, 'a value was refused by the database');
    reply
      .status(422)
      .send(
        errorBody('VALIDATION_FAILED', `A value could not be stored: ${err.message}`, [
          { path: '(root)', message: err.message },
        ]),
      );
    return;
  }
  if (status >= 400 && status < 500) {
    // Every other client error keeps the documented status of its code.
    const code: ErrorCode =
      status === 404
        ? 'NOT_FOUND'
        : status === 401
          ? 'UNAUTHENTICATED'
          : status === 403
            ? 'FORBIDDEN'
            : status === 413
              ? 'PAYLOAD_TOO_LARGE'
              : status === 415
                ? 'UNSUPPORTED_MEDIA_TYPE'
                : 'VALIDATION_FAILED';
    reply.status(ERROR_STATUS[code]).send(errorBody(code, err.message));
    return;
  }
  req.log.error({ err }, 'unexpected error');
  reply.status(500).send(errorBody('INTERNAL', 'Something went wrong on our side; it has been logged'));
}
