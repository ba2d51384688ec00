export * from './postgres';
export * from './factories';
export * from './request-factories';
export * from './provisioning-factories';
