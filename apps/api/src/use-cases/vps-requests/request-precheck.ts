import {
  AppError,
  ErrorCode,
  Role,
  agreementBlocker,
  agreementScopeGaps,
  ceilingBlocker,
  quotaBlocker,
  todayInJakarta,
  type Actor,
  type AgreementStanding,
  type GuidanceBlocker,
  type RequestPrecheckDto,
  type RequestPrecheckQuery,
  type Resources,
} from '@betang/core';
import {
  findAgreementInForce,
  findAgreementScope,
  findApplication,
  findExpectedSigners,
  getQuota,
  getQuotaUsage,
  listPresets,
  listTemplates,
  type Executor,
} from '@betang/db';

/** The newest agreement of the institution when none is in force, with the names printed for its signers. */
async function agreementStanding(db: Executor, actor: Actor, institutionId: string, today: string): Promise<AgreementStanding> {
  const inForce = await findAgreementInForce(db, institutionId, today);
  if (inForce) return { kind: 'in_force', number: inForce.number, termEnd: inForce.termEnd };
  const newest = await db
    .selectFrom('agreements')
    .select(['id', 'number', 'status', 'termStart', 'institutionId', 'documentData'])
    .where('institutionId', '=', institutionId)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!newest) {
    const head = await db
      .selectFrom('users')
      .innerJoin('userRoles', 'userRoles.userId', 'users.id')
      .select('users.name')
      .where('users.institutionId', '=', institutionId)
      .where('users.isActive', '=', true)
      .where('userRoles.role', '=', Role.InstitutionHead)
      .orderBy('users.name')
      .limit(1)
      .executeTakeFirst();
    return { kind: 'none', institutionHeadName: head?.name ?? null };
  }
  const [institutionHead, dcHead] = await findExpectedSigners(db, newest);
  return {
    kind: 'pending',
    agreementId: newest.id,
    number: newest.number,
    status: newest.status as Extract<AgreementStanding, { kind: 'pending' }>['status'],
    termStart: newest.termStart,
    institutionHeadName: institutionHead?.name || 'Kepala perangkat daerah',
    dcHeadName: dcHead?.name || 'Kepala Diskominfosantik',
    viewerIsNextSigner: actor.roles.includes(Role.InstitutionHead),
  };
}

/** The size the form has chosen: a preset of the catalog, or all three custom dimensions; undefined while incomplete. */
async function chosenSize(db: Executor, query: RequestPrecheckQuery): Promise<Resources | undefined> {
  if (query.presetId) {
    const preset = (await listPresets(db, true)).find((p) => p.id === query.presetId);
    return preset && { cores: preset.cores, memoryMiB: preset.memoryMiB, diskGiB: preset.diskGiB };
  }
  const { cores, memoryMiB, diskGiB } = query;
  return cores !== undefined && memoryMiB !== undefined && diskGiB !== undefined ? { cores, memoryMiB, diskGiB } : undefined;
}

/**
 * What stops the actor's institution from submitting the request the form holds so far, each as
 * the next step in words: the agreement (none, waiting for a named signer, not yet or no longer
 * in force), its coverage of the application and OS template, its ceiling and the quota for the
 * chosen size. The same rules as submission (submitVpsRequest), which checks again under the
 * quota lock. Read-only: safe to call on every keystroke (the form debounces).
 */
export async function requestPrecheck(db: Executor, actor: Actor, query: RequestPrecheckQuery): Promise<RequestPrecheckDto> {
  const institutionId = actor.institutionId;
  if (!institutionId) throw new AppError(ErrorCode.Forbidden);
  const today = todayInJakarta();
  const blockers: GuidanceBlocker[] = [];
  const standing = await agreementStanding(db, actor, institutionId, today);
  const noAgreement = agreementBlocker(standing, today);
  if (noAgreement) blockers.push(noAgreement);
  const inForce = standing.kind === 'in_force' ? await findAgreementInForce(db, institutionId, today) : undefined;

  // Another institution's application answers as a missing one: nothing to learn about it here.
  const application = query.applicationId ? await findApplication(db, query.applicationId) : undefined;
  if (query.applicationId && (!application || application.institutionId !== institutionId)) throw new AppError(ErrorCode.NotFound);
  if (inForce && application && query.templateId) {
    const template = (await listTemplates(db, true)).find((t) => t.id === query.templateId);
    // An unknown template is the submission's field error to give, not guidance.
    if (template) {
      const gaps = agreementScopeGaps(inForce.number, await findAgreementScope(db, inForce.id), {
        application: { id: application.id, name: application.name },
        template: { id: template.id, name: template.name },
      });
      for (const gap of gaps) blockers.push({ key: 'coverage', message: gap.message, link: 'agreements' });
    }
  }

  const size = await chosenSize(db, query);
  if (size) {
    const usage = await getQuotaUsage(db, institutionId);
    const usageAfter = {
      cores: usage.cores + size.cores,
      memoryMiB: usage.memoryMiB + size.memoryMiB,
      diskGiB: usage.diskGiB + size.diskGiB,
      vmCount: usage.vmCount + 1,
    };
    const overCeiling = inForce ? ceilingBlocker(inForce.number, inForce.ceiling, usageAfter) : null;
    if (overCeiling) blockers.push(overCeiling);
    const overQuota = quotaBlocker((await getQuota(db, institutionId)).limits, usageAfter);
    if (overQuota) blockers.push(overQuota);
  }
  return { blockers, submittable: blockers.length === 0 };
}
