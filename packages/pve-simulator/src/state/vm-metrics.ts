import { memoryMiB } from './config-wire';
import { configDisks } from './disks';
import type { SimVm } from './types';

/** Root disk size in bytes (first storage-backed non-cdrom disk). */
export function maxDisk(vm: SimVm): number {
  const d = configDisks(vm.config).find(([, x]) => !x.isCdrom);
  return d ? d[1].sizeBytes : 0;
}

/** vCPUs of a config. */
export function vcpus(config: Record<string, string>): number {
  return Number(config.cores ?? 1) * Number(config.sockets ?? 1);
}

/** Max memory in bytes. */
export function maxMem(config: Record<string, string>): number {
  return memoryMiB(config) * 1024 * 1024;
}

/** Uptime in seconds of a running VM. */
export function uptime(now: number, vm: SimVm): number {
  return vm.power === 'running' && vm.startedAt ? Math.floor((now - vm.startedAt) / 1000) : 0;
}
