import { randomBytes } from 'node:crypto';
import type { Role } from '@betang/core';
import { insertInstitution, insertUser, putQuota, type Db, type InstitutionRow, type UserRecord } from '@betang/db';
import argon2 from 'argon2';
import { TEST_PASSWORD } from './test-secrets';

let passwordHash: Promise<string> | undefined;
function testPasswordHash(): Promise<string> {
  passwordHash ??= argon2.hash(TEST_PASSWORD, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  return passwordHash;
}

function unique(): string {
  return randomBytes(4).toString('hex');
}

/** Creates an institution with sensible defaults (unique code and name). */
export async function makeInstitution(
  db: Db,
  overrides: Partial<{ code: string; name: string; address: string }> = {},
): Promise<InstitutionRow> {
  const id = unique().toUpperCase();
  return insertInstitution(db, {
    code: `INST-${id}`,
    name: `Instansi Uji ${id}`,
    address: 'Jl. Tjilik Riwut, Palangka Raya',
    ...overrides,
  });
}

/**
 * Creates a user with the given roles (password TEST_PASSWORD) in its own transaction. A
 * `totpSecret` is stored in plain text, like rows written before TOTP secrets were encrypted: the
 * API seals such a secret the first time it uses it.
 */
export async function makeUser(
  db: Db,
  options: { roles: Role[]; institutionId?: string | null; email?: string; name?: string; totpSecret?: string },
): Promise<UserRecord> {
  const hash = await testPasswordHash();
  const user = await db.transaction().execute((tx) =>
    insertUser(tx, {
      institutionId: options.institutionId ?? null,
      email: options.email ?? `user-${unique()}@uji.kalteng.go.id`,
      name: options.name ?? `Pengguna ${unique()}`,
      passwordHash: hash,
      roles: options.roles,
    }),
  );
  if (options.totpSecret) {
    await db.updateTable('users').set({ totpSecret: options.totpSecret }).where('id', '=', user.id).execute();
    return { ...user, totpSecret: options.totpSecret };
  }
  return user;
}

/** Sets an institution's quota. */
export async function makeQuota(
  db: Db,
  institutionId: string,
  setBy: string,
  limits = { cores: 16, memoryMiB: 32768, diskGiB: 500, vmCount: 8 },
): Promise<void> {
  await putQuota(db, institutionId, limits, setBy);
}
