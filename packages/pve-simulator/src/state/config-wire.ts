import { createHash } from 'node:crypto';

const INT_KEYS = new Set(['cores', 'sockets', 'balloon', 'vcpus', 'cpuunits', 'shares', 'migrate_speed', 'vmid', 'snaptime']);
const NUM_KEYS = new Set(['cpulimit', 'migrate_downtime']);
const BOOL_KEYS = new Set([
  'onboot',
  'template',
  'protection',
  'numa',
  'ciupgrade',
  'acpi',
  'kvm',
  'tablet',
  'localtime',
  'reboot',
  'freeze',
  'keephugepages',
]);

/** Serialises a config like `<vmid>.conf` (description as `#` comments, keys sorted, then [PENDING] and [snapname] sections). */
function serialiseConfig(
  config: Record<string, string>,
  pending: Record<string, string> = {},
  snapshots: Record<string, Record<string, string>> = {},
): string {
  const lines: string[] = [];
  if (config.description !== undefined) for (const l of config.description.split('\n')) lines.push(`#${l}`);
  for (const k of Object.keys(config).sort()) if (k !== 'description') lines.push(`${k}: ${config[k]}`);
  const pk = Object.keys(pending).sort();
  if (pk.length > 0) {
    lines.push('', '[PENDING]');
    for (const k of pk) lines.push(`${k}: ${pending[k]}`);
  }
  for (const [name, snap] of Object.entries(snapshots)) {
    lines.push('', `[${name}]`);
    if (snap.description !== undefined) for (const l of snap.description.split('\n')) lines.push(`#${l}`);
    for (const k of Object.keys(snap).sort()) if (k !== 'description') lines.push(`${k}: ${snap[k]}`);
  }
  return lines.join('\n') + '\n';
}

/** 40-hex SHA1 of the serialised file, as PVE's `digest` (snapshot sections are part of the file). */
export function configDigest(
  config: Record<string, string>,
  pending: Record<string, string>,
  snapshots: Record<string, Record<string, string>> = {},
): string {
  return createHash('sha1')
    .update(serialiseConfig(config, pending, snapshots))
    .digest('hex');
}

/**
 * Converts stored text values to the wire types PVE returns: integers as numbers, booleans as
 * 1/0 numbers, `memory` a string on PVE ≥ 8.1 (our pve9 flavour) and a number on pve8.
 */
export function toWire(config: Record<string, string>, memoryAsString: boolean): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(config)) {
    if (INT_KEYS.has(k) || BOOL_KEYS.has(k) || NUM_KEYS.has(k)) out[k] = Number(v);
    else if (k === 'memory' && !memoryAsString) out[k] = Number(v.replace(/^current=/, ''));
    else if (k === 'cipassword') out[k] = '**********';
    else out[k] = v;
  }
  return out;
}

/** Current memory in MiB from a `memory` value (`2048` or `current=2048`). */
export function memoryMiB(config: Record<string, string>): number {
  const v = config.memory;
  return v === undefined ? 512 : Number(v.replace(/^current=/, ''));
}
