import type { PveClient } from '@betang/proxmox';

/** One row of PVE's GET /nodes/{node}/tasks (what this module reads of it). */
type TaskRow = { upid: string; type: string; starttime: number; endtime?: number; status?: string };

/** Every qmclone task PVE lists for `node`, running and finished, page by page. */
export async function cloneTasks(pve: PveClient, node: string): Promise<TaskRow[]> {
  const out: TaskRow[] = [];
  for (let start = 0; ; start += 500) {
    const page = await pve.request<TaskRow[]>('GET', `/nodes/${node}/tasks`, { typefilter: 'qmclone', source: 'all', limit: 500, start });
    out.push(...page);
    if (page.length < 500) return out;
  }
}

/**
 * The most clone tasks that ran at once on a node, from their start and end times as PVE reports
 * them (whole seconds; an interval is [start, end), a running task has no end). Tasks that end in
 * the second another starts are not counted as overlapping: at PVE's resolution a slot handed over
 * looks like that. So this can miss an overlap shorter than a second, never invent one; pair it
 * with samples of the running tasks (`runningClones`).
 */
export function highWater(tasks: readonly TaskRow[]): number {
  const edges = tasks.flatMap((t) => [{ at: t.starttime, delta: 1 }, ...(t.endtime === undefined ? [] : [{ at: t.endtime, delta: -1 }])]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let max = 0;
  for (const e of edges) {
    now += e.delta;
    max = Math.max(max, now);
  }
  return max;
}

/** How many clone tasks run on `node` right now (PVE's list of active tasks). */
export async function runningClones(pve: PveClient, node: string): Promise<number> {
  const rows = await pve.request<TaskRow[]>('GET', `/nodes/${node}/tasks`, { typefilter: 'qmclone', source: 'active', limit: 0 });
  return rows.length;
}

/**
 * Samples every `everyMs` how many clones run on each node, keeping the highest count seen, until
 * `stop()`; a failed sample (PVE busy) is skipped. Resolves with the per-node maxima.
 */
export function sampleRunningClones(pve: PveClient, nodes: readonly string[], everyMs = 150): { stop(): Promise<Record<string, number>> } {
  const max: Record<string, number> = Object.fromEntries(nodes.map((n) => [n, 0]));
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        nodes.map(async (n) => {
          const count = await runningClones(pve, n).catch(() => 0);
          max[n] = Math.max(max[n] ?? 0, count);
        }),
      );
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return max;
    },
  };
}
