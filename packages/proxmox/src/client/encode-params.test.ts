import { encodeParams } from './encode-params';

describe('encodeParams', () => {
  it('should send booleans as 1/0, repeat array keys, drop null/undefined', () => {
    const input = { newid: 101, full: true, onboot: false, command: ['ls', '-l'], pool: undefined, storage: null, name: 'vps-101' };
    expect(encodeParams(input).toString()).toBe('newid=101&full=1&onboot=0&command=ls&command=-l&name=vps-101');
    expect(input.pool).toBeUndefined();
    expect(Object.keys(input)).toContain('storage');
  });

  it('should refuse non-finite numbers and objects rather than sending junk', () => {
    expect(() => encodeParams({ memory: NaN })).toThrow(TypeError);
    expect(() => encodeParams({ x: { a: 1 } as unknown as string })).toThrow(TypeError);
  });

  it('should escape separators inside values', () => {
    expect(new URLSearchParams(encodeParams({ description: 'a&b=c\nd' }).toString()).get('description')).toBe('a&b=c\nd');
  });
});
