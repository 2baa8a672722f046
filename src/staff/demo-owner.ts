import type { Queryable } from '../db/client.ts';
import type { IdGenerator } from '../kernel/ids.ts';
import { generatePassword } from './password.ts';
import { createStaffUser, findStaffUser } from './repository.ts';

export const DEMO_OWNER_EMAIL = 'owner@demo.example';

export interface DemoLogin {
  email: string;
  password: string;
}

/**
 * Makes sure the demo store has its owner login and returns it. The generated password is kept in
 * the demo store's settings (like its API key) so every `npm start` can print it again; real
 * stores' passwords are only ever hashed. Null when the owner exists without a kept password.
 */
export async function ensureDemoOwner(
  q: Queryable,
  ids: IdGenerator,
  storeId: string,
): Promise<DemoLogin | null> {
  const kept = await q.query<{ password: string | null }>(
    `select settings->>'demo_owner_password' as password from stores where id = $1`,
    [storeId],
  );
  const password = kept.rows[0]?.password ?? null;
  if (await findStaffUser(q, storeId, DEMO_OWNER_EMAIL)) {
    return password ? { email: DEMO_OWNER_EMAIL, password } : null;
  }
  const fresh = generatePassword();
  await createStaffUser(q, ids, storeId, { email: DEMO_OWNER_EMAIL, role: 'owner', password: fresh });
  await q.query(
    `update stores set settings = settings || jsonb_build_object('demo_owner_password', $2::text) where id = $1`,
    [storeId, fresh],
  );
  return { email: DEMO_OWNER_EMAIL, password: fresh };
}
