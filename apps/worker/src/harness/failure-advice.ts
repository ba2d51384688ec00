import type { LocalizedText } from '@betang/core';

/** What an operator should do for a failure code; the fallback covers everything else. */
const ADVICE: Record<string, LocalizedText> = {
  TEMPLATE_MISSING: {
    id: 'Pastikan template VM di katalog ada di node tersebut (atau perbaiki VMID/node template di katalog), lalu coba ulang proses ini.',
    en: 'Make sure the catalog template VM exists on that node (or fix the template VMID/node in the catalog), then retry this run.',
  },
  PVE_NOT_FOUND: {
    id: 'Sumber yang dirujuk tidak ada di Proxmox (template, VM atau penyimpanan). Periksa katalog dan klaster, lalu coba ulang.',
    en: 'A referenced object does not exist in Proxmox (template, VM or storage). Check the catalog and the cluster, then retry.',
  },
  VM_LOCKED: {
    id: 'Sebuah tugas Proxmox masih memegang kunci VM (mis. clone yang lambat). Tunggu tugas itu selesai di daftar tugas Proxmox, lalu coba ulang proses ini.',
    en: 'A Proxmox task still holds the VM lock (e.g. a slow clone). Let it finish in the Proxmox task list, then retry this run.',
  },
  STORAGE_FULL: {
    id: 'Kosongkan ruang atau pilih penyimpanan lain untuk template ini, lalu coba ulang proses ini.',
    en: 'Free space or pick another storage for this template, then retry this run.',
  },
  NO_CAPACITY: {
    id: 'Tidak ada node dengan memori/disk cukup. Tambah kapasitas atau kurangi ukuran VPS, lalu coba ulang.',
    en: 'No node has enough memory/disk. Add capacity or reduce the VPS size, then retry.',
  },
  POWER_STATE_PENDING: {
    id: 'VM belum berganti status daya setelah tugas Proxmox selesai. Untuk VM yang dikelola HA, periksa HA manager (ha-manager status, kuorum), lalu coba ulang.',
    en: 'The VM has not changed power state after its Proxmox task ended. For an HA-managed VM, check the HA manager (ha-manager status, quorum), then retry.',
  },
  NODE_OFFLINE: {
    id: 'Node tidak dapat dihubungi. Periksa node di Proxmox (jaringan, kuorum); setelah node kembali, coba ulang proses ini.',
    en: 'The node cannot be reached. Check it in Proxmox (network, quorum); once it is back, retry this run.',
  },
  AGENT_TIMEOUT: {
    id: 'Guest agent tidak menjawab. Pastikan template memasang dan mengaktifkan qemu-guest-agent dan jaringan cloud-init benar, lalu coba ulang.',
    en: 'The guest agent never answered. Make sure the template installs and enables qemu-guest-agent and the cloud-init network is right, then retry.',
  },
  CLOUD_INIT_FAILED: {
    id: 'cloud-init di VM gagal (pesannya di atas). Periksa templat dan data cloud-init (qm cloudinit dump <vmid> user), perbaiki, lalu coba ulang proses ini.',
    en: 'cloud-init on the VM failed (its message is above). Check the template and the cloud-init data (qm cloudinit dump <vmid> user), fix them, then retry this run.',
  },
  CLOUD_INIT_TIMEOUT: {
    id: 'cloud-init tidak selesai tepat waktu. Lihat konsol serial VM (cloud-init masih memperbarui paket? mirror tidak terjangkau?), lalu coba ulang atau naikkan GUEST_CLOUD_INIT_WAIT_SECONDS.',
    en: 'cloud-init did not finish in time. Look at the VM serial console (still upgrading packages? mirror unreachable?), then retry or raise GUEST_CLOUD_INIT_WAIT_SECONDS.',
  },
  GUEST_PACKAGES_FAILED: {
    id: 'apt di guest gagal memperbarui paket. Periksa GUEST_APT_PROXY/GUEST_APT_MIRROR dan bahwa guest dapat menjangkaunya, lalu coba ulang (atau GUEST_PACKAGE_UPGRADE=false).',
    en: 'apt on the guest could not update the packages. Check GUEST_APT_PROXY/GUEST_APT_MIRROR and that the guest can reach them, then retry (or set GUEST_PACKAGE_UPGRADE=false).',
  },
  GUEST_HOST_KEY_MISMATCH: {
    id: 'Jangan coba ulang sebelum diperiksa: baca ulang kunci host lewat guest agent dan laporkan ke operator keamanan bila tidak ada pemasangan ulang.',
    en: 'Do not retry before checking: re-read the host key through the guest agent and report to the security operators if the VM was not reinstalled.',
  },
  GUEST_CONNECT_FAILED: {
    id: 'SSH ke guest gagal. Periksa bahwa kunci platform ada di sshkeys, firewall mengizinkan port 22 dari worker, lalu coba ulang.',
    en: 'SSH to the guest failed. Check that the platform key is in sshkeys and the firewall allows port 22 from the worker, then retry.',
  },
  PVE_UNAUTHORIZED: {
    id: 'Token API Proxmox ditolak. Periksa PVE_TOKEN_ID/PVE_TOKEN_SECRET dan masa berlaku token.',
    en: 'Proxmox rejected the API token. Check PVE_TOKEN_ID/PVE_TOKEN_SECRET and the token expiry.',
  },
  PVE_FORBIDDEN: {
    id: 'Token API tidak punya hak yang diperlukan. Periksa peran Proxmox token (lihat infra/).',
    en: 'The API token lacks a required privilege. Check the token role in Proxmox (see infra/).',
  },
};

ADVICE.PVE_PROXY_UNREACHABLE = ADVICE.NODE_OFFLINE as LocalizedText;
ADVICE.PVE_PROXY_TIMEOUT = ADVICE.NODE_OFFLINE as LocalizedText;
ADVICE.PVE_TASK_FAILED = {
  id: 'Tugas Proxmox gagal (lihat pesan di atas, mis. penyimpanan penuh atau template rusak). Perbaiki penyebabnya di node tersebut, lalu coba ulang proses ini.',
  en: 'A Proxmox task failed (see the message above, e.g. full storage or a broken template). Fix the cause on that node, then retry this run.',
};

const FALLBACK: LocalizedText = {
  id: 'Periksa penyebab di atas; operator dapat mencoba ulang proses ini atau membersihkannya.',
  en: 'Check the cause above; an operator can retry this run or clean it up.',
};

/** Where the runbook explains a code: its section anchor is the code in lower case. */
function runbookLink(code: string): string {
  return `docs/runbook.md#${code.toLowerCase().replace(/[^a-z0-9_]/g, '')}`;
}

/** Operator advice for a failure code, ending with the runbook section that explains it. */
export function adviceFor(code: string): LocalizedText {
  const advice = ADVICE[code] ?? FALLBACK;
  const link = runbookLink(code);
  return { id: `${advice.id} Panduan: ${link}`, en: `${advice.en} Runbook: ${link}` };
}
