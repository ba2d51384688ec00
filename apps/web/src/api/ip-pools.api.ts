import { ZIpPool, ZIpPoolList, ZPoolAddressPage, type ZCreateIpPoolBody } from '@betang/core';
import type { z } from 'zod';
import type { ApiClient } from './http-client';

export type IpPool = z.infer<typeof ZIpPool>;
type CreateIpPoolBody = z.input<typeof ZCreateIpPoolBody>;

/** GET /ip-pools: every pool with its size and how many addresses are held. */
export const listIpPools = (api: ApiClient) => api.request('GET', '/ip-pools', { response: ZIpPoolList });

/** POST /ip-pools: 400 names the failing fields (e.g. `body.gateway` outside the CIDR), 409 a taken name. */
export const createIpPool = (api: ApiClient, body: CreateIpPoolBody) => api.request('POST', '/ip-pools', { body, response: ZIpPool });

/** GET /ip-pools/:id/addresses: the range's addresses in order, each with its holder (null: free); `status` keeps held or free ones. */
export const listPoolAddresses = (api: ApiClient, poolId: string, status?: 'held' | 'free', cursor?: string) =>
  api.request('GET', `/ip-pools/${encodeURIComponent(poolId)}/addresses`, {
    query: { status, cursor, limit: 256 },
    response: ZPoolAddressPage,
  });
