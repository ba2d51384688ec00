import { ALL_ROLES, Role } from '@betang/core';
import type { Feature } from '../feature';

/** The notification centre, e-mail preferences, and (admins) outgoing webhooks. */
export const notificationsFeature: Feature = {
  id: 'notifications',
  routes: [
    { path: '/notifications', page: () => import('./notifications.page').then((m) => m.NotificationsPage), roles: ALL_ROLES },
    { path: '/notifications/preferences', page: () => import('./preferences.page').then((m) => m.PreferencesPage), roles: ALL_ROLES },
    { path: '/operator/webhooks', page: () => import('./webhooks.page').then((m) => m.WebhooksPage), roles: [Role.Admin] },
  ],
  nav: [
    { to: '/notifications', labelKey: 'notifications.nav', roles: ALL_ROLES, order: 90 },
    { to: '/operator/webhooks', labelKey: 'notifications.webhooks.nav', roles: [Role.Admin], order: 95 },
  ],
};
