export * from './backend';
export * from './producer';
export * from './depths';
export * from './workers';
export { UnrecoverableError } from 'bullmq';
export type { Job } from 'bullmq';
