import { ZIpPool, ZIpPoolList, type ZCreateIpPoolBody } from '@betang/core';
import type { z } from 'zod';
import type { ApiClient } from './http-client';

export type IpPool = z.infer<typeof ZIpPool>;
type CreateIpPoolBody = z.input<typeof ZCreateIpPoolBody>;

/** GET /ip-pools: every pool with its size and how many addresses are held. */
export const listIpPools = (api: ApiClient) => api.request('GET', '/ip-pools', { response: ZIpPoolList });

/** POST /ip-pools: 400 names the failing fields (e.g. `body.gateway` outside the CIDR), 409 a taken name. */
export const createIpPool = (api: ApiClient, body: CreateIpPoolBody) => api.request('POST', '/ip-pools', { body, response: ZIpPool });
