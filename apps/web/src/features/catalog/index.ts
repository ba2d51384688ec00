import { DATA_CENTER_ROLES } from '@betang/core';
import type { Feature } from '../feature';

/** Catalog maintenance: OS templates and size presets (PUT /catalog/templates/:id, /catalog/presets/:id). */
export const catalogFeature: Feature = {
  id: 'catalog',
  routes: [{ path: '/operator/catalog', page: () => import('./catalog.page').then((m) => m.CatalogPage), roles: DATA_CENTER_ROLES }],
  nav: [{ to: '/operator/catalog', labelKey: 'opNav.catalog', roles: DATA_CENTER_ROLES, order: 50 }],
};
