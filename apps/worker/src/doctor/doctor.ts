import type { LocalizedText } from '@betang/core';
import { PveApiError, requiredGrants, type BetangRole, type PveClient, type RoleTargets } from '@betang/proxmox';

type DoctorCheck = 'version' | 'permission' | 'pool' | 'storage' | 'bridge' | 'template' | 'vmid-range' | 'capacity';

/** One line of the report: what was checked, how it went, and the command that fixes it. */
type DoctorFinding = { check: DoctorCheck; level: 'ok' | 'warn' | 'error'; subject: string; message: LocalizedText; fix?: string };

/** What Betang expects of the cluster: from the role file, the worker's config and the database. */
export type DoctorInput = {
  role: BetangRole;
  targets: RoleTargets;
  /** Bridges and VLAN tags of the address pools. */
  networks: Array<{ bridge: string; vlanTag: number | null }>;
  /** Active catalog templates. */
  templates: Array<{ vmid: number; name: string; node?: string | null; storage?: string | null }>;
  vmidRange: { min: number; max: number };
  /** The bridge test restores boot their copies on: it must exist on every node and have no port. */
  isolatedBridge?: string;
  /** How the setup script is run here, for the fix lines. */
  setupCommand?: string;
};

export type DoctorReport = { version?: string; major?: 8 | 9; findings: DoctorFinding[]; problems: number };

type Resource = Record<string, unknown> & { type?: string };
const GiB = 1024 ** 3;

function text(id: string, en: string): LocalizedText {
  return { id, en };
}

async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function errText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Default fix line: the setup script with this cluster's names. */
function setupCommand(input: DoctorInput): string {
  const t = input.targets;
  return (
    input.setupCommand ??
    `BACKUP_STORAGES=${t.backupStorages.join(',') || 'pbs'} sh infra/proxmox/create-betang-role.sh ${t.templatesPool} ${t.pool} ${t.storages.join(',') || 'ceph'} ${t.bridges.join(' ') || 'vmbr0'}`
  );
}

/**
 * Storages of the catalog templates' disks, for a catalog that names none (the clone then keeps
 * the template's storage). Templates the token cannot read are skipped: their check reports them.
 */
async function templateDiskStorages(pve: PveClient, input: DoctorInput, resources: Resource[]): Promise<string[]> {
  const out = new Set<string>();
  for (const t of input.templates) {
    const vm = resources.find((r) => r.type === 'qemu' && Number(r.vmid) === t.vmid);
    if (!vm) continue;
    const cfg = await attempt(() =>
      pve.request<Record<string, unknown>>('GET', `/nodes/${encodeURIComponent(String(vm.node))}/qemu/${t.vmid}/config`),
    );
    if (!cfg.ok) continue;
    for (const [k, v] of Object.entries(cfg.value)) {
      const m = /^([A-Za-z][A-Za-z0-9._-]*):/.exec(String(v));
      if (/^(scsi|virtio|sata|ide)\d+$/.test(k) && m?.[1] && !String(v).includes('cloudinit') && !String(v).includes('media=cdrom'))
        out.add(m[1]);
    }
  }
  return [...out];
}

async function checkPermissions(pve: PveClient, input: DoctorInput, major: 8 | 9, out: DoctorFinding[]): Promise<void> {
  const tokenId = `${input.role.user}!${input.role.token}`;
  if (input.role.user === 'root@pam') {
    out.push({
      check: 'permission',
      level: 'warn',
      subject: tokenId,
      message: text(
        `Token milik root@pam: hak akses penuh; produksi memakai token Betang sendiri`,
        `A root@pam token: full rights; production uses Betang's own token`,
      ),
      fix: setupCommand(input),
    });
  }
  for (const grant of requiredGrants(input.role, major, input.targets)) {
    const got = await attempt(() =>
      pve.request<Record<string, Record<string, number>>>('GET', '/access/permissions', { path: grant.path }),
    );
    if (!got.ok) {
      out.push({
        check: 'permission',
        level: 'error',
        subject: grant.path,
        message: text(
          `Izin pada ${grant.path} tidak dapat dibaca: ${errText(got.error)}`,
          `Cannot read the permissions on ${grant.path}: ${errText(got.error)}`,
        ),
      });
      continue;
    }
    const have = got.value[grant.path] ?? {};
    const missing = grant.privileges.filter((p) => have[p.name] === undefined);
    for (const p of missing) {
      out.push({
        check: 'permission',
        level: 'error',
        subject: `${grant.path} ${p.name}`,
        message: text(
          `Token tidak punya ${p.name} pada ${grant.path} (dibutuhkan untuk: ${p.why.id})`,
          `The token lacks ${p.name} on ${grant.path} (needed for: ${p.why.en})`,
        ),
        fix: `pveum role modify ${grant.role} -privs '${grant.privileges.map((q) => q.name).join(',')}' && pveum acl modify ${grant.path} -users ${input.role.user} -roles ${grant.role} && pveum acl modify ${grant.path} -tokens '${tokenId}' -roles ${grant.role}   # atau/or: ${setupCommand(input)}`,
      });
    }
    const wanted = new Set(
      requiredGrants(input.role, major, input.targets)
        .filter((g) => g.path === grant.path)
        .flatMap((g) => g.privileges.map((p) => p.name)),
    );
    const extra = Object.keys(have).filter((p) => !wanted.has(p));
    if (missing.length === 0) {
      out.push({
        check: 'permission',
        level: 'ok',
        subject: grant.path,
        message: text(
          `${grant.path}: ${grant.privileges.map((p) => p.name).join(', ')}`,
          `${grant.path}: ${grant.privileges.map((p) => p.name).join(', ')}`,
        ),
      });
    }
    if (extra.length > 0 && input.role.user !== 'root@pam') {
      out.push({
        check: 'permission',
        level: 'warn',
        subject: grant.path,
        message: text(
          `Token punya lebih dari yang dibutuhkan pada ${grant.path}: ${extra.sort().join(', ')}`,
          `The token has more than it needs on ${grant.path}: ${extra.sort().join(', ')}`,
        ),
        fix: `pveum acl list   # hapus ACL yang lebih luas / remove the broader ACL`,
      });
    }
  }
}

async function checkPool(pve: PveClient, input: DoctorInput, out: DoctorFinding[]): Promise<void> {
  const pool = input.targets.pool;
  const got = await attempt(() => pve.request('GET', `/pools/${encodeURIComponent(pool)}`));
  if (got.ok) {
    out.push({ check: 'pool', level: 'ok', subject: pool, message: text(`Pool ${pool} ada`, `Pool ${pool} exists`) });
  } else if (got.error instanceof PveApiError && got.error.status === 403) {
    out.push({
      check: 'pool',
      level: 'error',
      subject: pool,
      message: text(`Pool ${pool} tidak dapat dibaca (Pool.Audit)`, `Pool ${pool} cannot be read (Pool.Audit)`),
      fix: setupCommand(input),
    });
  } else {
    out.push({
      check: 'pool',
      level: 'error',
      subject: pool,
      message: text(`Pool ${pool} tidak ada: ${errText(got.error)}`, `Pool ${pool} does not exist: ${errText(got.error)}`),
      fix: `pvesh create /pools --poolid ${pool} && ${setupCommand(input)}`,
    });
  }
}

function checkStorages(input: DoctorInput, resources: Resource[], out: DoctorFinding[]): void {
  const entries = resources.filter((r) => r.type === 'storage');
  for (const id of input.targets.storages) {
    const mine = entries.filter((e) => e.storage === id);
    if (mine.length === 0) {
      out.push({
        check: 'storage',
        level: 'error',
        subject: id,
        message: text(
          `Storage ${id} tidak terlihat (tidak ada, atau Datastore.Audit kurang)`,
          `Storage ${id} is not visible (missing, or Datastore.Audit lacking)`,
        ),
        fix: `pvesm status && ${setupCommand(input)}`,
      });
      continue;
    }
    const content = String(mine[0]?.content ?? '').split(',');
    if (!content.includes('images')) {
      out.push({
        check: 'storage',
        level: 'error',
        subject: id,
        message: text(
          `Storage ${id} tidak menerima disk VM (content: ${content.join(',')})`,
          `Storage ${id} does not hold VM disks (content: ${content.join(',')})`,
        ),
        fix: `pvesm set ${id} --content ${[...new Set([...content.filter(Boolean), 'images'])].join(',')}`,
      });
      continue;
    }
    const shared = Number(mine[0]?.shared ?? 0) === 1;
    const free = mine.map((e) => `${String(e.node)} ${Math.floor((Number(e.maxdisk ?? 0) - Number(e.disk ?? 0)) / GiB)} GiB`).join(', ');
    out.push({
      check: 'storage',
      level: 'ok',
      subject: id,
      message: text(
        `Storage ${id} (${content.join(',')}, ${shared ? 'bersama' : 'lokal'}), bebas: ${free}`,
        `Storage ${id} (${content.join(',')}, ${shared ? 'shared' : 'local'}), free: ${free}`,
      ),
    });
  }
}

async function checkBridges(pve: PveClient, input: DoctorInput, nodes: string[], out: DoctorFinding[]): Promise<void> {
  const bridges = [
    ...new Set([...input.targets.bridges, ...input.networks.map((n) => n.bridge), ...(input.isolatedBridge ? [input.isolatedBridge] : [])]),
  ];
  for (const node of nodes) {
    const got = await attempt(() =>
      pve.request<Array<Record<string, unknown>>>('GET', `/nodes/${encodeURIComponent(node)}/network`, { type: 'any_bridge' }),
    );
    if (!got.ok) {
      out.push({
        check: 'bridge',
        level: 'error',
        subject: node,
        message: text(
          `Bridge di node ${node} tidak dapat dibaca: ${errText(got.error)}`,
          `Cannot read the bridges of node ${node}: ${errText(got.error)}`,
        ),
      });
      continue;
    }
    for (const bridge of bridges) {
      const iface = got.value.find((i) => i.iface === bridge);
      if (!iface) {
        out.push({
          check: 'bridge',
          level: 'error',
          subject: `${node} ${bridge}`,
          message: text(
            `Bridge ${bridge} tidak ada (atau SDN.Use kurang) di node ${node}`,
            `Bridge ${bridge} is missing (or SDN.Use lacking) on node ${node}`,
          ),
          fix:
            bridge === input.isolatedBridge
              ? `# di/on ${node}: tambahkan/add "auto ${bridge}" + "iface ${bridge} inet manual" + "bridge-ports none" ke/to /etc/network/interfaces; ifreload -a`
              : `# di/on ${node}: tambahkan/add "auto ${bridge}" + "iface ${bridge} inet manual" (bridge-vlan-aware yes) ke/to /etc/network/interfaces; ifreload -a`,
        });
        continue;
      }
      if (bridge === input.isolatedBridge && String(iface.bridge_ports ?? '').trim() !== '') {
        out.push({
          check: 'bridge',
          level: 'error',
          subject: `${node} ${bridge}`,
          message: text(
            `Bridge uji pemulihan ${bridge} di node ${node} terhubung ke ${String(iface.bridge_ports)}: salinan uji akan menjangkau jaringan itu`,
            `Test restore bridge ${bridge} on node ${node} is connected to ${String(iface.bridge_ports)}: test copies would reach that network`,
          ),
          fix: `# di/on ${node}: "bridge-ports none" pada/in iface ${bridge}, /etc/network/interfaces; ifreload -a`,
        });
        continue;
      }
      const tags = input.networks.filter((n) => n.bridge === bridge && n.vlanTag !== null).map((n) => n.vlanTag);
      if (tags.length > 0 && Number(iface.bridge_vlan_aware ?? 0) !== 1) {
        out.push({
          check: 'bridge',
          level: 'error',
          subject: `${node} ${bridge}`,
          message: text(
            `Bridge ${bridge} di node ${node} tidak VLAN-aware, padahal VLAN ${tags.join(', ')} dipakai`,
            `Bridge ${bridge} on node ${node} is not VLAN-aware, but VLANs ${tags.join(', ')} are used`,
          ),
          fix: `# di/on ${node}: "bridge-vlan-aware yes" pada/in iface ${bridge}, /etc/network/interfaces; ifreload -a`,
        });
        continue;
      }
      out.push({
        check: 'bridge',
        level: 'ok',
        subject: `${node} ${bridge}`,
        message: text(
          `Bridge ${bridge} ada di node ${node}${tags.length ? ` (VLAN ${tags.join(', ')})` : ''}`,
          `Bridge ${bridge} exists on node ${node}${tags.length ? ` (VLAN ${tags.join(', ')})` : ''}`,
        ),
      });
    }
  }
}

function agentOn(v: unknown): boolean {
  const s = String(v ?? '');
  return /^1(,|$)/.test(s) || /(^|,)enabled=1(,|$)/.test(s);
}

async function checkTemplates(pve: PveClient, input: DoctorInput, resources: Resource[], out: DoctorFinding[]): Promise<void> {
  for (const t of input.templates) {
    const subject = `${t.vmid} ${t.name}`;
    const vm = resources.find((r) => r.type === 'qemu' && Number(r.vmid) === t.vmid);
    if (!vm) {
      out.push({
        check: 'template',
        level: 'error',
        subject,
        message: text(
          `Template ${t.name} (VMID ${t.vmid}) tidak ada atau tidak terlihat (VM.Audit di pool template)`,
          `Template ${t.name} (VMID ${t.vmid}) is missing or not visible (VM.Audit on the templates' pool)`,
        ),
        fix: `sh infra/proxmox/build-templates.sh   # atau/or: pvesh set /pools/${input.targets.templatesPool} --vms ${t.vmid}`,
      });
      continue;
    }
    const problems: DoctorFinding[] = [];
    const node = String(vm.node);
    if (t.node && t.node !== node)
      problems.push({
        check: 'template',
        level: 'warn',
        subject,
        message: text(
          `Template ${t.vmid} ada di node ${node}, katalog menyebut ${t.node}`,
          `Template ${t.vmid} is on node ${node}, the catalog says ${t.node}`,
        ),
      });
    if (Number(vm.template ?? 0) !== 1)
      problems.push({
        check: 'template',
        level: 'error',
        subject,
        message: text(`VM ${t.vmid} bukan template`, `VM ${t.vmid} is not a template`),
        fix: `qm template ${t.vmid}`,
      });
    const cfg = await attempt(() =>
      pve.request<Record<string, unknown>>('GET', `/nodes/${encodeURIComponent(node)}/qemu/${t.vmid}/config`),
    );
    if (!cfg.ok) {
      problems.push({
        check: 'template',
        level: 'error',
        subject,
        message: text(
          `Konfigurasi template ${t.vmid} tidak dapat dibaca: ${errText(cfg.error)}`,
          `Cannot read template ${t.vmid}'s config: ${errText(cfg.error)}`,
        ),
      });
    } else {
      const c = cfg.value;
      const disks = Object.entries(c)
        .filter(([k]) => /^(ide|sata|scsi|virtio)\d+$/.test(k))
        .map(([, v]) => String(v));
      const storage = t.storage ?? input.targets.storages[0] ?? 'local-lvm';
      if (!disks.some((d) => d.includes('cloudinit')))
        problems.push({
          check: 'template',
          level: 'error',
          subject,
          message: text(`Template ${t.vmid} tidak punya drive cloud-init`, `Template ${t.vmid} has no cloud-init drive`),
          fix: `qm set ${t.vmid} --scsi1 ${storage}:cloudinit`,
        });
      if (!agentOn(c.agent))
        problems.push({
          check: 'template',
          level: 'error',
          subject,
          message: text(`QEMU guest agent tidak aktif di template ${t.vmid}`, `The QEMU guest agent is not enabled on template ${t.vmid}`),
          fix: `qm set ${t.vmid} --agent enabled=1`,
        });
      if (c.serial0 !== 'socket' || c.vga !== 'serial0')
        problems.push({
          check: 'template',
          level: 'warn',
          subject,
          message: text(
            `Template ${t.vmid} tanpa konsol serial (serial0: socket, vga: serial0): konsol web tidak berfungsi`,
            `Template ${t.vmid} has no serial console (serial0: socket, vga: serial0): the web console will not work`,
          ),
          fix: `qm set ${t.vmid} --serial0 socket --vga serial0`,
        });
    }
    if (problems.length === 0)
      out.push({
        check: 'template',
        level: 'ok',
        subject,
        message: text(
          `Template ${t.name} (${t.vmid}) di node ${node}: template, cloud-init, agent, konsol serial`,
          `Template ${t.name} (${t.vmid}) on node ${node}: template, cloud-init, agent, serial console`,
        ),
      });
    out.push(...problems);
  }
}

function checkVmidRange(input: DoctorInput, resources: Resource[], out: DoctorFinding[]): void {
  const { min, max } = input.vmidRange;
  const inside = input.templates.filter((t) => t.vmid >= min && t.vmid <= max);
  for (const t of inside) {
    out.push({
      check: 'vmid-range',
      level: 'error',
      subject: String(t.vmid),
      message: text(
        `Template ${t.vmid} berada di rentang VMID Betang ${min}–${max}`,
        `Template ${t.vmid} lies in Betang's VMID range ${min}–${max}`,
      ),
      fix: `PVE_VMID_MIN/PVE_VMID_MAX di/in /etc/betang/betang.env`,
    });
  }
  const used = resources.filter((r) => r.type === 'qemu' && Number(r.vmid) >= min && Number(r.vmid) <= max).length;
  out.push({
    check: 'vmid-range',
    level: 'ok',
    subject: `${min}-${max}`,
    message: text(
      `Rentang VMID ${min}–${max}: ${max - min + 1 - used} bebas (${used} terpakai oleh VM yang terlihat)`,
      `VMID range ${min}–${max}: ${max - min + 1 - used} free (${used} used by visible VMs)`,
    ),
  });
}

function checkCapacity(resources: Resource[], out: DoctorFinding[]): string[] {
  const nodes = resources.filter((r) => r.type === 'node');
  for (const n of nodes) {
    const name = String(n.node);
    if (n.status !== 'online') {
      out.push({
        check: 'capacity',
        level: 'warn',
        subject: name,
        message: text(`Node ${name} offline`, `Node ${name} is offline`),
        fix: 'pvecm status',
      });
      continue;
    }
    if (n.maxmem === undefined) {
      out.push({
        check: 'capacity',
        level: 'error',
        subject: name,
        message: text(
          `Kapasitas node ${name} tidak terlihat (Sys.Audit pada /nodes)`,
          `Node ${name}'s capacity is not visible (Sys.Audit on /nodes)`,
        ),
      });
      continue;
    }
    const freeMem = Math.floor((Number(n.maxmem) - Number(n.mem ?? 0)) / GiB);
    out.push({
      check: 'capacity',
      level: 'ok',
      subject: name,
      message: text(
        `Node ${name}: ${String(n.maxcpu)} CPU, memori bebas ${freeMem} GiB`,
        `Node ${name}: ${String(n.maxcpu)} CPUs, ${freeMem} GiB memory free`,
      ),
    });
  }
  return nodes.filter((n) => n.status === 'online').map((n) => String(n.node));
}

/**
 * Read-only check of a cluster against what Betang needs: version and flavour, the token's
 * permissions per path (against betang-role.json), the pool, storages, bridges and VLANs, every
 * catalog template, the VMID range and free capacity. Makes GET calls only, so it is safe to run
 * at any time, as often as wanted.
 */
export async function runDoctor(pve: PveClient, input: DoctorInput): Promise<DoctorReport> {
  const findings: DoctorFinding[] = [];
  const version = await attempt(() => pve.request<{ version?: string; release?: string }>('GET', '/version'));
  if (!version.ok) {
    findings.push({
      check: 'version',
      level: 'error',
      subject: 'api',
      message: text(`Proxmox tidak menjawab: ${errText(version.error)}`, `Proxmox does not answer: ${errText(version.error)}`),
      fix: 'curl --cacert "$PVE_CA_FILE" "$PVE_URL/api2/json/version"',
    });
    return { findings, problems: 1 };
  }
  const v = version.value.version ?? '?';
  const majorNum = Number.parseInt(v, 10);
  if (!(majorNum >= 8)) {
    findings.push({
      check: 'version',
      level: 'error',
      subject: v,
      message: text(`Proxmox VE ${v} tidak didukung (8 atau 9)`, `Proxmox VE ${v} is not supported (8 or 9)`),
      fix: 'pve8to9',
    });
    return { version: v, findings, problems: 1 };
  }
  const major: 8 | 9 = majorNum >= 9 ? 9 : 8;
  findings.push({
    check: 'version',
    level: 'ok',
    subject: v,
    message: text(`Proxmox VE ${v} (daftar hak akses PVE ${major})`, `Proxmox VE ${v} (PVE ${major} privilege list)`),
  });
  const res = await attempt(() => pve.request<Resource[]>('GET', '/cluster/resources'));
  const resources = res.ok ? res.value : [];
  if (input.targets.storages.length === 0)
    input = { ...input, targets: { ...input.targets, storages: await templateDiskStorages(pve, input, resources) } };
  await checkPermissions(pve, input, major, findings);
  await checkPool(pve, input, findings);
  if (!res.ok)
    findings.push({
      check: 'capacity',
      level: 'error',
      subject: 'cluster',
      message: text(
        `/cluster/resources tidak dapat dibaca: ${errText(res.error)}`,
        `Cannot read /cluster/resources: ${errText(res.error)}`,
      ),
    });
  checkStorages(input, resources, findings);
  const online = checkCapacity(resources, findings);
  await checkBridges(pve, input, online, findings);
  await checkTemplates(pve, input, resources, findings);
  checkVmidRange(input, resources, findings);
  return { version: v, major, findings, problems: findings.filter((f) => f.level === 'error').length };
}

const LABEL = { ok: '[OK]     ', warn: '[PERINGATAN/WARN]', error: '[MASALAH/PROBLEM]' } as const;

/** The report as people read it: Bahasa Indonesia, then English, and the fix under each problem. */
export function formatDoctorReport(r: DoctorReport): string {
  const lines = [`Betang doctor — Proxmox VE ${r.version ?? '?'}`, ''];
  for (const f of r.findings) {
    lines.push(`${LABEL[f.level]} ${f.check}: ${f.message.id}`);
    lines.push(`${' '.repeat(LABEL[f.level].length)} ${f.check}: ${f.message.en}`);
    if (f.fix && f.level !== 'ok') lines.push(`${' '.repeat(LABEL[f.level].length)} perbaiki / fix: ${f.fix}`);
  }
  lines.push('');
  lines.push(
    r.problems === 0
      ? 'Tidak ada masalah / no problems found.'
      : `${r.problems} masalah harus diperbaiki / ${r.problems} problem(s) to fix.`,
  );
  return lines.join('\n');
}
