import { z } from 'zod';
import { ZResources } from '../domain/resources';
import { zText } from './common';
import { CONTRACT_MESSAGES, worded } from './messages';

/** An OS template people can choose, mapped to a Proxmox template VM. */
export const ZCatalogTemplate = z.object({
  id: z.string(),
  name: z.string(),
  osFamily: z.string(),
  pveTemplateVmid: z.number(),
  pveNode: z.string().nullable(),
  storage: z.string().nullable(),
  isActive: z.boolean(),
});

/** A size preset (e.g. small 1 vCPU / 2 GiB / 20 GiB). */
export const ZSizePreset = z.object({
  id: z.string(),
  name: z.string(),
  cores: z.number(),
  memoryMiB: z.number(),
  diskGiB: z.number(),
  isActive: z.boolean(),
});

/** Bounds for custom sizes set by operators (settings key `custom_size_bounds`). */
export const ZCustomSizeBounds = z
  .strictObject({ allowCustom: z.boolean(), min: ZResources, max: ZResources })
  .refine((b) => b.min.cores <= b.max.cores && b.min.memoryMiB <= b.max.memoryMiB && b.min.diskGiB <= b.max.diskGiB, {
    ...worded(CONTRACT_MESSAGES.sizeBoundsOrder),
    path: ['min'],
  });
export type CustomSizeBounds = z.infer<typeof ZCustomSizeBounds>;

export const DEFAULT_CUSTOM_SIZE_BOUNDS: CustomSizeBounds = {
  allowCustom: true,
  min: { cores: 1, memoryMiB: 1024, diskGiB: 20 },
  max: { cores: 8, memoryMiB: 32_768, diskGiB: 500 },
};

/** `GET /catalog`: what the request form offers. */
/**
 * Whether the office gives VMs a public endpoint, and how (`nat`: a public address mapped 1:1 to
 * the VM's private one for its declared ports). Not offered: the form shows no internet checkbox
 * and the API refuses `network.publicAccess: true`.
 */
export const ZInternetAccessOffer = z.object({ offered: z.boolean(), mechanism: z.enum(['nat']).nullable() });
export type InternetAccessOffer = z.infer<typeof ZInternetAccessOffer>;

export const ZCatalog = z.object({
  templates: z.array(ZCatalogTemplate),
  presets: z.array(ZSizePreset),
  customBounds: ZCustomSizeBounds,
  internetAccess: ZInternetAccessOffer,
});

/** `PUT /catalog/templates/:id` body (operators). */
export const ZPutTemplateBody = z.strictObject({
  name: zText({ min: 1, max: 100 }),
  osFamily: z.string().regex(/^[a-z0-9-]{2,32}$/),
  pveTemplateVmid: z.number().int().min(100).max(999_999_999),
  pveNode: z
    .string()
    .regex(/^[a-zA-Z0-9-]{1,63}$/)
    .nullable()
    .default(null),
  storage: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,63}$/)
    .nullable()
    .default(null),
  isActive: z.boolean().default(true),
});

/**
 * A copy of a catalog template on one node (`catalog_template_nodes`): clusters on per-node local
 * storage need one per node, since PVE cannot clone a VM on local storage to another node.
 */
const ZTemplateCopy = z.object({
  node: z.string(),
  pveTemplateVmid: z.number(),
  storage: z.string().nullable(),
});

/** `GET /catalog/templates/:id/nodes` (operators). */
export const ZTemplateCopies = z.object({ items: z.array(ZTemplateCopy) });

/** `PUT /catalog/templates/:id/nodes` body (operators): the whole map; one copy per node, one node per vmid. */
export const ZPutTemplateCopiesBody = z.strictObject({
  items: z
    .array(
      z.strictObject({
        node: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/),
        pveTemplateVmid: z.number().int().min(100).max(999_999_999),
        storage: z
          .string()
          .regex(/^[a-zA-Z][a-zA-Z0-9._-]{0,62}$/)
          .nullable()
          .default(null),
      }),
    )
    .max(64)
    .refine((items) => new Set(items.map((i) => i.node)).size === items.length, worded(CONTRACT_MESSAGES.oneCopyPerNode))
    .refine((items) => new Set(items.map((i) => i.pveTemplateVmid)).size === items.length, worded(CONTRACT_MESSAGES.oneNodePerVmid)),
});

/** `PUT /catalog/presets/:id` body (operators). */
export const ZPutPresetBody = z.strictObject({
  name: zText({ min: 1, max: 100 }),
  ...ZResources.shape,
  isActive: z.boolean().default(true),
});

/** Service standard: target times operators set per step (settings key `service_standards`). */
export const ZServiceStandards = z.strictObject({
  approvalHours: z
    .number()
    .min(0.1)
    .max(24 * 30),
  provisioningMinutes: z
    .number()
    .min(1)
    .max(24 * 60),
});
export type ServiceStandards = z.infer<typeof ZServiceStandards>;
export const DEFAULT_SERVICE_STANDARDS: ServiceStandards = { approvalHours: 24, provisioningMinutes: 60 };
