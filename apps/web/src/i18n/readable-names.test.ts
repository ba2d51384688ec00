import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AGREEMENT_STATUSES,
  AUDIT_ACTION_NAMES,
  AUDIT_TARGET_NAMES,
  REQUEST_STATUSES,
  RUN_KINDS,
  RUN_STATUSES,
  STEP_STATUSES,
  VM_ACTIONS,
  VM_STATES,
  auditActionName,
  type LocalizedText,
} from '@betang/core';
import { stepKey } from '../features/requests/request-labels';

const ROOT = path.resolve(__dirname, '../../../..');
const load = (name: string): Record<string, string> =>
  JSON.parse(readFileSync(path.join(__dirname, name), 'utf8')) as Record<string, string>;
const catalogues = { id: load('id.json'), en: load('en.json') };

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(full);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [full] : [];
  });
}

const SERVER_SOURCES = ['apps/api/src', 'apps/worker/src', 'apps/launcher/src', 'packages/db/src'].flatMap((dir) =>
  sources(path.join(ROOT, dir)),
);
const TARGET_PREFIXES = Object.keys(AUDIT_TARGET_NAMES)
  .concat(['auth', 'catalog', 'approval', 'reconciliation', 'settings', 'sso', 'console'])
  .join('|');

/** Job names (`'vm.provision'`) look like audit actions but are not: the worker's handler map lists them. */
function jobNames(): Set<string> {
  const text = readFileSync(path.join(ROOT, 'apps/worker/src/jobs/index.ts'), 'utf8');
  return new Set([...text.matchAll(/'([a-z.-]+)': [a-zA-Z]+Job\(/g)].map((match) => match[1] ?? ''));
}

/**
 * Every audit action the servers write: quoted `<target>.<what>` literals in their sources, plus
 * `vm.<action>_requested` for each VM power action. A literal whose `_failed` form has a name is
 * the base of a re-authentication (its failures are audited as `<base>_failed`).
 */
function auditActions(): Map<string, string> {
  const jobs = jobNames();
  const found = new Map<string, string>();
  // A field path (`path: 'institution.code'`) is not an action.
  const literal = new RegExp(`(?<!path: )['\`]((?:${TARGET_PREFIXES})\\.[a-z_]+)['\`]`, 'g');
  for (const file of SERVER_SOURCES) {
    for (const match of readFileSync(file, 'utf8').matchAll(literal)) {
      const action = match[1] ?? '';
      if (!jobs.has(action)) found.set(action, path.relative(ROOT, file));
    }
  }
  // Resize, decommission and restore have their own use cases and actions; the power actions share one.
  for (const action of VM_ACTIONS)
    if (!['resize', 'decommission', 'restore'].includes(action)) found.set(`vm.${action}_requested`, 'request-vm-action.ts');
  return found;
}

const named = (names: Record<string, LocalizedText>, key: string) =>
  Boolean(names[key]?.id && names[key]?.en && names[key].id !== names[key].en);

describe('readable names', () => {
  it('should name every audit action the servers write, in both languages', () => {
    const actions = auditActions();
    expect(actions.size).toBeGreaterThan(60);
    const names = AUDIT_ACTION_NAMES as Record<string, LocalizedText>;
    const missing = [...actions]
      .filter(([action]) => !named(names, action) && !named(names, `${action}_failed`))
      .map(([a, file]) => `${a} (${file})`);
    expect(missing).toEqual([]);
  });

  it('should never show an unknown action by its code', () => {
    expect(auditActionName('vm.something_new')).toEqual({ id: 'Tindakan lain', en: 'Other action' });
    expect(auditActionName('vm.shut_down').id).toBe('VM dimatikan');
  });

  it('should name every step the worker runs', () => {
    const keys = new Set<string>();
    for (const file of sources(path.join(ROOT, 'apps/worker/src/provisioning'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/^\s+key: '([a-z-]+)',$/gm)) keys.add(match[1] ?? '');
      for (const match of readFileSync(file, 'utf8').matchAll(/_STEP(?:_KEY)? = '([a-z-]+)'/g)) keys.add(match[1] ?? '');
    }
    for (const match of readFileSync(path.join(ROOT, 'apps/worker/src/harness/execute-run.ts'), 'utf8').matchAll(
      /ROLLBACK_STEP = '([a-z-]+)'/g,
    ))
      keys.add(match[1] ?? '');
    expect(keys.size).toBeGreaterThan(15);
    expect([...keys].filter((key) => !stepKey(key))).toEqual([]);
  });

  it.each([
    ['requests.status', REQUEST_STATUSES],
    ['requests.runStatus', RUN_STATUSES],
    ['requests.stepStatus', STEP_STATUSES],
    ['requests.run', RUN_KINDS],
    // A reserved VM reads as being prepared (vms.page.tsx): people never see the bookkeeping state.
    ['vms.state', VM_STATES.filter((state) => state !== 'reserved')],
    ['agreements.status', AGREEMENT_STATUSES],
  ] as const)('should name every value of %s in both catalogues', (prefix, values) => {
    const missing = values.filter((value) => !catalogues.id[`${prefix}.${value}`] || !catalogues.en[`${prefix}.${value}`]);
    expect(missing).toEqual([]);
  });
});
