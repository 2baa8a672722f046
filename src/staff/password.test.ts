import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';

describe('password hashing (scrypt)', () => {
  it('verifies the password it hashed and nothing else, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('treats canonically equal Unicode spellings as the same password (NFKC)', async () => {
    const hash = await hashPassword('caf\u00e9-password');
    expect(await verifyPassword('cafe\u0301-password', hash)).toBe(true);
  });

  it('answers false for malformed or over-costly stored hashes instead of throwing', async () => {
    for (const bad of ['', 'plain', 'bcrypt$x', 'scrypt$x$8$1$a$b', 'scrypt$1073741824$8$1$AAAA$AAAA']) {
      expect(await verifyPassword('whatever', bad)).toBe(false);
    }
  });

  it('generates 16-character random passwords', () => {
    const p = generatePassword();
    expect(p).toMatch(/^[\w-]{16}$/);
    expect(generatePassword()).not.toBe(p);
  });
});
