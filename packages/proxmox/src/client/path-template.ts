/**
 * Turns a concrete API path into a low-cardinality template for metrics and errors:
 * `/api2/json/nodes/pve1/qemu/123/clone` → `/nodes/{node}/qemu/{vmid}/clone`.
 *
 * The segment after a known collection becomes that collection's parameter name (names as
 * in PVE's API schema). Any other segment that looks like an id (digits, a UPID, or
 * anything outside a plain path-word alphabet) becomes `{id}`, so hostile or unexpected ids
 * never leak into metric labels.
 */
const COLLECTION_PARAM: Readonly<Record<string, string>> = {
  nodes: 'node',
  qemu: 'vmid',
  lxc: 'vmid',
  tasks: 'upid',
  storage: 'storage',
  content: 'volume',
  snapshot: 'snapname',
  pools: 'poolid',
  users: 'userid',
  token: 'tokenid',
  groups: 'groupid',
  roles: 'roleid',
  domains: 'realm',
  rules: 'pos',
  ipset: 'name',
  aliases: 'name',
  network: 'iface',
  zones: 'zone',
  vnets: 'vnet',
  replication: 'id',
  backup: 'id',
};

// Leaf words PVE never uses as ids under these collections (e.g. `/cluster/tasks` has none).
const PLAIN_WORD = /^[a-z][a-z0-9_-]{0,40}$/;
const MAX_SEGMENTS = 16;

/** Normalises a path (with or without `/api2/json`, query string ignored) to a template. */
export function toPathTemplate(path: string): string {
  const bare = path.split('?')[0] ?? '';
  const withoutPrefix = bare.replace(/^\/?api2\/json(?=\/|$)/, '');
  const segments = withoutPrefix
    .split('/')
    .filter((s) => s.length > 0)
    .slice(0, MAX_SEGMENTS);
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const prev = i > 0 ? (segments[i - 1] as string) : undefined;
    const param = prev !== undefined && out[out.length - 1] === prev ? COLLECTION_PARAM[prev] : undefined;
    if (param !== undefined) {
      out.push(`{${param}}`);
    } else if (seg === '*' || !PLAIN_WORD.test(seg)) {
      out.push('{id}');
    } else {
      out.push(seg);
    }
  }
  return '/' + out.join('/');
}
