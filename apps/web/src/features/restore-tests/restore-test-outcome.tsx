import type { RestoreTest } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';
import { StatusBadge, type StatusTone } from '../../ui/status-badge';

const TONE: Record<RestoreTest['outcome'], StatusTone> = { ok: 'good', failed: 'bad', running: 'busy' };

/** A test restore's verdict as a badge ("Berhasil", "Gagal", "Berjalan"); "Belum diuji" without one. */
export function RestoreTestOutcome({ test }: { test: RestoreTest | null }) {
  const { t } = useI18n();
  if (!test) return <StatusBadge tone="idle">{t('testRestores.notTested')}</StatusBadge>;
  return <StatusBadge tone={TONE[test.outcome]}>{t(`testRestores.outcome.${test.outcome}`)}</StatusBadge>;
}
