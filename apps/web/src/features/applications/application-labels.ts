import type { APPLICATION_KINDS, APPLICATION_STATUSES, APPLICATION_USER_TYPES, DATA_CLASSIFICATIONS, DEVELOPER_TYPES } from '@betang/core';
import type { MessageKey } from '../../i18n/i18n';

type Values<T extends readonly string[]> = T[number];

/** Catalogue keys of the inventory's enumerations (typed, so a missing key fails tsc). */
export const KIND_KEY: Record<Values<typeof APPLICATION_KINDS>, MessageKey> = { umum: 'apps.kind.umum', khusus: 'apps.kind.khusus' };
export const CLASSIFICATION_KEY: Record<Values<typeof DATA_CLASSIFICATIONS>, MessageKey> = {
  strategis: 'apps.class.strategis',
  tinggi: 'apps.class.tinggi',
  rendah: 'apps.class.rendah',
};
export const STATUS_KEY: Record<Values<typeof APPLICATION_STATUSES>, MessageKey> = {
  planned: 'apps.status.planned',
  development: 'apps.status.development',
  active: 'apps.status.active',
  retired: 'apps.status.retired',
};
export const DEVELOPER_KEY: Record<Values<typeof DEVELOPER_TYPES>, MessageKey> = {
  internal: 'apps.dev.internal',
  vendor: 'apps.dev.vendor',
};
export const USER_TYPE_KEY: Record<Values<typeof APPLICATION_USER_TYPES>, MessageKey> = {
  internal: 'apps.users.internal',
  public: 'apps.users.public',
  both: 'apps.users.both',
};
