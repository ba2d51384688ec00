import { accountFeature } from './account';
import { auditFeature } from './audit';
import { dashboardFeature } from './dashboard';
import type { Feature } from './feature';
import { institutionsFeature } from './institutions';
import { usersFeature } from './users';

/**
 * Every feature of the app, explicitly listed (like the worker's job registry): a new screen
 * area is a folder under features/ exporting a Feature, plus one line here.
 */
export const FEATURES: readonly Feature[] = [dashboardFeature, institutionsFeature, usersFeature, auditFeature, accountFeature];
