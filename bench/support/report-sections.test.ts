import type { BenchResults } from '../run';
import { parseTaskProfile, renderInventory } from './ansible-inventory';
import { keptNote } from './report';
import { keepSections, mergeResults, sectionMarkers, sectionsOf, withSection } from './report-sections';

const section = (name: string, body: string) => `${sectionMarkers(name).start}\n${body}\n${sectionMarkers(name).end}`;
const machine = { cpus: 2, node: 'v20', loadAvg: [0, 0, 0] };

describe('docs/benchmarks.md sections', () => {
  const page = [
    '# Benchmarks',
    'table of the full run',
    section('ansible', 'ansible 10 VMs'),
    'analysis',
    section('find', 'find p99'),
  ].join('\n\n');

  it('should find every marked section, the legacy find markers included', () => {
    const found = sectionsOf(page);
    expect([...found.keys()]).toEqual(['ansible', 'find']);
    expect(found.get('find')).toBe(section('find', 'find p99'));
  });

  it('should replace only its own section and keep the rest byte for byte', () => {
    const next = withSection(page, 'ansible', section('ansible', 'ansible 50 VMs'));
    expect(next).toBe(page.replace('ansible 10 VMs', 'ansible 50 VMs'));
    expect(withSection('# Empty', 'polls', section('polls', 'p'))).toBe(`# Empty\n\n${section('polls', 'p')}\n`);
  });

  it('should keep every section a full run does not render itself, and let the fresh ones win', () => {
    const fresh = ['# Benchmarks', 'new table', section('find', 'new find')].join('\n\n');
    const kept = keepSections(page, fresh);
    expect(kept).toContain('new table');
    expect(kept).toContain(section('ansible', 'ansible 10 VMs'));
    expect(kept).toContain('new find');
    expect(kept).not.toContain('find p99');
    // Run again on its own output: nothing is duplicated.
    expect(keepSections(kept, kept)).toBe(kept);
  });

  it('should not take an unterminated section for one', () => {
    expect(sectionsOf(`${sectionMarkers('polls').start}\nno end`).size).toBe(0);
    const broken = `head\n${sectionMarkers('ansible').start}\nhalf`;
    expect(withSection(broken, 'ansible', section('ansible', 'x'))).toBe(`${broken}\n\n${section('ansible', 'x')}\n`);
  });
});

describe('results of a partial run', () => {
  const earlier: BenchResults = {
    at: '2026-12-01T00:00:00.000Z',
    machine,
    realistic: { wallSeconds: 20 } as BenchResults['realistic'],
    instant: { wallSeconds: 8 } as BenchResults['instant'],
    api: { fixedRate: { p99Ms: 30 } } as BenchResults['api'],
  };

  it('should keep the scenarios this run did not measure, with the time they were measured', () => {
    const fresh: BenchResults = { at: '2026-12-08T00:00:00.000Z', machine, realistic: { wallSeconds: 18 } as BenchResults['realistic'] };
    const shown = mergeResults(earlier, fresh);
    expect(shown.realistic?.wallSeconds).toBe(18);
    expect(shown.instant?.wallSeconds).toBe(8);
    expect(shown.api?.fixedRate.p99Ms).toBe(30);
    expect(shown.measuredAt).toEqual({ realistic: fresh.at, instant: earlier.at, api: earlier.at });
    expect(keptNote(shown)).toBe(`Kept from earlier runs (this one did not measure them): instant (${earlier.at}), api (${earlier.at}).\n`);
    // A third run keeps the original measurement time, not the second run's.
    const third = mergeResults(shown, {
      at: '2026-12-09T00:00:00.000Z',
      machine,
      realistic: { wallSeconds: 17 } as BenchResults['realistic'],
    });
    expect(third.measuredAt?.instant).toBe(earlier.at);
  });

  it('should show only this run when it measured everything, or when nothing came before', () => {
    const full: BenchResults = { ...earlier, at: '2026-12-08T00:00:00.000Z' };
    expect(keptNote(mergeResults(earlier, full))).toBe('');
    const alone = mergeResults(undefined, { at: 'now', machine });
    expect(alone.realistic).toBeUndefined();
    expect(keptNote(alone)).toBe('');
  });
});

describe('the Ansible inventory', () => {
  it('should give every VM its own id, address and a node round-robin, run locally by the Debian python', () => {
    const inventory = renderInventory(10, 8);
    const hosts = inventory.split('\n').filter((l) => l.startsWith('ansible-'));
    expect(hosts).toHaveLength(10);
    expect(new Set(hosts.map((h) => /vm_id=(\d+)/.exec(h)![1])).size).toBe(10);
    expect(new Set(hosts.map((h) => /vm_address=(\S+)/.exec(h)![1])).size).toBe(10);
    expect(hosts.map((h) => /vm_node=(\S+)/.exec(h)![1])).toEqual([
      'pve1',
      'pve2',
      'pve3',
      'pve4',
      'pve5',
      'pve6',
      'pve7',
      'pve8',
      'pve1',
      'pve2',
    ]);
    expect(inventory).toContain('ansible_python_interpreter=/usr/bin/python3');
  });
});

describe('the Ansible task profile', () => {
  it('should read the per-task summary of profile_tasks and nothing else', () => {
    const output = [
      'TASK [Nyalakan / start] ********************************************************',
      'Tuesday 08 December 2026  00:05:01 +0000 (0:00:12.345)       0:00:40.100 *****',
      'changed: [ansible-0]',
      '===============================================================================',
      'Klon penuh dari templat / full clone from the template ------------------ 31.52s',
      'Nyalakan / start --------------------------------------------------------- 9.07s',
      'Tunggu alamat dari guest agent / wait for the address from the guest agent -- 19.45s',
      'ok: [x] => {"msg": "a --- 3s"}',
    ].join('\n');
    expect(parseTaskProfile(output)).toEqual({
      'Klon penuh dari templat / full clone from the template': 31.52,
      'Nyalakan / start': 9.07,
      'Tunggu alamat dari guest agent / wait for the address from the guest agent': 19.45,
    });
  });
});
