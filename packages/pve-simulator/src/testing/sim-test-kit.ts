import type { RunningSimulator } from '../simulator';
import type { RawParamValue, RawResponse } from './raw-client';
import { rawRequest } from './raw-client';

/** A tiny client bound to one simulator, for tests of the wire contract. */
export interface SimApi {
  get(path: string, query?: Record<string, RawParamValue | undefined>): Promise<RawResponse>;
  post(path: string, form?: Record<string, RawParamValue | undefined>): Promise<RawResponse>;
  put(path: string, form?: Record<string, RawParamValue | undefined>): Promise<RawResponse>;
  del(path: string, query?: Record<string, RawParamValue | undefined>): Promise<RawResponse>;
  /** Polls a task until stopped (real-time budget); returns its final status object. */
  waitTask(upid: string, budgetMs?: number): Promise<{ status: string; exitstatus?: string; [k: string]: unknown }>;
  /** POSTs/PUTs/DELETEs expecting a UPID, then waits for the task. */
  task(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    form?: Record<string, RawParamValue | undefined>,
  ): Promise<{ status: string; exitstatus?: string }>;
}

/** Binds SimApi to a simulator. */
export function simApi(sim: RunningSimulator): SimApi {
  const api: SimApi = {
    get: (p, q) => rawRequest(sim, 'GET', p, { form: q }),
    post: (p, f) => rawRequest(sim, 'POST', p, { form: f ?? {} }),
    put: (p, f) => rawRequest(sim, 'PUT', p, { form: f ?? {} }),
    del: (p, q) => rawRequest(sim, 'DELETE', p, { form: q }),
    waitTask: async (upid, budgetMs = 10_000) => {
      const node = upid.split(':')[1] ?? '';
      const until = Date.now() + budgetMs;
      for (;;) {
        const r = await api.get(`/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
        const d = r.body?.data as { status: string; exitstatus?: string } | undefined;
        if (d?.status === 'stopped') return d;
        if (Date.now() > until) throw new Error(`task ${upid} still ${d?.status ?? r.status} after ${budgetMs} ms`);
        await new Promise((res) => setTimeout(res, 10));
      }
    },
    task: async (method, path, form) => {
      const r = await rawRequest(sim, method, path, { form: form ?? {} });
      if (r.status !== 200 || typeof r.body?.data !== 'string') throw new Error(`${method} ${path}: ${r.status} ${r.reason} ${r.text}`);
      return api.waitTask(r.body.data);
    },
  };
  return api;
}

/** Resolves after ms. */
export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `fn` resolves truthy (poll every 10 ms) or throws after budget. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, budgetMs = 5000): Promise<T> {
  const until = Date.now() + budgetMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await delay(10);
  }
}
