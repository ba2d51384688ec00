import { ApiError, fieldErrorsOf } from './api-error';
import { ApiClient } from './http-client';
import { ZMeResponse } from '@betang/core';

type Call = { url: string; init: RequestInit };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

const USER = {
  id: '7f1c2d4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  email: 'sari@dinkes.kalteng.go.id',
  name: 'Sari',
  nip: null,
  position: null,
  phone: null,
  institutionId: null,
  roles: ['operator'],
  locale: 'id',
  isActive: true,
  totpEnabled: false,
  createdAt: '2026-11-27T10:00:00.000Z',
};

describe('ApiClient', () => {
  const realFetch = global.fetch;
  let calls: Call[];
  let answers: Response[];
  let expired: number;
  let client: ApiClient;

  beforeEach(() => {
    calls = [];
    answers = [];
    expired = 0;
    global.fetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      const next = answers.shift();
      if (!next) throw new TypeError('fetch failed');
      return next;
    }) as typeof fetch;
    client = new ApiClient({ locale: () => 'en', onUnauthenticated: () => (expired += 1) });
  });

  afterEach(() => {
    global.fetch = realFetch;
  });

  const header = (call: Call | undefined, name: string) => (call?.init.headers as Record<string, string> | undefined)?.[name];

  it('should send Accept-Language and the CSRF token only on unsafe requests', async () => {
    client.setCsrfToken('csrf-1');
    answers.push(json(200, { user: USER, roles: ['operator'], institution: null, csrfToken: 'csrf-1' }), json(204, undefined));
    await client.request('GET', '/me', { response: ZMeResponse });
    await client.request('POST', '/auth/logout');
    expect(calls.map((call) => [call.init.method, header(call, 'Accept-Language'), header(call, 'X-CSRF-Token')])).toEqual([
      ['GET', 'en', undefined],
      ['POST', 'en', 'csrf-1'],
    ]);
    expect(calls[0]?.init.credentials).toBe('same-origin');
  });

  it('should leave empty query values out and encode the rest', async () => {
    answers.push(json(200, { items: [], nextCursor: null }));
    await client.request('GET', '/audit-log', {
      query: { action: 'user.created', cursor: undefined, targetType: '', limit: 50, q: 'a&b' },
    });
    expect(calls[0]?.url).toBe('/api/v1/audit-log?action=user.created&limit=50&q=a%26b');
  });

  it('should reload the CSRF token from GET /me and retry once after a CSRF refusal', async () => {
    client.setCsrfToken('stale');
    answers.push(
      json(403, { error: { code: 'CSRF_TOKEN_INVALID', message: 'CSRF token missing or invalid.' } }),
      json(200, { user: USER, roles: ['operator'], institution: null, csrfToken: 'fresh' }),
      json(204, undefined),
    );
    await client.request('DELETE', '/me/tokens/abc');
    expect(calls.map((call) => [call.init.method, call.url, header(call, 'X-CSRF-Token')])).toEqual([
      ['DELETE', '/api/v1/me/tokens/abc', 'stale'],
      ['GET', '/api/v1/me', undefined],
      ['DELETE', '/api/v1/me/tokens/abc', 'fresh'],
    ]);
  });

  it('should not retry a plain 403 (role refusal)', async () => {
    answers.push(json(403, { error: { code: 'FORBIDDEN', message: 'Your role does not allow this action.' } }));
    await expect(client.request('POST', '/users', { body: {} })).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(calls).toHaveLength(1);
  });

  it('should turn the error shape into an ApiError whose field issues map to inputs', async () => {
    answers.push(
      json(400, {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'The submitted data is invalid.',
          details: [
            { path: 'body.email', message: 'Invalid email', code: 'invalid_format' },
            { path: 'body.email', message: 'second message loses', code: 'x' },
            { path: 'body.contact.nip', message: 'NIP must be 18 digits', code: 'invalid_format' },
            { path: 'query.limit', message: 'too big', code: 'too_big' },
            'not an issue',
          ],
          requestId: 'req-1',
        },
      }),
    );
    const error = (await client.request('POST', '/institutions/x/users', { body: {} }).catch((caught: unknown) => caught)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code, error.message, error.requestId]).toEqual([
      400,
      'VALIDATION_FAILED',
      'The submitted data is invalid.',
      'req-1',
    ]);
    expect(fieldErrorsOf(error.fieldIssues)).toEqual({ email: 'Invalid email', 'contact.nip': 'NIP must be 18 digits' });
  });

  it('should end the session on UNAUTHENTICATED but not on INVALID_CREDENTIALS', async () => {
    answers.push(json(401, { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong e-mail, password or TOTP code.' } }));
    await expect(client.request('POST', '/me/totp', { body: {} })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(expired).toBe(0);
    answers.push(json(401, { error: { code: 'UNAUTHENTICATED', message: 'Please sign in first.' } }));
    await expect(client.request('GET', '/me/tokens')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(expired).toBe(1);
  });

  it('should report answers that break the contract, non-JSON errors and network failures with client codes', async () => {
    answers.push(json(200, { user: { id: 'not-a-uuid' } }));
    await expect(client.request('GET', '/me', { response: ZMeResponse })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    answers.push(new Response('<html>proxy error</html>', { status: 502 }));
    await expect(client.request('GET', '/me')).rejects.toMatchObject({ status: 502, code: 'BAD_RESPONSE' });
    await expect(client.request('GET', '/me')).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
  });
});
