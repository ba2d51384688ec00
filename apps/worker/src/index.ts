export { createHandlers } from './jobs';
