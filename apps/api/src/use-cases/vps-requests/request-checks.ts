import {
  AppError,
  DEFAULT_CUSTOM_SIZE_BOUNDS,
  ErrorCode,
  ZCustomSizeBounds,
  agreementCovers,
  agreementScopeGaps,
  ceilingShortfalls,
  quotaShortfalls,
  todayInJakarta,
  type CeilingUsage,
  type QuotaLimits,
  type Resources,
  type ScopeSubject,
} from '@betang/core';
import { findAgreementInForce, findAgreementScope, getSetting, listPresets, type Tx } from '@betang/db';
import { verifySshPublicKey } from '../../security/ssh-public-key';

/**
 * Checks the key material of every SSH key with ssh2 and node:crypto (the body contract's parser,
 * shared with the browser, checks layout and policy only), so a key OpenSSH would refuse — an
 * EC point off its curve, say — is refused here and not by the guest after the clone. Throws a
 * 400 naming each refused key (`body.sshPublicKeys.<i>`) with its bilingual message.
 */
export function assertSshKeysSound(lines: readonly string[]): void {
  const issues = lines.flatMap((line, index) => {
    const verdict = verifySshPublicKey(line);
    return verdict.ok
      ? []
      : [
          {
            path: `body.sshPublicKeys.${index}`,
            message: verdict.error.message,
            code: verdict.error.code,
          },
        ];
  });
  if (issues.length > 0) throw new AppError(ErrorCode.ValidationFailed, undefined, issues);
}

/** A 400 naming one field, with a bilingual message (Indonesian first). */
export function fieldError(path: string, id: string, en: string): AppError {
  return new AppError(ErrorCode.ValidationFailed, undefined, [{ path, message: { id, en }, code: 'invalid_reference' }]);
}

/**
 * Checks a custom size against the catalog's custom-size rules: refused when custom sizes are
 * not allowed (error on `wholePath`) or a dimension lies outside the bounds (`pathOf` names the
 * field of each dimension).
 */
export async function assertCustomSize(
  tx: Tx,
  size: Resources,
  wholePath: string,
  pathOf: (key: keyof Resources) => string,
): Promise<void> {
  const bounds = await getSetting(tx, 'custom_size_bounds', ZCustomSizeBounds, DEFAULT_CUSTOM_SIZE_BOUNDS);
  if (!bounds.allowCustom)
    throw fieldError(wholePath, 'Ukuran khusus tidak diizinkan; pilih paket', 'Custom sizes are not allowed; choose a preset');
  for (const key of ['cores', 'memoryMiB', 'diskGiB'] as const) {
    if (size[key] < bounds.min[key] || size[key] > bounds.max[key]) {
      throw fieldError(
        pathOf(key),
        `Harus antara ${bounds.min[key]} dan ${bounds.max[key]}`,
        `Must be between ${bounds.min[key]} and ${bounds.max[key]}`,
      );
    }
  }
}

/** A size equal to an active preset (what the catalog offers) or else allowed as a custom size (assertCustomSize). */
export async function assertSizeAllowed(
  tx: Tx,
  size: Resources,
  wholePath: string,
  pathOf: (key: keyof Resources) => string,
): Promise<void> {
  const presets = await listPresets(tx, true);
  if (presets.some((p) => p.cores === size.cores && p.memoryMiB === size.memoryMiB && p.diskGiB === size.diskGiB)) return;
  await assertCustomSize(tx, size, wholePath, pathOf);
}

/** Refuses (QUOTA_EXCEEDED, every short dimension) when `added` does not fit the quota given `usage`. */
export function assertQuota(limits: QuotaLimits, usage: QuotaLimits, added: Resources & { vmCount: number }): void {
  // quotaShortfalls counts one more VM; a change of an existing VM adds none.
  const shortfalls = quotaShortfalls(limits, { ...usage, vmCount: usage.vmCount + added.vmCount - 1 }, added);
  if (shortfalls.length === 0) return;
  throw new AppError(
    ErrorCode.QuotaExceeded,
    {
      id: `Kuota perangkat daerah tidak cukup untuk: ${shortfalls.map((s) => s.dimension).join(', ')}. Kecilkan ukuran atau minta operator menaikkan kuota.`,
      en: `The institution's quota is not enough for: ${shortfalls.map((s) => s.dimension).join(', ')}. Choose a smaller size or ask the operators to raise the quota.`,
    },
    { shortfalls },
  );
}

/**
 * Refuses (NO_AGREEMENT_IN_FORCE, with the exceeded dimensions) unless the institution has an
 * agreement in force today whose ceiling covers its usage after the request or change and, when
 * `subject` is given (a new request), which lists its application and names its OS template
 * (`details.gaps`).
 */
export async function assertAgreementCovers(
  tx: Tx,
  institutionId: string,
  requested: Partial<CeilingUsage>,
  usageAfter: CeilingUsage,
  subject?: ScopeSubject,
): Promise<void> {
  const today = todayInJakarta();
  const agreement = await findAgreementInForce(tx, institutionId, today);
  if (agreementCovers(agreement, { requested, usageAfter, today })) {
    const gaps = agreement && subject ? agreementScopeGaps(agreement.number, await findAgreementScope(tx, agreement.id), subject) : [];
    if (gaps.length === 0) return;
    throw new AppError(
      ErrorCode.NoAgreementInForce,
      { id: gaps.map((g) => g.message.id).join(' '), en: gaps.map((g) => g.message.en).join(' ') },
      { agreementId: agreement?.id ?? null, shortfalls: [], gaps: gaps.map((g) => ({ kind: g.kind, subject: g.subject })) },
    );
  }
  const missing = agreement ? ceilingShortfalls(agreement.ceiling, usageAfter) : [];
  throw new AppError(
    ErrorCode.NoAgreementInForce,
    agreement
      ? {
          id: `Perjanjian ${agreement.number} tidak mencakup permintaan ini (melebihi plafon: ${missing.map((m) => m.dimension).join(', ')}). Perbarui perjanjian bersama Diskominfosantik.`,
          en: `Agreement ${agreement.number} does not cover this request (ceiling exceeded: ${missing.map((m) => m.dimension).join(', ')}). Renew the agreement with the data-center office.`,
        }
      : {
          id: 'Perangkat daerah belum memiliki perjanjian pemanfaatan server yang berlaku. Minta Kepala Perangkat Daerah menandatangani perjanjian terlebih dahulu.',
          en: 'The institution has no server-utilization agreement in force. Ask the head of the institution to sign the agreement first.',
        },
    { agreementId: agreement?.id ?? null, shortfalls: missing },
  );
}
