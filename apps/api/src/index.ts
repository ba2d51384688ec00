export { createApp, upgradeHandlerOf } from './app';
export type { AppDeps } from './deps';
export { consoleBackendFromConfig } from './console/console-backend';
