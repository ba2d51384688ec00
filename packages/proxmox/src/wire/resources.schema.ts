import { z } from 'zod';
import { ZPveBoolean, ZPveInt, ZPveNumber, ZVmid } from './coerce.schema';
import { ZPveTags } from './tags';

/** A `type=vm` entry of `GET /cluster/resources` (qemu and lxc). Stats may lag ~10 s. */
export const ZClusterVm = z.object({
  id: z.string(),
  type: z.enum(['qemu', 'lxc']),
  vmid: ZVmid,
  node: z.string(),
  status: z.string().optional(),
  name: z.string().optional(),
  template: ZPveBoolean.optional(),
  lock: z.string().optional(),
  tags: ZPveTags,
  pool: z.string().optional(),
  maxmem: ZPveInt.optional(),
  maxcpu: ZPveNumber.optional(),
  maxdisk: ZPveInt.optional(),
});
export type ClusterVm = z.infer<typeof ZClusterVm>;

/** A `type=node` entry; stats appear only with `Sys.Audit` on the node. */
export const ZClusterNode = z.object({
  id: z.string(),
  type: z.literal('node'),
  node: z.string(),
  status: z.string().optional(),
  cpu: ZPveNumber.optional(),
  maxcpu: ZPveNumber.optional(),
  mem: ZPveInt.optional(),
  maxmem: ZPveInt.optional(),
  disk: ZPveInt.optional(),
  maxdisk: ZPveInt.optional(),
  uptime: ZPveInt.optional(),
});
export type ClusterNode = z.infer<typeof ZClusterNode>;

/** A `type=storage` entry: one per node where the storage is enabled. */
export const ZClusterStorage = z.object({
  id: z.string(),
  type: z.literal('storage'),
  node: z.string(),
  storage: z.string(),
  status: z.string().optional(),
  plugintype: z.string().optional(),
  content: z.string().optional(),
  shared: ZPveBoolean.optional(),
  disk: ZPveInt.optional(),
  maxdisk: ZPveInt.optional(),
});
export type ClusterStorage = z.infer<typeof ZClusterStorage>;

/**
 * Parses a `/cluster/resources` list leniently: entries of other types (sdn, pool, …) or
 * entries that do not match are skipped instead of failing the whole inventory.
 */
export function parseResourceList<T>(data: unknown, schema: z.ZodType<T>): T[] {
  if (!Array.isArray(data)) throw new TypeError('/cluster/resources did not return a list');
  const out: T[] = [];
  for (const item of data) {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
  }
  return out;
}
