import type { Role } from '@betang/core';
import { FEATURES } from '../features';
import type { Feature, FeatureRoute, NavItem } from '../features/feature';
import { matchPath, type PathParams } from '../router/match-path';

/** The navigation entries the roles may see, in order. */
export function navFor(roles: readonly Role[], features: readonly Feature[] = FEATURES): NavItem[] {
  return features
    .flatMap((feature) => feature.nav)
    .filter((item) => item.roles.some((role) => roles.includes(role)))
    .sort((a, b) => a.order - b.order);
}

/**
 * The route for `path` that the caller may open, with its parameters. `roles` null means signed
 * out: only `public` routes match then. Undefined when none matches or the roles may not open it
 * (both show the not-found page, like the API's tenancy 404).
 */
export function resolveRoute(
  path: string,
  roles: readonly Role[] | null,
  features: readonly Feature[] = FEATURES,
): { route: FeatureRoute; params: PathParams } | undefined {
  for (const feature of features) {
    for (const route of feature.routes) {
      const params = matchPath(route.path, path);
      if (!params) continue;
      if (route.public) return { route, params };
      if (roles === null) return undefined;
      if (route.roles && !route.roles.some((role) => roles.includes(role))) return undefined;
      return { route, params };
    }
  }
  return undefined;
}
