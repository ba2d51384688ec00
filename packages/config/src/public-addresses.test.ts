import { parseConfig, ZApiEnv, ZWorkerEnv } from './index';
import { MAX_PUBLIC_ADDRESSES, parsePublicAddresses } from './public-addresses';

describe('the public address pool (PUBLIC_NAT_ADDRESSES)', () => {
  it('should expand addresses and ranges in the order given', () => {
    expect(parsePublicAddresses(' 203.0.113.254-203.0.114.1 , 198.51.100.7')).toEqual({
      addresses: ['203.0.113.254', '203.0.113.255', '203.0.114.0', '203.0.114.1', '198.51.100.7'],
    });
  });

  it.each([
    ['203.0.113.300', /neither/],
    ['203.0.113.1-203.0.113.2-203.0.113.3', /neither/],
    ['203.0.113.9-203.0.113.1', /ends before/],
    ['203.0.113.1-203.0.113.3, 203.0.113.2', /203\.0\.113\.2 is listed twice/],
    ['10.0.0.0-10.0.255.255', new RegExp(`more than ${MAX_PUBLIC_ADDRESSES}`)],
    ['1.2.3.4; rm -rf /', /neither/],
    [' , ', /no address/],
  ])('should refuse %s', (value, problem) => {
    const parsed = parsePublicAddresses(value);
    expect('problem' in parsed && parsed.problem).toMatch(problem);
  });

  it('should be off when absent or empty in both processes, and report a bad pool on the variable', () => {
    const base = { DATABASE_URL: 'postgres://127.0.0.1/betang', SIGNING_MASTER_SECRET: 'uji-rahasia-induk-penandatanganan-32+' };
    expect(parseConfig(ZApiEnv, base).PUBLIC_NAT_ADDRESSES).toBeUndefined();
    expect(parseConfig(ZApiEnv, { ...base, PUBLIC_NAT_ADDRESSES: '' }).PUBLIC_NAT_ADDRESSES).toBeUndefined();
    expect(parseConfig(ZWorkerEnv, { ...base, PUBLIC_NAT_ADDRESSES: '203.0.113.10-203.0.113.11' }).PUBLIC_NAT_ADDRESSES).toEqual([
      '203.0.113.10',
      '203.0.113.11',
    ]);
    expect(() => parseConfig(ZWorkerEnv, { ...base, PUBLIC_NAT_ADDRESSES: '203.0.113.x' })).toThrow(/PUBLIC_NAT_ADDRESSES/);
  });
});
