import type { AgreementCeiling, AgreementForGate, AgreementScope, AgreementStatus, ScopeSubject } from '@betang/core';
import { sql, type Selectable } from 'kysely';
import type { Executor, Tx } from '../database';
import type { Agreements } from '../schema.generated';

type FullRow = Selectable<Agreements>;

/** An agreement without its document bytes (lists, detail, gate), plus its institution's name. */
export type AgreementMeta = Omit<FullRow, 'originalDocument' | 'currentDocument' | 'documentData' | 'status'> & {
  status: AgreementStatus;
  institutionName: string;
};

/** An agreement row with its document bytes, locked for the rest of the transaction. */
export type LockedAgreement = Omit<FullRow, 'status'> & { status: AgreementStatus };

const META_COLUMNS = [
  'agreements.id',
  'agreements.institutionId',
  'agreements.number',
  'agreements.templateVersion',
  'agreements.status',
  'agreements.termStart',
  'agreements.termEnd',
  'agreements.ceilingCores',
  'agreements.ceilingMemoryMiB',
  'agreements.ceilingDiskGiB',
  'agreements.ceilingVmCount',
  'agreements.ceilingIpCount',
  'agreements.verificationCode',
  'agreements.originalSha256',
  'agreements.currentSha256',
  'agreements.revokedAt',
  'agreements.revokeReason',
  'agreements.renewsAgreementId',
  'agreements.createdBy',
  'agreements.createdAt',
  'agreements.updatedAt',
] as const;

function metaQuery(db: Executor) {
  return db
    .selectFrom('agreements')
    .innerJoin('institutions', 'institutions.id', 'agreements.institutionId')
    .select(META_COLUMNS)
    .select('institutions.name as institutionName');
}

const asMeta = (row: Omit<AgreementMeta, 'status'> & { status: string }): AgreementMeta => ({
  ...row,
  status: row.status as AgreementStatus,
});

/** The ceiling of an agreement row in the domain's shape. */
export function ceilingOf(
  row: Pick<FullRow, 'ceilingCores' | 'ceilingMemoryMiB' | 'ceilingDiskGiB' | 'ceilingVmCount' | 'ceilingIpCount'>,
): AgreementCeiling {
  return {
    cores: row.ceilingCores,
    memoryMiB: row.ceilingMemoryMiB,
    diskGiB: row.ceilingDiskGiB,
    vmCount: row.ceilingVmCount,
    ipCount: row.ceilingIpCount,
  };
}

type NewAgreement = {
  institutionId: string;
  number: string;
  templateVersion: string;
  status: AgreementStatus;
  termStart: string;
  termEnd: string;
  ceiling: AgreementCeiling;
  verificationCode: string;
  document: Buffer;
  sha256: string;
  documentData: unknown;
  createdBy: string;
  applicationIds: readonly string[];
  /** The agreement this one renews (its VMs move here once this one is in force). */
  renewsAgreementId?: string;
};

/** Inserts an agreement (original = current document) and links its applications, in the caller's transaction. */
export async function insertAgreement(tx: Tx, a: NewAgreement): Promise<string> {
  const { id } = await tx
    .insertInto('agreements')
    .values({
      institutionId: a.institutionId,
      number: a.number,
      templateVersion: a.templateVersion,
      status: a.status,
      termStart: a.termStart,
      termEnd: a.termEnd,
      ceilingCores: a.ceiling.cores,
      ceilingMemoryMiB: a.ceiling.memoryMiB,
      ceilingDiskGiB: a.ceiling.diskGiB,
      ceilingVmCount: a.ceiling.vmCount,
      ceilingIpCount: a.ceiling.ipCount,
      verificationCode: a.verificationCode,
      originalDocument: a.document,
      originalSha256: a.sha256,
      currentDocument: a.document,
      currentSha256: a.sha256,
      documentData: JSON.stringify(a.documentData),
      createdBy: a.createdBy,
      renewsAgreementId: a.renewsAgreementId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (a.applicationIds.length > 0)
    await tx
      .insertInto('agreementApplications')
      .values(a.applicationIds.map((applicationId) => ({ agreementId: id, applicationId })))
      .execute();
  return id;
}

/** An agreement without document bytes; undefined when absent. */
export async function findAgreementMeta(db: Executor, id: string): Promise<AgreementMeta | undefined> {
  const row = await metaQuery(db).where('agreements.id', '=', id).executeTakeFirst();
  return row && asMeta(row);
}

/** The agreement whose QR/verification code this is; undefined when none. */
export async function findAgreementByVerificationCode(db: Executor, code: string): Promise<AgreementMeta | undefined> {
  const row = await metaQuery(db).where('agreements.verificationCode', '=', code).executeTakeFirst();
  return row && asMeta(row);
}

/** Agreements whose generated original has this SHA-256, with the original bytes (for prefix checks). */
export async function findAgreementsByOriginalSha(db: Executor, sha256: string): Promise<(AgreementMeta & { originalDocument: Buffer })[]> {
  const rows = await metaQuery(db).select('agreements.originalDocument').where('agreements.originalSha256', '=', sha256).execute();
  return rows.map((r) => ({ ...asMeta(r), originalDocument: r.originalDocument }));
}

/** Locks the agreement row (FOR UPDATE) so concurrent signings of one agreement serialise. */
export async function lockAgreement(tx: Tx, id: string): Promise<LockedAgreement | undefined> {
  const row = await tx.selectFrom('agreements').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  return row && { ...row, status: row.status as AgreementStatus };
}

/** The document as it stands (signed revisions included) and its hash. */
export async function findAgreementDocument(
  db: Executor,
  id: string,
): Promise<{ document: Buffer; sha256: string; number: string } | undefined> {
  return db
    .selectFrom('agreements')
    .select(['currentDocument as document', 'currentSha256 as sha256', 'number'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Lists agreements newest first, keyset-paged by (createdAt, id). */
export async function listAgreements(
  db: Executor,
  options: {
    institutionId?: string | undefined;
    status?: AgreementStatus | undefined;
    /** In force on `today` (a WIB date) with the term ending no later than `until`. */
    inForceEnding?: { today: string; until: string } | undefined;
    /** ILIKE pattern on the number, the institution's name or code, or the name of an application the agreement lists. */
    textLike?: string | undefined;
    limit: number;
    before?: { createdAt: string; id: string } | undefined;
  },
): Promise<AgreementMeta[]> {
  let query = metaQuery(db).orderBy('agreements.createdAt', 'desc').orderBy('agreements.id', 'desc').limit(options.limit);
  if (options.institutionId) query = query.where('agreements.institutionId', '=', options.institutionId);
  if (options.status) query = query.where('agreements.status', '=', options.status);
  if (options.inForceEnding) {
    const { today, until } = options.inForceEnding;
    query = query
      .where('agreements.status', '=', 'in_force')
      .where('agreements.termStart', '<=', today)
      .where('agreements.termEnd', '>=', today)
      .where('agreements.termEnd', '<=', until);
  }
  const { textLike } = options;
  if (textLike)
    query = query.where((eb) =>
      eb.or([
        eb('agreements.number', 'ilike', textLike),
        eb('institutions.name', 'ilike', textLike),
        eb('institutions.code', 'ilike', textLike),
        // Uncorrelated: the agreements listing a matching application are read once (a hashed subplan).
        eb(
          'agreements.id',
          'in',
          eb
            .selectFrom('agreementApplications as aa')
            .innerJoin('applications as app', 'app.id', 'aa.applicationId')
            .select('aa.agreementId')
            .where('app.name', 'ilike', textLike),
        ),
      ]),
    );
  if (options.before) {
    const at = new Date(options.before.createdAt);
    const id = options.before.id;
    query = query.where((eb) =>
      eb.or([eb('agreements.createdAt', '<', at), eb.and([eb('agreements.createdAt', '=', at), eb('agreements.id', '<', id)])]),
    );
  }
  return (await query.execute()).map(asMeta);
}

/**
 * What an agreement covers besides its ceiling (see `AgreementScope` in @betang/core): the ids of
 * the applications it lists and the OS templates printed on it (`document_data.osTemplates`;
 * null when the agreement kept no render data or named none).
 */
export async function findAgreementScope(db: Executor, agreementId: string): Promise<AgreementScope> {
  const [apps, row] = await Promise.all([
    db.selectFrom('agreementApplications').select('applicationId').where('agreementId', '=', agreementId).execute(),
    db.selectFrom('agreements').select('documentData').where('id', '=', agreementId).executeTakeFirst(),
  ]);
  const data = row?.documentData as { osTemplates?: unknown } | null | undefined;
  const named = Array.isArray(data?.osTemplates) ? data.osTemplates.filter((t): t is string => typeof t === 'string') : [];
  return { applicationIds: apps.map((a) => a.applicationId), osTemplates: named.length > 0 ? named : null };
}

/** The application and OS template of a request, with their names, as the scope check needs them; undefined for an unknown request. */
export async function findRequestScopeSubject(db: Executor, requestId: string): Promise<ScopeSubject | undefined> {
  const row = await db
    .selectFrom('vpsRequests as r')
    .innerJoin('applications as a', 'a.id', 'r.applicationId')
    .leftJoin('catalogTemplates as t', 't.id', 'r.templateId')
    .select(['a.id as applicationId', 'a.name as applicationName', 'r.templateId', 't.name as templateName'])
    .where('r.id', '=', requestId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    application: { id: row.applicationId, name: row.applicationName },
    template: row.templateId === null ? null : { id: row.templateId, name: row.templateName ?? row.templateId },
  };
}

/** The applications an agreement covers. */
export async function listAgreementApplications(db: Executor, agreementId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('agreementApplications')
    .innerJoin('applications', 'applications.id', 'agreementApplications.applicationId')
    .select(['applications.id', 'applications.name'])
    .where('agreementApplications.agreementId', '=', agreementId)
    .orderBy('applications.name')
    .execute();
}

/** Replaces the current document after a signature and moves the status, in the caller's transaction. */
export async function updateAgreementDocument(
  tx: Tx,
  id: string,
  change: { document: Buffer; sha256: string; status: AgreementStatus },
): Promise<void> {
  await tx
    .updateTable('agreements')
    .set({ currentDocument: change.document, currentSha256: change.sha256, status: change.status })
    .where('id', '=', id)
    .execute();
}

/** Marks an agreement revoked now with a reason. */
export async function revokeAgreement(tx: Tx, id: string, reason: string): Promise<void> {
  await tx.updateTable('agreements').set({ status: 'revoked', revokedAt: new Date(), revokeReason: reason }).where('id', '=', id).execute();
}

/** Next document sequence number of a year, atomically (a counter in `settings`); gaps are possible on rollback, never duplicates. */
export async function nextAgreementSequence(tx: Tx, year: number): Promise<number> {
  const key = `agreements.sequence.${year}`;
  const row = await tx
    .insertInto('settings')
    .values({ key, value: JSON.stringify(1) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql`to_jsonb((settings.value #>> '{}')::int + 1)`, updatedAt: new Date() }))
    .returning(sql<string>`value #>> '{}'`.as('seq'))
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}

/** An agreement as the gate sees it, with its id and number for messages. */
type AgreementInForce = AgreementForGate & { id: string; number: string; institutionId: string };

/**
 * The institution's agreement in force on `today` (WIB `YYYY-MM-DD`): status in_force and the
 * date within the inclusive term; the one ending last when terms overlap (a renewal). Pass the
 * result to `agreementCovers` from @betang/core; undefined when there is none.
 */
export async function findAgreementInForce(db: Executor, institutionId: string, today: string): Promise<AgreementInForce | undefined> {
  const row = await db
    .selectFrom('agreements')
    .select([
      'id',
      'number',
      'institutionId',
      'status',
      'termStart',
      'termEnd',
      'ceilingCores',
      'ceilingMemoryMiB',
      'ceilingDiskGiB',
      'ceilingVmCount',
      'ceilingIpCount',
    ])
    .where('institutionId', '=', institutionId)
    .where('status', '=', 'in_force')
    .where('termStart', '<=', today)
    .where('termEnd', '>=', today)
    .orderBy('termEnd', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    number: row.number,
    institutionId: row.institutionId,
    status: 'in_force',
    termStart: row.termStart,
    termEnd: row.termEnd,
    ceiling: ceilingOf(row),
  };
}

/** Moves every in_force agreement whose term ended before `today` to expired; returns them (none on a second run). */
export async function expireAgreementsPastTerm(
  tx: Tx,
  today: string,
): Promise<{ id: string; institutionId: string; number: string; termEnd: string }[]> {
  return tx
    .updateTable('agreements')
    .set({ status: 'expired' })
    .where('status', '=', 'in_force')
    .where('termEnd', '<', today)
    .returning(['id', 'institutionId', 'number', 'termEnd'])
    .execute();
}

/** In-force agreements whose term ends between `today` and `until` (inclusive), for reminders. */
export async function listAgreementsEndingBy(db: Executor, today: string, until: string): Promise<AgreementMeta[]> {
  const rows = await metaQuery(db)
    .where('agreements.status', '=', 'in_force')
    .where('agreements.termEnd', '>=', today)
    .where('agreements.termEnd', '<=', until)
    .orderBy('agreements.termEnd')
    .execute();
  return rows.map(asMeta);
}

/** E-mail addresses of the active heads who sign an institution's agreements: its heads and the data-center heads. */
export async function listAgreementHeadEmails(db: Executor, institutionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('userRoles', 'userRoles.userId', 'users.id')
    .select('users.email')
    .distinct()
    .where('users.isActive', '=', true)
    .where((eb) =>
      eb.or([
        eb.and([eb('userRoles.role', '=', 'institution_head'), eb('users.institutionId', '=', institutionId)]),
        eb('userRoles.role', '=', 'dc_head'),
      ]),
    )
    .orderBy('users.email')
    .execute();
  return rows.map((r) => r.email);
}

/** Names of the active OS templates of the catalog (printed on the agreement), in catalog order. */
export async function listActiveTemplateNames(db: Executor): Promise<string[]> {
  const rows = await db
    .selectFrom('catalogTemplates')
    .select('name')
    .where('isActive', '=', true)
    .orderBy('sortOrder')
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name);
}

/** A text setting (e.g. `agreements.data_center_address`); undefined when unset or not a string. */
export async function findTextSetting(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return typeof row?.value === 'string' ? row.value : undefined;
}
