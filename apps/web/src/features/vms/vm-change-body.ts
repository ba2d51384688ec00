import type { VmDto } from '@betang/core';
import { parsePorts } from '../requests/request-body';

/** What the change form holds: text as typed, sizes in the units people read (GiB). */
export type VmChangeValues = {
  cores: string;
  memoryGiB: string;
  diskGiB: string;
  ports: string;
  when: 'now' | 'window';
  /** `datetime-local` value (the browser's zone), used when `when` is `window`. */
  windowStart: string;
};

const whole = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN);

/** The form's starting values: the VM as it is now, applied once approved. */
export function changeValuesOf(vm: VmDto): VmChangeValues {
  return {
    cores: String(vm.cores),
    memoryGiB: String(vm.memoryMiB / 1024),
    diskGiB: String(vm.diskGiB),
    ports: vm.ports.join(', '),
    when: 'now',
    windowStart: '',
  };
}

/**
 * The POST /vms/:id/resize body for the values: every size (absolute; equal = unchanged), the
 * ports only when they differ from the VM's, `applyAt` for a maintenance window (the local time
 * typed, sent with its offset). Validate it with ZResizeBody; the API refuses a change that changes nothing.
 */
export function toChangeBody(values: VmChangeValues, vm: VmDto): Record<string, unknown> {
  const ports = parsePorts(values.ports);
  const samePorts =
    ports.length === vm.ports.length && [...ports].sort((a, b) => a - b).every((p, i) => p === [...vm.ports].sort((a, b) => a - b)[i]);
  const memory = values.memoryGiB.trim();
  return {
    cores: whole(values.cores),
    memoryMiB: /^\d+(\.5)?$/.test(memory) ? Number(memory) * 1024 : Number.NaN,
    diskGiB: whole(values.diskGiB),
    ...(samePorts ? {} : { ports }),
    ...(values.when === 'window' ? { applyAt: localToIso(values.windowStart) } : {}),
  };
}

/** A `datetime-local` value (no zone: the browser's) as an ISO time with offset; '' stays '' (the contract names it). */
export function localToIso(local: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local)) return local;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? local : at.toISOString();
}
