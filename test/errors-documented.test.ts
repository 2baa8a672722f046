import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../src/http/errors.ts';
import { ERROR_CODES } from '../src/kernel/errors.ts';

/** The rows of docs/errors.md's code table: `| \`CODE\` | status | meaning | what to do |`. */
function documentedCodes(): Map<string, { status: number; meaning: string; todo: string }> {
  const text = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, { status: number; meaning: string; todo: string }>();
  for (const line of text.split('\n')) {
    const m = /^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|(.*)\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    expect(rows.has(m[1]), `${m[1]} is documented twice`).toBe(false);
    rows.set(m[1], { status: Number(m[2]), meaning: m[3].trim(), todo: m[4].trim() });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const docs = documentedCodes();

  it('documents every error code with the HTTP status the server sends, a meaning and what to do', () => {
    for (const code of ERROR_CODES) {
      const row = docs.get(code);
      expect(row, `${code} is missing from docs/errors.md`).toBeDefined();
      expect(row!.status, `${code}'s status in docs/errors.md`).toBe(ERROR_STATUS[code]);
      expect(row!.meaning.length, `${code}'s meaning`).toBeGreaterThan(20);
      expect(row!.todo.length, `${code}'s advice`).toBeGreaterThan(20);
    }
  });

  it('documents no code the server does not have', () => {
    const known = new Set<string>(ERROR_CODES);
    expect([...docs.keys()].filter((c) => !known.has(c))).toEqual([]);
  });

  it('maps every code to an error status (4xx for the client, 5xx only for INTERNAL)', () => {
    for (const code of ERROR_CODES) {
      const status = ERROR_STATUS[code];
      if (code === 'INTERNAL') expect(status).toBe(500);
      else expect(status >= 400 && status < 500, `${code} → ${status}`).toBe(true);
    }
  });
});
