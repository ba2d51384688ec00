import { parseMasterKey, sealSecret } from '@betang/config';

/**
 * The suite's well-known secrets. Test processes are configured with these values (never random
 * ones), so the suite-wide log check (jest-log-teardown.ts) can prove none of them reaches a log.
 * They protect nothing outside the tests.
 */

/** The password every factory-made user has. */
export const TEST_PASSWORD = 'Kata-Sandi-Uji-2026!';

/** SIGNING_MASTER_SECRET of every API the tests build or start. */
export const TEST_SIGNING_MASTER_SECRET = 'uji-rahasia-induk-penandatanganan-betang';

/** The PVE simulator's default API token secret (packages/pve-simulator/src/options.ts DEFAULT_TOKEN_SECRET). */
export const TEST_PVE_TOKEN_SECRET = '5d1a7c2e-3b4f-4a8d-9e6b-0c2f1a9d8e73';

/** Password of SMTP test servers that require authentication. */
export const TEST_SMTP_PASSWORD = 'Sandi-SMTP-Uji-2026';

/** BETANG_MASTER_KEY of test processes given enc:v1 values (32 bytes, base64). */
export const TEST_MASTER_KEY = 'dWppLWt1bmNpLWluZHVrLWJldGFuZy0zMi1ieXRlcyE=';

/** OIDC_CLIENT_SECRET of the test identity providers (the client Betang is at them). */
export const TEST_OIDC_CLIENT_SECRET = 'rahasia-klien-sso-uji-7f3a9c2e51d84b06';

/** Every configured secret the log check looks for, by the name it reports. */
export const TEST_SECRETS: Readonly<Record<string, string>> = Object.freeze({
  TEST_PASSWORD,
  SIGNING_MASTER_SECRET: TEST_SIGNING_MASTER_SECRET,
  PVE_TOKEN_SECRET: TEST_PVE_TOKEN_SECRET,
  SMTP_PASSWORD: TEST_SMTP_PASSWORD,
  BETANG_MASTER_KEY: TEST_MASTER_KEY,
  OIDC_CLIENT_SECRET: TEST_OIDC_CLIENT_SECRET,
});

/**
 * Shapes of secrets the tests cannot know in advance (made at run time): personal API tokens,
 * session cookies, PVE token headers, private keys.
 */
export const SECRET_PATTERNS: Readonly<Record<string, RegExp>> = Object.freeze({
  API_TOKEN: /btg_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}/,
  SESSION_COOKIE: /betang_session=[A-Za-z0-9_-]{20,}/,
  PVE_TOKEN_HEADER: /PVEAPIToken[= ][^\s"'=]+=[0-9A-Za-z-]{8,}/,
  PRIVATE_KEY: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/,
});

/**
 * `value` encrypted for variable `name` under TEST_MASTER_KEY (an enc:v1 value), so test
 * processes read their secrets the way production does: pass it with BETANG_MASTER_KEY=TEST_MASTER_KEY.
 */
export function testEncrypted(name: string, value: string): string {
  return sealSecret(parseMasterKey(TEST_MASTER_KEY), name, value);
}
