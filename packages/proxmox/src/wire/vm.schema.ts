import { z } from 'zod';
import { ZPveAgentEnabled, ZPveBoolean, ZPveInt, ZPveMemoryMiB, ZPveNumber, ZVmid } from './coerce.schema';
import { ZPveTags } from './tags';

/**
 * The keys Betang reads from `GET /nodes/{node}/qemu/{vmid}/config`, coerced; unknown keys
 * (disks, netN, ipconfigN, …) pass through as strings.
 */
export const ZVmConfig = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    cores: ZPveInt.optional(),
    sockets: ZPveInt.optional(),
    memory: ZPveMemoryMiB.optional(),
    balloon: ZPveInt.optional(),
    onboot: ZPveBoolean.optional(),
    template: ZPveBoolean.optional(),
    protection: ZPveBoolean.optional(),
    agent: ZPveAgentEnabled.optional(),
    tags: ZPveTags,
    lock: z.string().optional(),
    sshkeys: z.string().optional(),
    /** `uuid=…[,manufacturer=…]`: PVE gives every clone a fresh uuid. */
    smbios1: z.string().optional(),
    digest: z.string().optional(),
  })
  .catchall(z.unknown());
export type VmConfig = z.infer<typeof ZVmConfig>;

/** `GET /nodes/{node}/qemu/{vmid}/status/current`, the fields decisions are made on. */
export const ZVmStatusCurrent = z
  .object({
    vmid: ZVmid.optional(),
    status: z.enum(['running', 'stopped']),
    qmpstatus: z.string().optional(),
    lock: z.string().optional(),
    name: z.string().optional(),
    tags: ZPveTags,
    agent: ZPveBoolean.optional(),
    uptime: ZPveInt.optional(),
    maxmem: ZPveInt.optional(),
    cpus: ZPveNumber.optional(),
  })
  .catchall(z.unknown());
export type VmStatusCurrent = z.infer<typeof ZVmStatusCurrent>;

/** `GET .../agent/network-get-interfaces` → the `result` list. */
export const ZAgentInterfaces = z
  .object({
    result: z.array(
      z.object({
        name: z.string(),
        'hardware-address': z.string().optional(),
        'ip-addresses': z
          .array(z.object({ 'ip-address-type': z.string(), 'ip-address': z.string(), prefix: ZPveInt.optional() }))
          .optional(),
      }),
    ),
  })
  .transform((v) => v.result);
export type AgentInterface = z.infer<typeof ZAgentInterfaces>[number];
