import type { FastifyRequest } from 'fastify';
import { type ErrorDetail, validationFailed } from '../kernel/errors.ts';

/** Deeper than any real payload; bounds the recursion of hashing and storing a body's JSON. */
export const MAX_JSON_DEPTH = 32;
const MAX_REPORTED = 20;

/**
 * Refuses what JSON allows but the database cannot store, before any schema sees it: a NUL character
 * in a string or key (PostgreSQL text and jsonb reject it) and nesting deeper than MAX_JSON_DEPTH.
 */
export async function guardJsonBody(req: FastifyRequest): Promise<void> {
  const body = req.body;
  // Streamed bodies (CSV imports) are not JSON.
  if (body === null || typeof body !== 'object' || Buffer.isBuffer(body) || 'pipe' in body) return;
  const problems: ErrorDetail[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (problems.length >= MAX_REPORTED) return;
    if (typeof value === 'string') {
      if (value.includes('\u0000'))
        problems.push({ path: path || '(root)', message: 'contains a NUL character' });
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (depth >= MAX_JSON_DEPTH) {
      problems.push({ path: path || '(root)', message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], `${path}[${i}]`, depth + 1);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      const at = path ? `${path}.${k}` : k;
      if (k.includes('\u0000')) problems.push({ path: at, message: 'key contains a NUL character' });
      visit(v, at, depth + 1);
    }
  };
  visit(body, '', 0);
  if (problems.length)
    throw validationFailed('The request body holds values that cannot be stored', problems);
}
