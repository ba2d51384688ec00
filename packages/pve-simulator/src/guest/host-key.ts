import { utils } from 'ssh2';
import type { SimVm } from '../state/types';

/**
 * The VM's emulated /etc/ssh/ssh_host_ed25519_key(.pub). Generated on first use (first boot,
 * as cloud-init does) and kept for the VM's life; guarantees the agent and SSH show the same key.
 */
export function ensureHostKey(vm: SimVm): { private: string; public: string } {
  while (!vm.hostKey) {
    const k = utils.generateKeyPairSync('ed25519', { comment: `root@${vm.config.name ?? `vm${vm.vmid}`}` });
    // About 1 in 250 keys ssh2 generates fails its own parser ("Malformed OpenSSH private key"),
    // which made the emulated sshd, and so the VM's start task, fail: draw again.
    if (!(utils.parseKey(k.private) instanceof Error)) vm.hostKey = { private: k.private, public: k.public };
  }
  return vm.hostKey;
}

/** Authorized public keys from the (double-encoded) `sshkeys` value. */
export function authorizedKeys(sshkeys: string | undefined): string[] {
  if (!sshkeys) return [];
  let decoded: string;
  try {
    decoded = decodeURIComponent(sshkeys);
  } catch {
    return [];
  }
  return decoded
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** ssh-keygen -l stand-in: true when every line parses as an OpenSSH public key. */
export function validSshKeys(lines: string[]): boolean {
  return lines.every((l) => {
    const k = utils.parseKey(l);
    return !(k instanceof Error) && !Array.isArray(k);
  });
}
