import { ZCluster } from '@betang/core';
import type { ApiClient } from './http-client';

/** GET /cluster: nodes as the worker last observed them, with the snapshot time and a stale flag. */
export const getCluster = (api: ApiClient) => api.request('GET', '/cluster', { response: ZCluster });
