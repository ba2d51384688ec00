import type { AnsibleFigures } from '../ansible-bench';
import { sectionMarkers } from './report-sections';

/** The Ansible side-by-side's section of docs/benchmarks.md, markers included. */
export function renderAnsibleSection(result: {
  at: string;
  machine: { cpus: number; node: string; loadAvg: number[] };
  ansible: AnsibleFigures[];
}): string {
  const { start, end } = sectionMarkers('ansible');
  const rows = result.ansible.map(
    (f) =>
      `| ${f.vms} | ${f.ansible.wallSeconds.toFixed(1)} s (${f.forks} forks) | ${f.betang.wallSeconds.toFixed(1)} s (${f.betang.active} active) | **${f.ratio.toFixed(2)}×** | ${f.vms === 10 ? (f.ratio >= 6 ? 'met / tercapai' : '**missed / tidak tercapai**') : '–'} | ${f.ansible.pveCallsPerVm.toFixed(1)} | ${f.betang.pveCallsPerVm.toFixed(1)} |`,
  );
  const first = result.ansible[0];
  const routes = first
    ? Object.entries(first.ansible.pveCallsByRoute)
        .map(([route, perVm]) => `| \`${route}\` | ${perVm.toFixed(2)} |`)
        .join('\n')
    : '';
  return [
    start,
    '## Betang dan Ansible berdampingan / Betang side by side with Ansible',
    '',
    '*Ringkas (ID):* playbook Ansible (`bench/ansible/provision.yml`, modul `community.general.proxmox_kvm` lewat proxmoxer dari paket Debian) mengklon, mengatur cloud-init, menyalakan, lalu menunggu alamat dari guest agent untuk sejumlah VM yang sama di simulator yang sama; Betang menjalankan penyiapan lengkapnya (termasuk resize, kunci host dan konfigurasi tamu). Rasio = waktu Ansible ÷ waktu Betang.',
    '',
    `Measured ${result.at} on ${result.machine.cpus} CPUs, Node ${result.machine.node} (load ${result.machine.loadAvg.map((l) => l.toFixed(2)).join(' / ')}). Each side on a fresh simulated cluster of ${first?.nodes ?? 8} nodes at timeFactor ${first?.timeFactor ?? 0.1} (the realistic run's durations), the template on shared Ceph. Ansible: one inventory host per VM, \`--forks\` = the VM count (its best case; its default is 5), clones targeted round-robin at the nodes. Betang: the provisioning benchmark's stack (one worker, defaults), timed from the first approval until every request is active. Run it again with \`npm run bench -- ansible\` (\`BENCH_ANSIBLE_VMS=10,50\` for both sizes).`,
    '',
    '| VMs | Ansible | Betang | ratio | target ≥ 6× at 10 | PVE calls/VM Ansible | PVE calls/VM Betang |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Ansible's PVE calls per VM by route (${first?.vms ?? 0} VMs): proxmoxer asks \`/version\` and the module lists \`/cluster/resources\` on every task, and each task waits on the UPID once a second plus one more second after it ends.`,
    '',
    '| route | per VM |',
    '|---|---|',
    routes,
    '',
    `Where the time goes at ${first?.vms ?? 0} VMs — Ansible per task (all hosts together, ansible.posix.profile_tasks) and Betang's mean seconds per VM (critical path the simulator allows: ${first?.betang.criticalPathSeconds === undefined ? '–' : `${first.betang.criticalPathSeconds.toFixed(1)} s`}):`,
    '',
    '| Ansible task | s |',
    '|---|---|',
    ...Object.entries(first?.ansible.taskSeconds ?? {}).map(([task, seconds]) => `| ${task} | ${seconds.toFixed(2)} |`),
    '',
    '| Betang, from → to or step | mean s per VM |',
    '|---|---|',
    ...Object.entries(first?.betang.meanSeconds ?? {}).map(([step, seconds]) => `| ${step} | ${seconds.toFixed(3)} |`),
    '',
    end,
  ].join('\n');
}
