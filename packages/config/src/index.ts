export * from './load';
export * from './schemas';
export * from './logging';
export { ENC_PREFIX, generateMasterKey, isEncryptedValue, openSecret, parseMasterKey, sealSecret, SecretError } from './secrets/aead';
export { decryptEnv, MASTER_KEY_CREDENTIAL, resolveMasterKey, SECRET_ENV_VARS } from './secrets/env-secrets';
export { consolePasswordSlot, RunSecretBox } from './secrets/run-secret-box';
export { MAX_PUBLIC_ADDRESSES, parsePublicAddresses } from './public-addresses';
