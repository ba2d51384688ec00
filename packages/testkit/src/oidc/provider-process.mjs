// A real OpenID Connect provider (the `oidc-provider` library, certified by the OpenID
// Foundation) for tests, in a process of its own: on 127.0.0.1, a random port, its development
// login form (any password). Started by packages/testkit/src/oidc/oidc-provider.ts, which passes
// its settings as JSON in OIDC_TEST_PROVIDER and reads the line "listening <port> <issuer>".
//
// POST /__test/faults {clockOffsetSeconds, tamperIdToken} changes how it misbehaves, so one
// process serves every case: a clock offset makes it issue tokens that are already expired
// (every timestamp it writes moves), tamperIdToken changes a claim of each ID token it hands out
// without signing it again.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_PROVIDER ?? '{}');
const faults = { clockOffsetSeconds: 0, tamperIdToken: false };

const realNow = Date.now;
Date.now = () => realNow() + faults.clockOffsetSeconds * 1000;

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}${settings.issuerSuffix ?? ''}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const accounts = settings.accounts ?? {};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      redirect_uris: settings.redirectUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['betang-test-provider-cookie-key'] },
  // amr in every ID token that has one, as Keycloak's AMR mapper does.
  claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'], nip: ['nip'] },
  findAccount: async (_ctx, sub) => {
    if (!accounts[sub]) return undefined;
    const { amr: _amr, ...claims } = accounts[sub];
    return { accountId: sub, claims: async () => ({ sub, ...claims }) };
  },
  // A first-party client, as Keycloak treats its own applications: no consent screen.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile nip');
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});

// The development login form knows one factor; an account with `amr` logs in as if the
// provider had asked for more (what Keycloak's AMR mapper reports after password + OTP).
const loginAccount = provider.Session.prototype.loginAccount;
provider.Session.prototype.loginAccount = function (details) {
  const amr = accounts[details.accountId]?.amr;
  return loginAccount.call(this, amr ? { ...details, amr } : details);
};

provider.use(async (ctx, next) => {
  await next();
  if (faults.tamperIdToken && ctx.path === '/token' && ctx.body && typeof ctx.body.id_token === 'string') {
    const [header, payload, signature] = ctx.body.id_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.sub = 'someone-else';
    claims.email = 'admin@betang.test';
    ctx.body = { ...ctx.body, id_token: [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.') };
  }
});

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.method === 'POST' && req.url === '/__test/faults') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      Object.assign(faults, JSON.parse(body || '{}'));
      res.writeHead(204).end();
    });
    return;
  }
  callback(req, res);
});

process.stdout.write(`listening ${port} ${issuer}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
