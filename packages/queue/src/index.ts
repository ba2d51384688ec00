export * from './backend';
export * from './producer';
export * from './workers';
export { UnrecoverableError } from 'bullmq';
export type { Job } from 'bullmq';
