import type { Router } from 'express';
import type { AppDeps } from '../deps';
import type { RouteRegistry } from '../http/route';

/** What every routes file receives: the router to mount on, the OpenAPI registry, the deps. */
export type RoutesContext = { router: Router; registry: RouteRegistry; deps: AppDeps };
