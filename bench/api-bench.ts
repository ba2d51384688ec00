/*
 * API benchmark: status reads (GET /api/v1/vps-requests/:id, signed in, against real rows of a
 * finished provisioning run) under load with autocannon, against a bare Express handler measured
 * in the same run on the same machine. Figures: p99 latency at a fixed 500 req/s, and the
 * saturated throughput of the API as a fraction of the bare handler's.
 */
import path from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { killChild, signIn, startAnnouncingChild, type TsChild } from '@betang/testkit';

export type ApiFigures = {
  fixedRate: { rate: number; p50Ms: number; p99Ms: number; achievedRps: number; non2xx: number; errors: number };
  saturated: { apiRps: number; bareRps: number; fraction: number; apiP99Ms: number; bareP99Ms: number; connections: number };
};

function startBare(): Promise<{ port: number; child: TsChild }> {
  return startAnnouncingChild<{ port: number }>(path.join(__dirname, 'support/bare-express.ts'), {}, { logName: 'bench-bare-express' });
}

function check(name: string, r: Result): Result {
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`${name}: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
  return r;
}

/** Measures the API at `apiBase` (signed in as `email`) reading `requestIds` in turn. */
export async function runApiBench(o: {
  apiBase: string;
  email: string;
  requestId: string;
  seconds: number;
  log: (l: string) => void;
}): Promise<ApiFigures> {
  const session = await signIn(o.apiBase, o.email);
  const headers = { cookie: session.cookie };
  const url = `${o.apiBase}/api/v1/vps-requests/${o.requestId}`;
  const bare = await startBare();
  try {
    const bareUrl = `http://127.0.0.1:${bare.port}/bare/${o.requestId}`;
    // Warm both up (JIT, connection pools), then measure.
    await autocannon({ url, headers, connections: 4, duration: 2 });
    await autocannon({ url: bareUrl, connections: 4, duration: 2 });
    const connections = 10;
    o.log(`API saturated, ${connections} connections, ${o.seconds} s`);
    const apiMax = check('api saturated', await autocannon({ url, headers, connections, duration: o.seconds }));
    o.log(`bare Express saturated, ${connections} connections, ${o.seconds} s`);
    const bareMax = check('bare saturated', await autocannon({ url: bareUrl, headers, connections, duration: o.seconds }));
    o.log(`API at a fixed 500 req/s, ${o.seconds} s`);
    const fixed = check('api fixed rate', await autocannon({ url, headers, connections: 20, overallRate: 500, duration: o.seconds }));
    return {
      fixedRate: {
        rate: 500,
        p50Ms: fixed.latency.p50,
        p99Ms: fixed.latency.p99,
        achievedRps: fixed.requests.average,
        non2xx: fixed.non2xx,
        errors: fixed.errors,
      },
      saturated: {
        apiRps: apiMax.requests.average,
        bareRps: bareMax.requests.average,
        fraction: apiMax.requests.average / bareMax.requests.average,
        apiP99Ms: apiMax.latency.p99,
        bareP99Ms: bareMax.latency.p99,
        connections,
      },
    };
  } finally {
    await killChild(bare.child, 'SIGTERM');
  }
}
