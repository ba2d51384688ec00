import type { VpsRequestDto } from '@betang/core';
import { useI18n } from '../../i18n/use-i18n';

/** Formatters for a request's size and pending level in the UI language. */
export function useRequestFacts() {
  const { t, number, locale } = useI18n();
  return {
    size: (r: VpsRequestDto['resources']) => t('opCommon.size', { cores: r.cores, memory: number(r.memoryMiB / 1024), disk: r.diskGiB }),
    sizeShort: (r: VpsRequestDto['resources']) =>
      t('opCommon.sizeShort', { cores: r.cores, memory: number(r.memoryMiB / 1024), disk: r.diskGiB }),
    levelName: (pending: NonNullable<VpsRequestDto['pendingLevel']>) => pending.name[locale],
    level: (pending: VpsRequestDto['pendingLevel']) =>
      pending ? t('opQueue.levelName', { level: pending.level, name: pending.name[locale] }) : '—',
  };
}
