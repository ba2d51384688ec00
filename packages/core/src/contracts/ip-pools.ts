import { z } from 'zod';
import { zText } from './common';

const ipv4 = z.ipv4();

/** `POST /ip-pools` body (operators): an IPv4 pool with its network settings. */
export const ZCreateIpPoolBody = z.strictObject({
  name: zText({ min: 1, max: 100 }),
  cidr: z.cidrv4(),
  gateway: ipv4,
  vlanTag: z.number().int().min(1).max(4094).nullable().default(null),
  bridge: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.-]{0,15}$/),
  dnsServers: z.array(ipv4).max(4).default([]),
  searchDomain: z
    .string()
    .regex(/^[a-z0-9.-]{1,253}$/)
    .nullable()
    .default(null),
  rangeStart: ipv4,
  rangeEnd: ipv4,
  institutionId: z.uuid().nullable().default(null),
});

/** An IP pool with how many addresses are held. */
export const ZIpPool = z.object({
  id: z.uuid(),
  name: z.string(),
  cidr: z.string(),
  gateway: z.string(),
  vlanTag: z.number().nullable(),
  bridge: z.string(),
  dnsServers: z.array(z.string()),
  searchDomain: z.string().nullable(),
  rangeStart: z.string(),
  rangeEnd: z.string(),
  institutionId: z.string().nullable(),
  size: z.number(),
  held: z.number(),
});

/** GET /ip-pools. */
export const ZIpPoolList = z.object({ items: z.array(ZIpPool) });

/** `GET /ip-pools/:id/addresses` query: keyset paging over the range; `status` keeps held or free addresses. */
export const ZPoolAddressQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1024).default(256),
  cursor: z.string().max(100).optional(),
  status: z.enum(['held', 'free']).optional(),
});

/** One address of a pool's range: free (`holder` null) or held by a request (and its VM, once made). */
export const ZPoolAddress = z.object({
  address: z.string(),
  /** The pool's gateway: inside the range only when the operator put it there; never allocated by Betang if taken. */
  isGateway: z.boolean(),
  holder: z
    .object({
      requestId: z.uuid(),
      hostname: z.string(),
      requestStatus: z.string(),
      institutionId: z.uuid(),
      institutionName: z.string(),
      vmId: z.uuid().nullable(),
      vmid: z.number().nullable(),
      vmState: z.string().nullable(),
      reservedAt: z.string(),
      /** False for an extra address an adopted VM keeps besides the one Betang shows (docs/adoption.md §4). */
      primary: z.boolean(),
    })
    .nullable(),
});
export type PoolAddressDto = z.infer<typeof ZPoolAddress>;

/** `GET /ip-pools/:id/addresses` answer. */
export const ZPoolAddressPage = z.object({ items: z.array(ZPoolAddress), nextCursor: z.string().nullable() });
