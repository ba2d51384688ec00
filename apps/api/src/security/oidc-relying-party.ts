import { custom, errors, generators, Issuer, type BaseClient, type TokenSet, type UserinfoResponse } from 'openid-client';

/** How Betang is registered at the identity provider (from OIDC_* in the environment). */
export type OidcSettings = {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: readonly string[];
  /** Claim carrying the NIP; absent: NIPs are not read. */
  nipClaim?: string;
  /** `acr` values that mean multi-factor at the provider (OIDC_MFA_ACR_VALUES). */
  mfaAcrValues?: readonly string[];
};

/** What a sign-on needs to keep between its start and its callback. */
export type OidcStart = { url: string; state: string; nonce: string; codeVerifier: string };

/** A person as a validated ID token (and the provider's userinfo) describe them. */
export type OidcPerson = {
  issuer: string;
  subject: string;
  /** Lower-cased; null when the provider gave none. */
  email: string | null;
  /** True only when the provider says the e-mail is verified (`email_verified: true`). */
  emailVerified: boolean;
  name: string | null;
  /** 18 digits (spaces the provider kept are removed); null when absent or not a NIP. */
  nip: string | null;
  /** When the person last authenticated at the provider (`auth_time`, seconds since the epoch); null when not said. */
  authTime: number | null;
  /** True when `amr`/`acr` show the provider used more than one factor (see {@link isMultiFactor}). */
  multiFactor: boolean;
};

/** Why a callback was refused; stored in the audit log and shown to the person as a short reason. */
export type OidcFailureReason =
  | 'provider_unreachable'
  | 'issuer_mismatch'
  | 'state_mismatch'
  | 'provider_error'
  | 'token_expired'
  | 'bad_signature'
  | 'nonce_mismatch'
  | 'audience_mismatch'
  | 'invalid_response';

/** A refused sign-on: `reason` for people and the audit, `detail` (the library's words) for the audit only. */
export class OidcFailure extends Error {
  constructor(
    readonly reason: OidcFailureReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'OidcFailure';
  }
}

/** Budget of one request to the provider (discovery, keys, token, userinfo). */
const PROVIDER_TIMEOUT_MS = 5_000;
/** Clock difference between Betang and the provider that is still accepted in iat/exp/nbf. */
const CLOCK_TOLERANCE_SECONDS = 30;

function classify(error: unknown): OidcFailure {
  if (error instanceof OidcFailure) return error;
  if (error instanceof errors.OPError)
    return new OidcFailure('provider_error', `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`);
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof errors.RPError)) return new OidcFailure('provider_unreachable', message);
  if (/\biss\b/.test(message)) return new OidcFailure('issuer_mismatch', message);
  if (/^state /.test(message)) return new OidcFailure('state_mismatch', message);
  if (/JWT expired|nbf|issued too far/.test(message)) return new OidcFailure('token_expired', message);
  if (/signature|failed to decode JWT|unexpected JWT alg/.test(message)) return new OidcFailure('bad_signature', message);
  if (/nonce/.test(message)) return new OidcFailure('nonce_mismatch', message);
  if (/\baud\b|\bazp\b/.test(message)) return new OidcFailure('audience_mismatch', message);
  return new OidcFailure('invalid_response', message);
}

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : null;
}

/** A NIP as civil servants write it (digits, maybe grouped with spaces) → 18 digits, else null. */
export function normaliseNip(value: unknown): string | null {
  const raw = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const digits = raw.replace(/[\s.-]/g, '');
  return /^\d{18}$/.test(digits) ? digits : null;
}

/**
 * RFC 8176 authentication method references, by the kind of factor they prove. `mfa` itself
 * says "more than one factor"; values a provider invents count as nothing.
 */
const AMR_FACTOR_KIND: Record<string, 'knowledge' | 'possession' | 'inherence'> = {
  pwd: 'knowledge',
  pin: 'knowledge',
  kba: 'knowledge',
  otp: 'possession',
  hwk: 'possession',
  swk: 'possession',
  sms: 'possession',
  tel: 'possession',
  sc: 'possession',
  pop: 'possession',
  fpt: 'inherence',
  face: 'inherence',
  iris: 'inherence',
  retina: 'inherence',
  vbm: 'inherence',
};

/**
 * Whether an ID token shows multi-factor authentication at the provider: `amr` contains `mfa`, or
 * names two different kinds of factor (Keycloak's AMR mapper says `["pwd","otp"]`), or `acr` is
 * one of the values configured to mean it. Anything else — no `amr`, one kind of factor twice,
 * unknown values — is one factor, so Betang asks its own TOTP of a user who enrolled it.
 */
export function isMultiFactor(amr: unknown, acr: unknown, mfaAcrValues: readonly string[] = []): boolean {
  if (typeof acr === 'string' && mfaAcrValues.includes(acr)) return true;
  if (!Array.isArray(amr)) return false;
  const methods = amr.filter((value): value is string => typeof value === 'string');
  if (methods.includes('mfa')) return true;
  const kinds = new Set(methods.map((method) => AMR_FACTOR_KIND[method]).filter((kind) => kind !== undefined));
  return kinds.size >= 2;
}

/**
 * Betang as an OpenID Connect relying party: authorization code flow with PKCE (S256), state and
 * nonce. Guarantees: the provider's discovery document must name exactly the configured issuer
 * (else nothing is trusted); a callback is accepted only with the expected state, the issuer
 * in the response (when the provider sends it), an ID token signed by a key of the provider's
 * JWKS for this client (audience), unexpired, with the expected nonce; every refusal is an
 * OidcFailure. Discovery is cached once it succeeded and retried on the next use when it failed.
 */
export class OidcRelyingParty {
  private client: Promise<BaseClient> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  /** The issuer Betang trusts (the configured one). */
  get issuer(): string {
    return this.settings.issuerUrl;
  }

  private clientOnce(): Promise<BaseClient> {
    this.client ??= this.discover().catch((error: unknown) => {
      this.client = undefined;
      throw classify(error);
    });
    return this.client;
  }

  private async discover(): Promise<BaseClient> {
    custom.setHttpOptionsDefaults({ timeout: PROVIDER_TIMEOUT_MS });
    const issuer = await Issuer.discover(this.settings.issuerUrl);
    if (issuer.metadata.issuer !== this.settings.issuerUrl) {
      throw new OidcFailure(
        'issuer_mismatch',
        `discovery names issuer ${String(issuer.metadata.issuer)}, expected ${this.settings.issuerUrl}`,
      );
    }
    const client = new issuer.Client({
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      redirect_uris: [this.settings.redirectUri],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    client[custom.clock_tolerance] = CLOCK_TOLERANCE_SECONDS;
    return client;
  }

  /**
   * A new sign-on: fresh state, nonce and PKCE verifier, and the provider's authorization URL for
   * them. `forceLogin`: a re-authentication — `prompt=login` and `max_age=0` make the provider ask
   * the person to log in again even when it has a session, and put `auth_time` in the ID token.
   */
  async start(options: { forceLogin?: boolean } = {}): Promise<OidcStart> {
    const client = await this.clientOnce();
    const state = generators.state();
    const nonce = generators.nonce();
    const codeVerifier = generators.codeVerifier();
    const url = client.authorizationUrl({
      scope: this.settings.scopes.join(' '),
      state,
      nonce,
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      ...(options.forceLogin ? { prompt: 'login', max_age: 0 } : {}),
    });
    return { url, state, nonce, codeVerifier };
  }

  /**
   * Finishes a sign-on from the callback's URL (path and query) with what its start kept: trades
   * the code for tokens, validates the ID token, and reads the person (ID token claims, completed
   * from userinfo for the same subject). Throws OidcFailure on any refusal.
   */
  async finish(callbackUrl: string, expected: { state: string; nonce: string; codeVerifier: string }): Promise<OidcPerson> {
    const client = await this.clientOnce();
    try {
      const params = client.callbackParams(callbackUrl);
      const tokens: TokenSet = await client.callback(this.settings.redirectUri, params, {
        state: expected.state,
        nonce: expected.nonce,
        code_verifier: expected.codeVerifier,
        response_type: 'code',
      });
      const idClaims: Record<string, unknown> = { ...tokens.claims() };
      const claims: Record<string, unknown> = { ...idClaims };
      if (client.issuer.metadata.userinfo_endpoint && tokens.access_token) {
        // userinfo() refuses an answer about another subject than the ID token's.
        const info: UserinfoResponse = await client.userinfo(tokens);
        for (const [key, value] of Object.entries(info)) if (claims[key] === undefined) claims[key] = value;
      }
      // Keycloak's subjects are UUIDs; OpenID Connect allows up to 255 ASCII characters.
      if (typeof claims.sub !== 'string' || claims.sub === '' || claims.sub.length > 255)
        throw new OidcFailure('invalid_response', 'the ID token has no usable subject (sub)');
      const email = text(claims.email, 320)?.toLowerCase() ?? null;
      return {
        issuer: this.settings.issuerUrl,
        subject: claims.sub,
        email: email && /^[^\s@]+@[^\s@]+$/.test(email) ? email : null,
        emailVerified: claims.email_verified === true,
        name: text(claims.name, 200) ?? text([claims.given_name, claims.family_name].filter(Boolean).join(' '), 200),
        nip: this.settings.nipClaim ? normaliseNip(claims[this.settings.nipClaim]) : null,
        // From the ID token only: userinfo is not signed and says nothing about this authentication.
        authTime: typeof idClaims.auth_time === 'number' && Number.isFinite(idClaims.auth_time) ? idClaims.auth_time : null,
        multiFactor: isMultiFactor(idClaims.amr, idClaims.acr, this.settings.mfaAcrValues),
      };
    } catch (error) {
      throw classify(error);
    }
  }
}
