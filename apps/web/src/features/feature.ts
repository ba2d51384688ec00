import type { Role } from '@betang/core';
import type { QueryClient } from '@tanstack/react-query';
import type { ComponentType } from 'react';
import type { ApiClient } from '../api/http-client';
import type { MessageKey } from '../i18n/i18n';

/** Path parameters of a route (`/institutions/:id` → `{ id }`). */
type RouteParams = Readonly<Record<string, string | undefined>>;

/** What a route loader may use to start a page's reads. */
export type RouteServices = { api: ApiClient; queryClient: QueryClient };

/**
 * A screen at a path. `page` loads the screen's module on first visit (each page is its own
 * chunk, so the first load carries only the shell). `roles` limits who may open it (others get
 * the not-found page). `public` screens (agreement verification) open without signing in and
 * render outside the shell. `prefetch` starts the page's server reads while its code loads; it
 * never waits, so a slow or refused read shows on the page exactly as if the page had asked.
 */
export type FeatureRoute = {
  path: string;
  page: () => Promise<ComponentType>;
  roles?: readonly Role[];
  public?: boolean;
  prefetch?(services: RouteServices, params: RouteParams): void;
};

/** A count of the operators' dashboard that a navigation entry shows as a badge (data-center staff only). */
export type NavBadge = 'approvals' | 'overdue' | 'provisioning' | 'failed' | 'agreementsAwaiting' | 'agreementsExpiring' | 'findings';

/**
 * A navigation entry; shown to holders of `roles`, sorted by `order` (10, 20, … leaves gaps).
 * `badges`: dashboard counts shown beside the label while they are above zero.
 */
export type NavItem = { to: string; labelKey: MessageKey; roles: readonly Role[]; order: number; badges?: readonly NavBadge[] };

/** What a feature folder contributes to the app: its routes and navigation entries. */
export type Feature = { id: string; routes: readonly FeatureRoute[]; nav: readonly NavItem[] };
