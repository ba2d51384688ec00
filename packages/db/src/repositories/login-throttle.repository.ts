import { sql } from 'kysely';
import type { Executor, Tx } from '../database';

/** `ip_hash` of the row that counts an e-mail's failures from every address. */
const EVERY_ADDRESS = '*';

/**
 * One sign-in throttle row: failures of one e-mail from one client address (or from every
 * address, `ipHash = EVERY_ADDRESS`). `failures` decays with time: the caller forgives one
 * per period elapsed since `updatedAt`.
 */
export type LoginThrottleRow = {
  emailHash: string;
  ipHash: string;
  failures: number;
  updatedAt: Date;
  blockedUntil: Date | null;
  lastSuccessAt: Date | null;
};

type RawRow = {
  emailHash: string;
  ipHash: string;
  failures: number;
  updatedAt: Date | string;
  blockedUntil: Date | string | null;
  lastSuccessAt: Date | string | null;
};

function toRow(raw: RawRow): LoginThrottleRow {
  const date = (value: Date | string | null) => (value === null ? null : new Date(value));
  return {
    emailHash: raw.emailHash,
    ipHash: raw.ipHash,
    failures: Number(raw.failures),
    updatedAt: new Date(raw.updatedAt),
    blockedUntil: date(raw.blockedUntil),
    lastSuccessAt: date(raw.lastSuccessAt),
  };
}

async function lockRow(tx: Tx, emailHash: string, ipHash: string): Promise<LoginThrottleRow> {
  await sql`INSERT INTO login_throttle (email_hash, ip_hash) VALUES (${emailHash}, ${ipHash}) ON CONFLICT DO NOTHING`.execute(tx);
  const result = await sql<RawRow>`
    SELECT email_hash AS "emailHash", ip_hash AS "ipHash", failures, updated_at AS "updatedAt", blocked_until AS "blockedUntil", last_success_at AS "lastSuccessAt"
    FROM login_throttle WHERE email_hash = ${emailHash} AND ip_hash = ${ipHash} FOR UPDATE`.execute(tx);
  return toRow(result.rows[0]!);
}

/**
 * Locks, in the caller's transaction, the throttle row of one e-mail from one address and the
 * row of that e-mail from every address (creating either when absent), and reads the database's
 * clock. Guarantees: rows are always locked in the same order (address row first), so two
 * attempts never deadlock; until the transaction ends, no other attempt on the same e-mail can
 * read or change them, so parallel attempts are counted one after the other.
 */
export async function lockLoginThrottleRows(
  tx: Tx,
  emailHash: string,
  ipHash: string,
): Promise<{ now: Date; address: LoginThrottleRow; everyAddress: LoginThrottleRow }> {
  if (ipHash === EVERY_ADDRESS) throw new Error('an address hash cannot be the every-address marker');
  const address = await lockRow(tx, emailHash, ipHash);
  const everyAddress = await lockRow(tx, emailHash, EVERY_ADDRESS);
  const clock = await sql<{ now: Date }>`SELECT now() AS now`.execute(tx);
  return { now: new Date(clock.rows[0]!.now), address, everyAddress };
}

/** Writes the counters of one throttle row (locked by {@link lockLoginThrottleRows} in the same transaction). */
export async function saveLoginThrottleRow(tx: Tx, row: LoginThrottleRow): Promise<void> {
  await tx
    .updateTable('loginThrottle')
    .set({ failures: row.failures, updatedAt: row.updatedAt, blockedUntil: row.blockedUntil, lastSuccessAt: row.lastSuccessAt })
    .where('emailHash', '=', row.emailHash)
    .where('ipHash', '=', row.ipHash)
    .execute();
}

/**
 * Clears the failures and running delays of one e-mail from every address (an administrator's
 * unlock). Guarantees: remembered successful addresses stay; returns how many rows had a failure
 * or a delay to clear (0 when there was nothing to do, which is not an error).
 */
export async function clearLoginThrottleOfEmail(db: Executor, emailHash: string): Promise<number> {
  const result = await sql`
    UPDATE login_throttle SET failures = 0, blocked_until = NULL, updated_at = now()
    WHERE email_hash = ${emailHash} AND (failures > 0 OR blocked_until IS NOT NULL)`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Deletes up to `limit` rows with nothing left to remember: no delay running, every failure
 * forgiven (one per `forgiveEverySeconds` since `updated_at`) and no success within
 * `rememberSuccessSeconds`. Safe to run any number of times, from any process (SKIP LOCKED).
 */
export async function pruneLoginThrottle(
  db: Executor,
  forgiveEverySeconds: number,
  rememberSuccessSeconds: number,
  limit = 5000,
): Promise<number> {
  const result = await sql`
    DELETE FROM login_throttle WHERE (email_hash, ip_hash) IN (
      SELECT email_hash, ip_hash FROM login_throttle
      WHERE updated_at < now() - make_interval(secs => failures * ${forgiveEverySeconds}::double precision)
        AND (blocked_until IS NULL OR blocked_until <= now())
        AND (last_success_at IS NULL OR last_success_at < now() - make_interval(secs => ${rememberSuccessSeconds}))
      LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
