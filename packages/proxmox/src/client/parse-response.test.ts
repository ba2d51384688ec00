import { parseEnvelope, toApiError } from './parse-response';

describe('toApiError', () => {
  it('should read a PVE 9 400 with a trimmed per-field map', () => {
    const body = {
      data: null,
      errors: { name: 'invalid format - value does not look like a valid DNS name\n' },
      message: 'Parameter verification failed.\n',
    };
    const err = toApiError(400, 'Parameter verification failed.', JSON.stringify(body), 'POST', '/nodes/{node}/qemu/{vmid}/config');
    expect(err).toMatchObject({
      status: 400,
      reason: 'Parameter verification failed.',
      message: 'Parameter verification failed.',
      method: 'POST',
      pathTemplate: '/nodes/{node}/qemu/{vmid}/config',
      retryable: false,
      errors: { name: 'invalid format - value does not look like a valid DNS name' },
    });
    expect(err.describe().id).toContain('name: invalid format');
    expect(err.describe().en).toContain('Proxmox rejected POST');
  });

  it('should take the message from the reason phrase for old PVE 8 bodies', () => {
    const err = toApiError(500, 'VM is locked (clone)', '{"data":null}', 'POST', '/x');
    expect(err.message).toBe('VM is locked (clone)');
    expect(err.errors).toBeUndefined();
    expect(err.retryable).toBe(true);
  });

  it('should prefer the fuller body message over the first-line reason', () => {
    const err = toApiError(500, 'clone failed: x', JSON.stringify({ data: null, message: 'clone failed: x\nsecond line\n' }), 'POST', '/x');
    expect(err.message).toBe('clone failed: x\nsecond line');
  });

  it('should survive an empty 401 body and non-JSON garbage', () => {
    expect(toApiError(401, 'Authentication failed!', '', 'GET', '/x').message).toBe('Authentication failed!');
    expect(toApiError(502, '', '<html>bad gateway</html>', 'GET', '/x').message).toBe('HTTP 502');
  });

  it('should bound hostile error maps in count and length', () => {
    const errors = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 'x'.repeat(10_000)]));
    const err = toApiError(400, 'Parameter verification failed.', JSON.stringify({ data: null, errors }), 'POST', '/x');
    expect(Object.keys(err.errors ?? {})).toHaveLength(64);
    expect((err.errors?.k0 ?? '').length).toBeLessThanOrEqual(2_001);
  });

  it('should stringify non-string field errors instead of crashing', () => {
    const err = toApiError(
      400,
      'Parameter verification failed.',
      JSON.stringify({ data: null, errors: { a: { nested: 1 } } }),
      'POST',
      '/x',
    );
    expect(err.errors).toEqual({ a: '{"nested":1}' });
  });
});

describe('parseEnvelope', () => {
  it('should keep data and total', () => {
    expect(parseEnvelope('{"data":[{"n":1,"t":"TASK OK"}],"total":1}')).toEqual({ data: [{ n: 1, t: 'TASK OK' }], total: 1 });
    expect(parseEnvelope('{"data":null}')).toEqual({ data: null });
  });

  it.each(['', 'not json', '[]', '{"nodata":1}', 'null'])('should reject %j', (body) => {
    expect(parseEnvelope(body)).toBeUndefined();
  });
});
