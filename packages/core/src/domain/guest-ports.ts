import type { LocalizedText } from '../i18n';

/**
 * TCP ports Betang never opens on a guest's firewall, whoever asks: services that must not face
 * the network from a VPS (remote shells without encryption, Windows file sharing and RPC, the
 * portmapper, the Docker daemon's unauthenticated API). A VPS that needs one of them goes through
 * the data center's network team, not the self-service form. Port 22 is always open (the guest
 * configuration adds it), so it is neither asked for nor denied.
 */
export const DENIED_GUEST_PORTS: ReadonlyMap<number, string> = new Map([
  [23, 'telnet'],
  [111, 'rpcbind'],
  [135, 'msrpc'],
  [137, 'netbios-ns'],
  [138, 'netbios-dgm'],
  [139, 'netbios-ssn'],
  [445, 'microsoft-ds (SMB)'],
  [2375, 'docker (tanpa TLS / without TLS)'],
  [2376, 'docker'],
]);

/** Why one port is refused; null when it may be opened. */
export function deniedPortReason(port: number): LocalizedText | null {
  const service = DENIED_GUEST_PORTS.get(port);
  if (service === undefined) return null;
  return {
    id: `Port ${port} (${service}) tidak boleh dibuka di VPS; hubungi tim jaringan pusat data.`,
    en: `Port ${port} (${service}) may not be opened on a VPS; contact the data center's network team.`,
  };
}
