export * from './postgres';
export * from './factories';
export * from './request-factories';
export * from './provisioning-factories';
export * from './test-secrets';
export * from './test-logs';
export * from './log-check';
export * from './stack';
