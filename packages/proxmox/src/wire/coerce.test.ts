import { ZNextId, ZPveAgentEnabled, ZPveBoolean, ZPveInt, ZPveMemoryMiB, ZPveNumber, ZVmid } from './coerce.schema';
import { ZVmConfig } from './vm.schema';

describe('wire coercion', () => {
  it.each([
    [1, true],
    [0, false],
    ['1', true],
    ['0', false],
    [true, true],
    [false, false],
  ] as const)('ZPveBoolean should read %j as %j', (input, out) => {
    expect(ZPveBoolean.parse(input)).toBe(out);
  });

  it.each([2, '2', 'true', 'yes', null, ''])('ZPveBoolean should reject %j', (input) => {
    expect(ZPveBoolean.safeParse(input).success).toBe(false);
  });

  it('ZPveInt should accept numbers and decimal strings and reject junk', () => {
    expect(ZPveInt.parse('4096')).toBe(4096);
    expect(ZPveInt.parse(' -3 ')).toBe(-3);
    expect(ZPveInt.parse(7)).toBe(7);
    for (const bad of ['1.5', '0x10', '1e3', '', 'abc', 1.5, '99999999999999999999']) {
      expect(ZPveInt.safeParse(bad).success).toBe(false);
    }
  });

  it('ZPveNumber should accept CPU fractions as strings', () => {
    expect(ZPveNumber.parse('0.0731')).toBeCloseTo(0.0731);
    expect(ZPveNumber.parse(0.5)).toBe(0.5);
    expect(ZPveNumber.safeParse('NaN').success).toBe(false);
    expect(ZPveNumber.safeParse('Infinity').success).toBe(false);
  });

  it('ZNextId / ZVmid should read the string nextid and enforce PVE bounds', () => {
    expect(ZNextId.parse('101')).toBe(101);
    expect(ZNextId.parse(10042)).toBe(10042);
    expect(ZVmid.safeParse('99').success).toBe(false);
    expect(ZVmid.safeParse(1_000_000_000).success).toBe(false);
  });

  it.each([
    [2048, 2048],
    ['2048', 2048],
    ['current=4096', 4096],
  ] as const)('ZPveMemoryMiB should read %j (PVE 8.0 number / 8.1+ property string)', (input, out) => {
    expect(ZPveMemoryMiB.parse(input)).toBe(out);
  });

  it('ZPveMemoryMiB should reject junk and values below 16 MiB', () => {
    for (const bad of ['2G', 'max=2048', '8', -1]) expect(ZPveMemoryMiB.safeParse(bad).success).toBe(false);
  });

  it.each([
    [1, true],
    ['1', true],
    [0, false],
    ['enabled=1,fstrim_cloned_disks=1', true],
    ['enabled=0', false],
    ['0,type=virtio', false],
  ] as const)('ZPveAgentEnabled should read %j', (input, out) => {
    expect(ZPveAgentEnabled.parse(input)).toBe(out);
  });

  it('ZPveAgentEnabled should reject an unknown agent value', () => {
    expect(ZPveAgentEnabled.safeParse('type=virtio').success).toBe(false);
  });

  it('ZVmConfig should coerce a PVE 9 config and keep unknown keys', () => {
    const cfg = ZVmConfig.parse({
      cores: 2,
      memory: '2048',
      onboot: 1,
      agent: 'enabled=1',
      tags: 'betang;run-7',
      net0: 'virtio=BC:24:11:2A:3B:4C,bridge=vmbr0',
      digest: 'a'.repeat(40),
    });
    expect(cfg).toMatchObject({ cores: 2, memory: 2048, onboot: true, agent: true, tags: ['betang', 'run-7'] });
    expect(cfg.net0).toBe('virtio=BC:24:11:2A:3B:4C,bridge=vmbr0');
  });

  it('ZVmConfig should coerce a PVE 8.0 config (numeric memory, no tags)', () => {
    const cfg = ZVmConfig.parse({ cores: '4', memory: 1024, onboot: '0' });
    expect(cfg).toMatchObject({ cores: 4, memory: 1024, onboot: false, tags: [] });
  });
});
