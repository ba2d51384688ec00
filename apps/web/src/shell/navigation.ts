import type { Role } from '@betang/core';
import { FEATURES } from '../features';
import type { Feature, FeatureRoute, NavItem } from '../features/feature';

/** The navigation entries the roles may see, in order. */
export function navFor(roles: readonly Role[], features: readonly Feature[] = FEATURES): NavItem[] {
  return features
    .flatMap((feature) => feature.nav)
    .filter((item) => item.roles.some((role) => roles.includes(role)))
    .sort((a, b) => a.order - b.order);
}

/**
 * True when holders of `roles` may open `route`: public routes and routes without `roles` are
 * open to everyone signed in; otherwise one role must match. A refused route shows the not-found
 * page, like the API's tenancy 404.
 */
export function mayOpen(route: Pick<FeatureRoute, 'roles' | 'public'>, roles: readonly Role[]): boolean {
  if (route.public || !route.roles) return true;
  return route.roles.some((role) => roles.includes(role));
}
