import { createCallCounter } from './call-counter';

describe('createCallCounter', () => {
  it('should count by route and outcome and return copies', () => {
    const c = createCallCounter();
    c.onCall({ method: 'GET', pathTemplate: '/cluster/resources', outcome: 'ok', status: 200, durationMs: 5 });
    c.onCall({ method: 'GET', pathTemplate: '/cluster/resources', outcome: 'network', durationMs: 7 });
    c.onCall({ method: 'POST', pathTemplate: '/nodes/{node}/qemu/{vmid}/clone', outcome: 'error', status: 500, durationMs: 3 });
    const snap = c.snapshot();
    expect(snap.total).toBe(3);
    expect(snap.byOutcome).toEqual({ ok: 1, error: 1, timeout: 0, network: 1 });
    expect(snap.byRoute['GET /cluster/resources']).toEqual({
      calls: 2,
      byOutcome: { ok: 1, error: 0, timeout: 0, network: 1 },
      totalMs: 12,
    });
    snap.byOutcome.ok = 99;
    expect(c.snapshot().byOutcome.ok).toBe(1);
    c.reset();
    expect(c.snapshot()).toEqual({ total: 0, byOutcome: { ok: 0, error: 0, timeout: 0, network: 0 }, byRoute: {} });
  });
});
