import type { PublicEndpoint } from '@betang/db';

/** The nftables table Betang owns on the edge; nothing else may live in it (it is replaced whole). */
export const NAT_TABLE = 'betang_nat';

/**
 * The nftables ruleset of every held endpoint: per endpoint, its public address forwarded to
 * the private one for the declared TCP ports only (DNAT), and the VM's own traffic leaving with
 * its public address (SNAT). Loading it with `nft -f` replaces the table atomically (create,
 * delete, re-create in one transaction). Deterministic: the same endpoints give the same text, so
 * a rewrite that changes nothing is visible as such.
 */
export function renderNftables(endpoints: readonly PublicEndpoint[]): string {
  const sorted = [...endpoints].sort((a, b) => a.publicAddress.localeCompare(b.publicAddress, 'en', { numeric: true }));
  const dnat = sorted
    .filter((e) => e.ports.length > 0)
    .map((e) => {
      const ports = [...e.ports].sort((a, b) => a - b).join(', ');
      return `    ip daddr ${e.publicAddress} tcp dport { ${ports} } dnat to ${e.privateAddress}`;
    });
  const snat = sorted.map((e) => `    ip saddr ${e.privateAddress} snat to ${e.publicAddress}`);
  return [
    '# Betang: 1:1 NAT of the VMs reachable from the internet (docs/internet-access.md).',
    '# Written by the Betang worker; edits are overwritten. Load with: nft -f <this file>',
    `table ip ${NAT_TABLE}`,
    `delete table ip ${NAT_TABLE}`,
    `table ip ${NAT_TABLE} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...dnat,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...snat,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The same mappings as JSON, for an edge that is not nftables (a script on the office's router reads it). */
export function renderMappingsJson(endpoints: readonly PublicEndpoint[]): string {
  const mappings = [...endpoints]
    .sort((a, b) => a.publicAddress.localeCompare(b.publicAddress, 'en', { numeric: true }))
    .map((e) => ({
      publicAddress: e.publicAddress,
      privateAddress: e.privateAddress,
      tcpPorts: [...e.ports].sort((a, b) => a - b),
      requestId: e.requestId,
      vmId: e.vmId,
    }));
  return `${JSON.stringify({ version: 1, mechanism: 'nat', mappings }, null, 2)}\n`;
}
