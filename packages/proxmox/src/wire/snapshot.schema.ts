import { z } from 'zod';
import { ZPveBoolean, ZPveInt } from './coerce.schema';

/**
 * One entry of `GET /nodes/{node}/qemu/{vmid}/snapshot`. The list ends with the pseudo-entry
 * `current` (the VM as it is now, its `parent` the snapshot it derives from); a snapshot whose
 * task died half-way carries `snapstate` (`prepare` or `delete`).
 */
export const ZPveSnapshot = z
  .object({
    name: z.string(),
    snaptime: ZPveInt.optional(),
    vmstate: ZPveBoolean.optional(),
    description: z.string().optional(),
    parent: z.string().optional(),
    snapstate: z.string().optional(),
    running: ZPveBoolean.optional(),
  })
  .catchall(z.unknown());
export type PveSnapshot = z.infer<typeof ZPveSnapshot>;
