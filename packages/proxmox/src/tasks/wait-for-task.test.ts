import type { ServerResponse } from 'node:http';
import { createPveClient } from '../client/pve-client';
import type { PveClient } from '../client/pve-client';
import { classifyPveError } from '../errors/classify-pve-error';
import type { FixtureServer, RecordedRequest, TestPki } from '../testing/https-fixture';
import { makeTestPki, pveReply, startFixture } from '../testing/https-fixture';
import { PveTaskFailedError, PveTaskTimeoutError } from './pve-task-errors';
import { waitForTask } from './wait-for-task';

const UPID = 'UPID:pve2:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:provisioner@pve!worker:';
const LOG = [
  { n: 1, t: 'create full clone of drive scsi0 (local-lvm:base-9000-disk-0)' },
  { n: 2, t: 'transferred 1.0 GiB of 10.0 GiB (10.00%)' },
  { n: 3, t: 'transferred 10.0 GiB of 10.0 GiB (100.00%)' },
];

type Script = { polls: number; final: string; failFirst?: (n: number, res: ServerResponse) => boolean; log?: { n: number; t: string }[] };

function taskServer(script: Script): (req: RecordedRequest, res: ServerResponse) => void {
  let polls = 0;
  return (req, res) => {
    const url = new URL(req.url, 'https://x');
    const statusPath = `/api2/json/nodes/pve2/tasks/${UPID}/status`;
    if (url.pathname.endsWith('/status') && !url.pathname.startsWith('/api2/json/nodes/pve2/')) {
      pveReply(res, 400, { data: null, errors: { upid: 'no such task\n' } }, 'Parameter verification failed.');
      return;
    }
    if (url.pathname === statusPath) {
      polls++;
      if (script.failFirst?.(polls, res)) return;
      const stopped = polls > script.polls;
      pveReply(res, 200, {
        data: {
          upid: UPID,
          node: 'pve2',
          pid: 1,
          pstart: 2,
          starttime: 3,
          type: 'qmclone',
          id: '9000',
          user: 'provisioner@pve',
          status: stopped ? 'stopped' : 'running',
          ...(stopped ? { exitstatus: script.final } : {}),
        },
      });
      return;
    }
    if (url.pathname === `/api2/json/nodes/pve2/tasks/${UPID}/log`) {
      const all = [
        ...(script.log ?? LOG),
        { n: (script.log ?? LOG).length + 1, t: `TASK ${script.final === 'OK' ? 'OK' : `ERROR: ${script.final}`}` },
      ];
      const start = Number(url.searchParams.get('start') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 50);
      pveReply(res, 200, { data: all.slice(start, start + limit), total: all.length });
      return;
    }
    pveReply(res, 501, { data: null }, `Method '${req.method} ${url.pathname}' not implemented`);
  };
}

describe('waitForTask', () => {
  let pki: TestPki;
  let srv: FixtureServer;
  let client: PveClient;
  const fast = { minPollMs: 10, maxPollMs: 40 };

  beforeAll(async () => {
    pki = makeTestPki();
    srv = await startFixture(pki, taskServer({ polls: 0, final: 'OK' }));
    client = createPveClient({
      baseUrl: srv.url,
      tokenId: 'provisioner@pve!worker',
      tokenSecret: 's3cret',
      ca: pki.caPem,
      timeoutMs: 2_000,
    });
  });
  afterEach(() => {
    srv.requests.length = 0;
  });
  afterAll(async () => {
    await client.close();
    await srv.close();
  });

  it('should poll the node named in the UPID until OK, reporting progress', async () => {
    srv.setHandler(taskServer({ polls: 3, final: 'OK' }));
    const seen: number[] = [];
    const res = await waitForTask(client, UPID, {
      deadlineMs: 5_000,
      ...fast,
      onProgress: (p) => p.percent !== undefined && seen.push(p.percent),
    });
    expect(res).toMatchObject({ upid: UPID, node: 'pve2', exitstatus: 'OK', warnings: 0 });
    const statusCalls = srv.requests.filter((r) => r.url.endsWith('/status'));
    expect(statusCalls).toHaveLength(4);
    expect(statusCalls.every((r) => r.url.startsWith('/api2/json/nodes/pve2/tasks/'))).toBe(true);
    expect(seen[seen.length - 1]).toBe(100);
  });

  it('should treat WARNINGS: n as success', async () => {
    srv.setHandler(taskServer({ polls: 0, final: 'WARNINGS: 2' }));
    await expect(waitForTask(client, UPID, { deadlineMs: 2_000, ...fast })).resolves.toMatchObject({
      exitstatus: 'WARNINGS: 2',
      warnings: 2,
    });
  });

  it('should throw PveTaskFailedError with exit status and log tail', async () => {
    const exit = "clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout";
    const log = Array.from({ length: 30 }, (_, i) => ({ n: i + 1, t: `line ${i + 1}` }));
    srv.setHandler(taskServer({ polls: 1, final: exit, log }));
    const err = await waitForTask(client, UPID, { deadlineMs: 2_000, ...fast, logTailLines: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveTaskFailedError);
    const f = err as PveTaskFailedError;
    expect(f.exitstatus).toBe(exit);
    expect(f.logTail.map((l) => l.t)).toEqual(['line 27', 'line 28', 'line 29', 'line 30', `TASK ERROR: ${exit}`]);
    expect(classifyPveError(f)).toEqual({ kind: 'transient', code: 'lock-timeout' });
    expect(f.describe().id).toContain('gagal');
  });

  it('should keep polling through transient errors (595/596, reset, no such task yet)', async () => {
    srv.setHandler(
      taskServer({
        polls: 1,
        final: 'OK',
        failFirst: (n, res) => {
          if (n === 1) pveReply(res, 400, { data: null, errors: { upid: 'no such task\n' } }, 'Parameter verification failed.');
          else if (n === 2)
            pveReply(
              res,
              596,
              { data: null },
              'Errors during TLS negotiation, request sending and header processing: Connection timed out',
            );
          else if (n === 3) pveReply(res, 595, { data: null }, 'Errors during connection establishment, proxy handshake: No route to host');
          else if (n === 4) res.socket?.destroy();
          else return false;
          return true;
        },
      }),
    );
    await expect(waitForTask(client, UPID, { deadlineMs: 5_000, ...fast })).resolves.toMatchObject({ exitstatus: 'OK' });
  });

  it('should throw permanent poll errors at once', async () => {
    srv.setHandler((_req, res) => pveReply(res, 403, { data: null }, 'Permission check failed (/nodes/pve2, Sys.Audit)'));
    await expect(waitForTask(client, UPID, { deadlineMs: 5_000, ...fast })).rejects.toMatchObject({ status: 403 });
    expect(srv.requests).toHaveLength(1);
  });

  it('should give up at the deadline while the task keeps running', async () => {
    srv.setHandler(taskServer({ polls: 1_000_000, final: 'OK' }));
    const t0 = Date.now();
    const err = await waitForTask(client, UPID, { deadlineMs: 300, ...fast }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveTaskTimeoutError);
    expect(err).toMatchObject({ reason: 'deadline', lastStatus: 'running' });
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it('should stop when the signal aborts, even while a poll hangs', async () => {
    srv.setHandler(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await waitForTask(client, UPID, { deadlineMs: 10_000, signal: ac.signal, ...fast }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'PveTaskTimeoutError', reason: 'aborted' });
  });

  it('should refuse a malformed UPID without any request', async () => {
    await expect(waitForTask(client, 'UPID:../../x', { deadlineMs: 1_000 })).rejects.toThrow(/UPID/);
    expect(srv.requests).toHaveLength(0);
  });
});
