import { ConfigError, parseConfig, ZApiEnv, ZWorkerEnv } from './index';

describe('parseConfig', () => {
  it('should report every problem together', () => {
    let caught: unknown;
    try {
      parseConfig(ZApiEnv, { DATABASE_URL: 'mysql://x', PORT: 'abc', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SIGNING_MASTER_SECRET']);
  });

  it('should apply defaults and freeze the result', () => {
    const config = parseConfig(ZApiEnv, {
      DATABASE_URL: 'postgres://127.0.0.1/betang',
      SIGNING_MASTER_SECRET: 'uji-rahasia-induk-penandatanganan-32+',
    });
    expect(config.PORT).toBe(3000);
    expect(config.COOKIE_SECURE).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('should require TOTP of the signing and operating roles by default, accept a list or nothing, and refuse unknown roles', () => {
    const base = { DATABASE_URL: 'postgres://127.0.0.1/betang', SIGNING_MASTER_SECRET: 'uji-rahasia-induk-penandatanganan-32+' };
    expect(parseConfig(ZApiEnv, base).TOTP_REQUIRED_ROLES).toEqual(['admin', 'operator', 'dc_head', 'institution_head']);
    expect(parseConfig(ZApiEnv, { ...base, TOTP_REQUIRED_ROLES: '' }).TOTP_REQUIRED_ROLES).toEqual([]);
    expect(parseConfig(ZApiEnv, { ...base, TOTP_REQUIRED_ROLES: ' admin, auditor ,admin' }).TOTP_REQUIRED_ROLES).toEqual([
      'admin',
      'auditor',
    ]);
    expect(() => parseConfig(ZApiEnv, { ...base, TOTP_REQUIRED_ROLES: 'admin,root' })).toThrow(/TOTP_REQUIRED_ROLES/);
  });

  it('should leave SSO off when unset, take it whole with defaults, and refuse half a configuration', () => {
    const base = { DATABASE_URL: 'postgres://127.0.0.1/betang', SIGNING_MASTER_SECRET: 'uji-rahasia-induk-penandatanganan-32+' };
    const off = parseConfig(ZApiEnv, base);
    expect(off.OIDC_ISSUER_URL).toBeUndefined();
    expect(off.OIDC_PASSWORD_DISABLED_ROLES).toEqual([]);
    const sso = {
      ...base,
      OIDC_ISSUER_URL: 'https://sso.kalteng.go.id/realms/pemprov',
      OIDC_CLIENT_ID: 'betang',
      OIDC_CLIENT_SECRET: 's3cret',
    };
    expect(parseConfig(ZApiEnv, { ...sso, PUBLIC_URL: 'https://betang.kalteng.go.id' })).toMatchObject({
      OIDC_REDIRECT_URI: 'https://betang.kalteng.go.id/api/v1/auth/oidc/callback',
      OIDC_SCOPES: ['openid', 'email', 'profile'],
    });
    expect(
      parseConfig(ZApiEnv, {
        ...sso,
        OIDC_SCOPES: ' openid  nip openid',
        OIDC_NIP_CLAIM: 'nip',
        OIDC_PASSWORD_DISABLED_ROLES: 'admin, dc_head',
      }),
    ).toMatchObject({ OIDC_SCOPES: ['openid', 'nip'], OIDC_NIP_CLAIM: 'nip', OIDC_PASSWORD_DISABLED_ROLES: ['admin', 'dc_head'] });
    expect(() => parseConfig(ZApiEnv, { ...base, OIDC_ISSUER_URL: sso.OIDC_ISSUER_URL })).toThrow(/OIDC_ISSUER_URL/);
    expect(() => parseConfig(ZApiEnv, { ...sso, OIDC_SCOPES: 'email profile' })).toThrow(/OIDC_SCOPES/);
    expect(() => parseConfig(ZApiEnv, { ...sso, OIDC_ISSUER_URL: 'ftp://sso' })).toThrow(/OIDC_ISSUER_URL/);
    expect(() => parseConfig(ZApiEnv, { ...sso, OIDC_NIP_CLAIM: 'nip claim' })).toThrow(/OIDC_NIP_CLAIM/);
    expect(parseConfig(ZApiEnv, { ...sso, OIDC_MFA_ACR_VALUES: ' 2, gold ,2' }).OIDC_MFA_ACR_VALUES).toEqual(['2', 'gold']);
    expect(parseConfig(ZApiEnv, sso).OIDC_MFA_ACR_VALUES).toEqual([]);
    expect(() => parseConfig(ZApiEnv, { ...sso, OIDC_MFA_ACR_VALUES: 'level two' })).toThrow(/OIDC_MFA_ACR_VALUES/);
    expect(() => parseConfig(ZApiEnv, { ...sso, OIDC_PASSWORD_DISABLED_ROLES: 'root' })).toThrow(/OIDC_PASSWORD_DISABLED_ROLES/);
    // Turning passwords off without SSO would lock those roles out.
    expect(() => parseConfig(ZApiEnv, { ...base, OIDC_PASSWORD_DISABLED_ROLES: 'admin' })).toThrow(/OIDC_PASSWORD_DISABLED_ROLES/);
  });

  it("should take the guests' apt proxy and mirror only as plain http(s) URLs, and upgrade packages by default", () => {
    const base = { DATABASE_URL: 'postgres://h/d' };
    expect(parseConfig(ZWorkerEnv, base)).toMatchObject({
      GUEST_PACKAGE_UPGRADE: true,
      GUEST_PACKAGE_UPGRADE_SECONDS: 900,
      GUEST_CLOUD_INIT_WAIT_SECONDS: 600,
    });
    expect(
      parseConfig(ZWorkerEnv, {
        ...base,
        GUEST_APT_PROXY: 'http://apt-proxy.dc.kalteng.go.id:3142',
        GUEST_APT_MIRROR: 'http://mirror.dc/debian',
        GUEST_PACKAGE_UPGRADE: 'false',
      }),
    ).toMatchObject({
      GUEST_APT_PROXY: 'http://apt-proxy.dc.kalteng.go.id:3142',
      GUEST_APT_MIRROR: 'http://mirror.dc/debian',
      GUEST_PACKAGE_UPGRADE: false,
    });
    // the value lands in apt.conf and a sed expression on every guest
    for (const bad of ['http://proxy"; evil', 'http://m/debian#x', 'ftp://m/debian', 'http://m/a b']) {
      expect(() => parseConfig(ZWorkerEnv, { ...base, GUEST_APT_MIRROR: bad })).toThrow(/GUEST_APT_MIRROR/);
    }
  });

  it('should always have a guest resolver, a shutdown timeout inside the task budget, and a vmid reuse period', () => {
    const base = { DATABASE_URL: 'postgres://h/d' };
    expect(parseConfig(ZWorkerEnv, base)).toMatchObject({
      GUEST_NAMESERVER: '9.9.9.9 1.1.1.1',
      PVE_SHUTDOWN_SECONDS: 120,
      VMID_REUSE_DAYS: 30,
    });
    expect(parseConfig(ZWorkerEnv, { ...base, GUEST_NAMESERVER: ' 10.0.0.53,2001:db8::53 ' }).GUEST_NAMESERVER).toBe(
      '10.0.0.53 2001:db8::53',
    );
    // written into the VM's cloud-init config: IP addresses only, at most three (resolv.conf reads three)
    for (const bad of ['dns.google', '10.0.0.1; rm -rf /', '1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4', ' ', '10.0.0.256']) {
      expect(() => parseConfig(ZWorkerEnv, { ...base, GUEST_NAMESERVER: bad })).toThrow(/GUEST_NAMESERVER/);
    }
    // A short task budget alone (tests, chaos) shortens the default instead of refusing to start.
    expect(parseConfig(ZWorkerEnv, { ...base, PVE_TASK_SECONDS: '30' }).PVE_SHUTDOWN_SECONDS).toBe(15);
    expect(() => parseConfig(ZWorkerEnv, { ...base, PVE_SHUTDOWN_SECONDS: '300', PVE_TASK_SECONDS: '300' })).toThrow(
      /PVE_SHUTDOWN_SECONDS/,
    );
    expect(parseConfig(ZWorkerEnv, { ...base, VMID_REUSE_DAYS: '0' }).VMID_REUSE_DAYS).toBe(0);
    expect(() => parseConfig(ZWorkerEnv, { ...base, VMID_REUSE_DAYS: '-1' })).toThrow(/VMID_REUSE_DAYS/);
  });

  it('should default to no external trust roots and NIP matching, and refuse unknown signer-matching rules', () => {
    const base = { DATABASE_URL: 'postgres://127.0.0.1/betang', SIGNING_MASTER_SECRET: 'uji-rahasia-induk-penandatanganan-32+' };
    const config = parseConfig(ZApiEnv, base);
    expect(config.SIGNATURE_TRUST_ROOTS_FILE).toBeUndefined();
    expect(config.SIGNATURE_SIGNER_MATCH).toEqual(['nip']);
    expect(config.PDF_VERIFY_TIMEOUT_SECONDS).toBe(10);
    expect(parseConfig(ZApiEnv, { ...base, SIGNATURE_SIGNER_MATCH: 'Email, nip,email' }).SIGNATURE_SIGNER_MATCH).toEqual(['email', 'nip']);
    expect(() => parseConfig(ZApiEnv, { ...base, SIGNATURE_SIGNER_MATCH: 'nik' })).toThrow(/SIGNATURE_SIGNER_MATCH/);
    expect(() => parseConfig(ZApiEnv, { ...base, SIGNATURE_SIGNER_MATCH: '' })).toThrow(/SIGNATURE_SIGNER_MATCH/);
  });

  it('should refuse half a Proxmox configuration and a Proxmox without TLS pinning', () => {
    expect(() => parseConfig(ZWorkerEnv, { DATABASE_URL: 'postgres://h/d', PVE_URL: 'https://pve:8006' })).toThrow(
      /PVE_URL, PVE_TOKEN_ID and PVE_TOKEN_SECRET/,
    );
    expect(() =>
      parseConfig(ZWorkerEnv, {
        DATABASE_URL: 'postgres://h/d',
        PVE_URL: 'https://pve:8006',
        PVE_TOKEN_ID: 'betang@pve!prov',
        PVE_TOKEN_SECRET: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      }),
    ).toThrow(/PVE_CA_FILE or PVE_FINGERPRINT/);
  });

  it('should require PVE_POOL against a real cluster, in both languages, but not in the simulator demo', () => {
    const pve = {
      DATABASE_URL: 'postgres://h/d',
      PVE_URL: 'https://pve:8006',
      PVE_TOKEN_ID: 'betang@pve!worker',
      PVE_TOKEN_SECRET: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      PVE_FINGERPRINT: Array(32).fill('AB').join(':'),
    };
    expect(() => parseConfig(ZWorkerEnv, pve)).toThrow(/PVE_POOL wajib diisi.*PVE_POOL is required/);
    expect(parseConfig(ZWorkerEnv, { ...pve, PVE_POOL: 'betang' }).PVE_POOL).toBe('betang');
    expect(parseConfig(ZWorkerEnv, { ...pve, GUEST_SSH_TARGET: 'simulator' }).PVE_POOL).toBeUndefined();
    expect(() => parseConfig(ZWorkerEnv, { ...pve, PVE_POOL: 'bad pool;rm' })).toThrow(/PVE_POOL/);
  });

  it('should read several PVE API addresses with one fingerprint each, or one for all', () => {
    const fp = (b: string) => Array.from({ length: 32 }, () => b).join(':');
    const pve = {
      DATABASE_URL: 'postgres://h/d',
      PVE_POOL: 'betang',
      PVE_TOKEN_ID: 'betang@pve!prov',
      PVE_TOKEN_SECRET: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    };
    const two = parseConfig(ZWorkerEnv, {
      ...pve,
      PVE_URL: 'https://pve1:8006, https://pve2:8006',
      PVE_FINGERPRINT: `${fp('AB')},${fp('CD')}`,
    });
    expect(two.PVE_URL).toEqual(['https://pve1:8006', 'https://pve2:8006']);
    expect(two.PVE_FINGERPRINT).toEqual([fp('AB'), fp('CD')]);
    expect(
      parseConfig(ZWorkerEnv, { ...pve, PVE_URL: 'https://pve1:8006,https://pve2:8006', PVE_FINGERPRINT: fp('AB') }).PVE_FINGERPRINT,
    ).toEqual([fp('AB')]);
    expect(() =>
      parseConfig(ZWorkerEnv, {
        ...pve,
        PVE_URL: 'https://pve1:8006,https://pve2:8006,https://pve3:8006',
        PVE_FINGERPRINT: `${fp('AB')},${fp('CD')}`,
      }),
    ).toThrow(/one per entry \(3 URLs, 2 fingerprints\)/);
    expect(() => parseConfig(ZWorkerEnv, { ...pve, PVE_URL: 'https://pve1:8006,http://pve2:8006', PVE_FINGERPRINT: fp('AB') })).toThrow(
      /https/,
    );
    expect(() => parseConfig(ZWorkerEnv, { ...pve, PVE_URL: 'https://pve1:8006,https://pve1:8006/', PVE_FINGERPRINT: fp('AB') })).toThrow(
      /twice/,
    );
    expect(() => parseConfig(ZWorkerEnv, { ...pve, PVE_URL: ' , ', PVE_FINGERPRINT: fp('AB') })).toThrow(/PVE_URL/);
  });
});
