import { pveOutcome } from './worker-metrics';

describe('pveOutcome', () => {
  it('should map call events to the bounded outcome set, keeping 595 apart from other 5xx', () => {
    expect(pveOutcome({ outcome: 'ok', status: 200 })).toBe('ok');
    expect(pveOutcome({ outcome: 'error', status: 403 })).toBe('4xx');
    expect(pveOutcome({ outcome: 'error', status: 500 })).toBe('5xx');
    expect(pveOutcome({ outcome: 'error', status: 595 })).toBe('595');
    expect(pveOutcome({ outcome: 'error', status: 302 })).toBe('other');
    expect(pveOutcome({ outcome: 'error' })).toBe('other');
    expect(pveOutcome({ outcome: 'timeout' })).toBe('timeout');
    expect(pveOutcome({ outcome: 'network' })).toBe('network');
  });
});
