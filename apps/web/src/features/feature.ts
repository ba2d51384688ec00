import type { Role } from '@betang/core';
import type { ComponentType } from 'react';
import type { MessageKey } from '../i18n/i18n-context';
import type { PathParams } from '../router/match-path';

/**
 * A screen at a path. `roles` limits who may open it (others get the not-found page). `public`
 * screens (agreement verification) open without signing in and render outside the shell.
 */
export type FeatureRoute = { path: string; page: ComponentType<{ params: PathParams }>; roles?: readonly Role[]; public?: boolean };

/** A navigation entry; shown to holders of `roles`, sorted by `order` (10, 20, … leaves gaps). */
export type NavItem = { to: string; labelKey: MessageKey; roles: readonly Role[]; order: number };

/** What a feature folder contributes to the app: its routes and navigation entries. */
export type Feature = { id: string; routes: readonly FeatureRoute[]; nav: readonly NavItem[] };
