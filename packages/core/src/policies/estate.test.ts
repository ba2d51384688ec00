import { estateConflicts, proposeOwner, trackedAddresses, type EstateDecisions, type EstateVmFacts } from './estate';

const INSTITUTIONS = [
  { id: 'i-dinkes', code: 'DINKES', name: 'Dinas Kesehatan' },
  { id: 'i-adpim', code: 'BIRO-ADPIM', name: 'Biro Administrasi Pimpinan' },
  { id: 'i-bkpsdm', code: 'BKPSDM', name: 'Badan Kepegawaian' },
];
const APPS = [
  { id: 'a-simpus', institutionId: 'i-dinkes', name: 'SIMPUS Puskesmas' },
  { id: 'a-sehat', institutionId: 'i-dinkes', name: 'Portal Sehat' },
  { id: 'a-agenda', institutionId: 'i-adpim', name: 'SIPD Agenda Pimpinan' },
  { id: 'a-simpeg', institutionId: 'i-bkpsdm', name: 'SIMPEG' },
];

const vm = (over: Partial<EstateVmFacts>): EstateVmFacts => ({
  vmid: 101,
  name: null,
  tags: [],
  notes: null,
  addresses: [],
  inBetangRange: false,
  decisions: {},
  ...over,
});

describe('proposeOwner', () => {
  it('should name the institution from a code in the name, with the reason', () => {
    const p = proposeOwner(vm({ name: 'web-dinkes-lama' }), INSTITUTIONS, APPS);
    expect(p).toMatchObject({ institutionId: 'i-dinkes', applicationId: null });
    expect(p?.reason.id).toContain('"dinkes" pada nama');
  });

  it('should take the application too when notes name it and the institution agrees', () => {
    const p = proposeOwner(vm({ name: 'web-dinkes-lama', notes: 'Web lama SIMPUS versi 1' }), INSTITUTIONS, APPS);
    expect(p).toMatchObject({ institutionId: 'i-dinkes', applicationId: 'a-simpus' });
  });

  it('should match a part of a compound code and an upper-case name', () => {
    expect(proposeOwner(vm({ name: 'agenda-adpim' }), INSTITUTIONS, APPS)).toMatchObject({
      institutionId: 'i-adpim',
      applicationId: 'a-agenda',
    });
    expect(proposeOwner(vm({ name: 'SIMPEG-server' }), INSTITUTIONS, APPS)).toMatchObject({
      institutionId: 'i-bkpsdm',
      applicationId: 'a-simpeg',
    });
  });

  it('should propose nothing without a hint, or when two institutions are named', () => {
    expect(proposeOwner(vm({ name: 'test' }), INSTITUTIONS, APPS)).toBeUndefined();
    expect(proposeOwner(vm({ name: 'proxy-dinkes', tags: ['bkpsdm'] }), INSTITUTIONS, APPS)).toBeUndefined();
  });
});

describe('estateConflicts', () => {
  const pools = [{ rangeStart: '10.120.0.20', rangeEnd: '10.120.0.250' }];
  const world = (over: Partial<Parameters<typeof estateConflicts>[1]> = {}, decisions: Record<number, EstateDecisions> = {}) => ({
    censusHolders: new Map<string, number[]>(),
    betangHolders: new Map<string, number | null>(),
    decisionsOf: (v: number) => decisions[v] ?? {},
    pools,
    claimedBy: undefined,
    ...over,
  });

  it('should report nothing for a VM with one pooled address of its own', () => {
    const v = vm({ addresses: [{ address: '10.120.0.31', source: 'agent' }] });
    expect(estateConflicts(v, world({ censusHolders: new Map([['10.120.0.31', [101]]]) }))).toEqual([]);
  });

  it('should report a shared address until one side keeps it and the other drops it', () => {
    const shared = new Map([['10.120.0.31', [101, 102]]]);
    const a = vm({ vmid: 101, addresses: [{ address: '10.120.0.31', source: 'config' }] });
    const open = estateConflicts(a, world({ censusHolders: shared }));
    expect(open).toMatchObject([{ kind: 'address_shared', address: '10.120.0.31', others: [102], resolved: false }]);
    const keep = { ...a, decisions: { addresses: { '10.120.0.31': 'keep' as const } } };
    expect(estateConflicts(keep, world({ censusHolders: shared }))[0]?.resolved).toBe(false);
    expect(estateConflicts(keep, world({ censusHolders: shared }, { 102: { addresses: { '10.120.0.31': 'drop' } } }))[0]?.resolved).toBe(
      true,
    );
  });

  it('should report an address outside every pool, a vmid in Betang range and a claimed VM', () => {
    const v = vm({ addresses: [{ address: '192.168.50.10', source: 'agent' }], inBetangRange: true });
    const c = estateConflicts(v, world({ claimedBy: 100_001 }));
    expect(c.map((x) => [x.kind, x.resolved])).toEqual([
      ['claimed', false],
      ['vmid_range', false],
      ['outside_pool', false],
    ]);
    const decided = estateConflicts({ ...v, decisions: { outsidePool: true, vmidRange: true } }, world());
    expect(decided.every((x) => x.resolved)).toBe(true);
  });

  it('should only allow dropping an address a Betang VM already holds', () => {
    const v = vm({ addresses: [{ address: '10.120.0.50', source: 'agent' }] });
    const held = world({ betangHolders: new Map([['10.120.0.50', 100_007]]) });
    expect(estateConflicts(v, held)).toMatchObject([{ kind: 'address_held', others: [100_007], resolved: false }]);
    expect(estateConflicts({ ...v, decisions: { addresses: { '10.120.0.50': 'keep' } } }, held)[0]?.resolved).toBe(false);
    expect(estateConflicts({ ...v, decisions: { addresses: { '10.120.0.50': 'drop' } } }, held)[0]?.resolved).toBe(true);
  });
});

describe('trackedAddresses', () => {
  it('should keep IPv4 unicast once, agent first', () => {
    expect(
      trackedAddresses([
        { address: '10.0.0.5', source: 'config' },
        { address: '127.0.0.1', source: 'agent' },
        { address: 'fe80::1', source: 'agent' },
        { address: '10.0.0.5', source: 'agent' },
      ]),
    ).toEqual([{ address: '10.0.0.5', source: 'agent' }]);
  });
});
