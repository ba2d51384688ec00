import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** Request settings (GET/PUT /settings/approval-policy, service-standards, custom-size-bounds). */
export const settingsFeature: Feature = {
  id: 'settings',
  routes: [{ path: '/operator/settings', page: () => import('./settings.page').then((m) => m.SettingsPage), roles: DATA_CENTER_ROLES }],
  nav: [{ to: '/operator/settings', labelKey: 'opNav.settings', roles: DATA_CENTER_ROLES, order: 60 }],
};
