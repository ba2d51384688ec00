export * from './i18n';
export * from './errors';
export * from './roles';
export * from './domain/request-status';
export * from './domain/agreement-status';
export * from './domain/resources';
export * from './policies/quota';
export * from './contracts';
