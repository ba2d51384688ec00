export * from './postgres';
export * from './factories';
