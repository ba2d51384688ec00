import type { LocalizedText } from '../i18n';

/** Where the census learned an address: the guest agent (what the guest uses) or the VM config (ipconfigN). */
export type EstateAddressSource = 'agent' | 'config';
export type EstateAddress = { address: string; source: EstateAddressSource };

/**
 * An operator's decisions on one census VM's conflicts: per shared address whether this VM keeps
 * it (`keep`) or is adopted without it (`drop`); whether its addresses outside every pool are
 * accepted as they are; whether its vmid inside Betang's own range is accepted.
 */
export type EstateDecisions = {
  addresses?: Record<string, 'keep' | 'drop'>;
  outsidePool?: boolean;
  vmidRange?: boolean;
};

/** One VM of the census, as the proposal and the conflict check need it. */
export type EstateVmFacts = {
  vmid: number;
  name: string | null;
  tags: readonly string[];
  notes: string | null;
  addresses: readonly EstateAddress[];
  inBetangRange: boolean;
  decisions: EstateDecisions;
};

export type EstateConflictKind = 'address_shared' | 'address_held' | 'outside_pool' | 'vmid_range' | 'claimed';

/** A conflict: what it is, what to decide, and whether the operator already decided. */
export type EstateConflict = {
  kind: EstateConflictKind;
  address: string | null;
  /** Other census vmids sharing the address, or the Betang VM holding it / the vmid. */
  others: number[];
  resolved: boolean;
  message: LocalizedText;
  decide: LocalizedText;
};

type Pool = { rangeStart: string; rangeEnd: string };

/** IPv4 dotted quad → number; undefined for anything else (IPv6 addresses are not pooled). */
export function ipv4ToNumber(address: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

/** The pool whose range holds `address`, if any. */
export function poolHolding<P extends Pool>(pools: readonly P[], address: string): P | undefined {
  const n = ipv4ToNumber(address);
  if (n === undefined) return undefined;
  return pools.find((p) => {
    const lo = ipv4ToNumber(p.rangeStart);
    const hi = ipv4ToNumber(p.rangeEnd);
    return lo !== undefined && hi !== undefined && n >= lo && n <= hi;
  });
}

/**
 * The addresses Betang keeps track of for a VM: IPv4 only, no loopback or link-local, each once
 * (the agent's answer first: it is what the guest really uses).
 */
export function trackedAddresses(addresses: readonly EstateAddress[]): EstateAddress[] {
  const seen = new Set<string>();
  const out: EstateAddress[] = [];
  for (const a of [...addresses].sort((x, y) => (x.source === y.source ? 0 : x.source === 'agent' ? -1 : 1))) {
    if (ipv4ToNumber(a.address) === undefined || a.address.startsWith('127.') || a.address.startsWith('169.254.')) continue;
    if (seen.has(a.address)) continue;
    seen.add(a.address);
    out.push(a);
  }
  return out;
}

type ConflictWorld<P extends Pool> = {
  /** address → census vmids that report it (this VM included). */
  censusHolders: ReadonlyMap<string, readonly number[]>;
  /** address → vmid of the Betang VM holding it in a pool (a live allocation). */
  betangHolders: ReadonlyMap<string, number | null>;
  /** Decisions of every census VM, to see whether the other side of a shared address let go. */
  decisionsOf: (vmid: number) => EstateDecisions;
  pools: readonly P[];
  /** Vmid of a live Betang VM row holding this vmid (a VM already claimed), or undefined. */
  claimedBy: number | undefined;
};

/**
 * Everything an operator must decide before this VM can be adopted. Pure. A conflict is
 * `resolved` once the decision it asks for is recorded; a claimed VM never is (the Betang VM that
 * holds it must be released or decommissioned first).
 */
export function estateConflicts<P extends Pool>(vm: EstateVmFacts, world: ConflictWorld<P>): EstateConflict[] {
  const out: EstateConflict[] = [];
  if (world.claimedBy !== undefined) {
    out.push({
      kind: 'claimed',
      address: null,
      others: [world.claimedBy],
      resolved: false,
      message: { id: `VMID ${vm.vmid} sudah tercatat sebagai VM Betang.`, en: `VMID ${vm.vmid} is already recorded as a Betang VM.` },
      decide: {
        id: 'Periksa VM Betang yang memegang VMID ini; lepaskan atau hapus dulu sebelum mengadopsi.',
        en: 'Check the Betang VM holding this VMID; release or decommission it before adopting.',
      },
    });
  }
  if (vm.inBetangRange) {
    out.push({
      kind: 'vmid_range',
      address: null,
      others: [],
      resolved: vm.decisions.vmidRange === true,
      message: { id: `VMID ${vm.vmid} berada di rentang VMID milik Betang.`, en: `VMID ${vm.vmid} lies in Betang's own VMID range.` },
      decide: {
        id: 'Terima VMID ini apa adanya (Betang melewatinya saat membuat VM baru).',
        en: 'Accept this VMID as it is (Betang skips it when it creates new VMs).',
      },
    });
  }
  for (const a of trackedAddresses(vm.addresses)) {
    const mine = vm.decisions.addresses?.[a.address];
    if (world.betangHolders.has(a.address)) {
      const holder = world.betangHolders.get(a.address) ?? null;
      out.push({
        kind: 'address_held',
        address: a.address,
        others: holder === null ? [] : [holder],
        resolved: mine === 'drop',
        message: {
          id: `Alamat ${a.address} sudah dipegang VM Betang${holder ? ` ${holder}` : ''}.`,
          en: `Address ${a.address} is already held by Betang VM${holder ? ` ${holder}` : ''}.`,
        },
        decide: {
          id: 'Adopsi VM ini tanpa alamat tersebut (perbaiki jaringannya secara manual).',
          en: 'Adopt this VM without that address (fix its network by hand).',
        },
      });
      continue;
    }
    const others = (world.censusHolders.get(a.address) ?? []).filter((v) => v !== vm.vmid);
    if (others.length > 0) {
      // Settled when this VM drops it, or keeps it while every other holder dropped it.
      const othersLetGo = others.every((o) => world.decisionsOf(o).addresses?.[a.address] === 'drop');
      out.push({
        kind: 'address_shared',
        address: a.address,
        others,
        resolved: mine === 'drop' || (mine === 'keep' && othersLetGo),
        message: {
          id: `Alamat ${a.address} juga dipakai VM ${others.join(', ')}.`,
          en: `Address ${a.address} is also used by VM ${others.join(', ')}.`,
        },
        decide: { id: 'Pilih VM mana yang memegang alamat ini.', en: 'Choose which VM keeps this address.' },
      });
    }
    if (!poolHolding(world.pools, a.address)) {
      out.push({
        kind: 'outside_pool',
        address: a.address,
        others: [],
        resolved: vm.decisions.outsidePool === true || mine === 'drop',
        message: { id: `Alamat ${a.address} berada di luar semua pool IP.`, en: `Address ${a.address} is outside every IP pool.` },
        decide: {
          id: 'Terima alamat di luar pool (dicatat, tidak dialokasikan), atau tambahkan pool yang mencakupnya.',
          en: 'Accept the address outside the pools (recorded, not allocated), or add a pool that covers it.',
        },
      });
    }
  }
  return out;
}

type Candidate = { id: string; code: string; name: string };
type AppCandidate = { id: string; institutionId: string; name: string };

/** Betang's guess of a VM's owner, with the reason shown to the operator. */
export type EstateProposal = { institutionId: string; applicationId: string | null; reason: LocalizedText };

// Lower-case words of 2+ letters/digits: "SIMPEG-server" → simpeg, server.
function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2);
}

// Words too common in VM names and notes to point at anyone.
const NOISE = new Set([
  'server',
  'web',
  'db',
  'app',
  'api',
  'vm',
  'lama',
  'baru',
  'test',
  'prod',
  'produksi',
  'dinas',
  'badan',
  'sistem',
  'informasi',
  'aplikasi',
  'dan',
  'the',
]);

/**
 * Proposes an institution (and an application of it) when the VM's name, tags or notes carry an
 * institution's code (or a word of it, e.g. `dinkes` for DINKES, `adpim` for BIRO-ADPIM) or a
 * distinctive word of an application's name. Pure and deterministic: the strongest match wins
 * (institution and application agreeing, then an institution code, then an application word);
 * ties are left to the operator (no proposal).
 */
export function proposeOwner(
  vm: Pick<EstateVmFacts, 'name' | 'tags' | 'notes'>,
  institutions: readonly Candidate[],
  applications: readonly AppCandidate[],
): EstateProposal | undefined {
  const sources: { where: LocalizedText; words: Set<string> }[] = [
    { where: { id: 'nama', en: 'name' }, words: new Set(words(vm.name ?? '')) },
    { where: { id: 'tag', en: 'tags' }, words: new Set(vm.tags.flatMap(words)) },
    { where: { id: 'catatan', en: 'notes' }, words: new Set(words(vm.notes ?? '')) },
  ];
  const found = (w: string) => sources.find((s) => s.words.has(w));
  const instHits = new Map<string, { word: string; where: LocalizedText }>();
  for (const inst of institutions) {
    for (const w of words(inst.code)) {
      if (NOISE.has(w) || w === 'biro' || w === 'dinas') continue;
      const at = found(w);
      if (at && !instHits.has(inst.id)) instHits.set(inst.id, { word: w, where: at.where });
    }
  }
  const appHits: { app: AppCandidate; word: string; where: LocalizedText }[] = [];
  for (const app of applications) {
    for (const w of words(app.name)) {
      if (NOISE.has(w) || w.length < 4) continue;
      const at = found(w);
      if (at) {
        appHits.push({ app, word: w, where: at.where });
        break;
      }
    }
  }
  const agreeing = appHits.filter((h) => instHits.has(h.app.institutionId));
  if (agreeing.length === 1 || (agreeing.length > 1 && new Set(agreeing.map((a) => a.app.id)).size === 1)) {
    const h = agreeing[0]!;
    const i = instHits.get(h.app.institutionId)!;
    return {
      institutionId: h.app.institutionId,
      applicationId: h.app.id,
      reason: {
        id: `"${i.word}" pada ${i.where.id} dan "${h.word}" (aplikasi ${h.app.name}) pada ${h.where.id}`,
        en: `"${i.word}" in the ${i.where.en} and "${h.word}" (application ${h.app.name}) in the ${h.where.en}`,
      },
    };
  }
  if (instHits.size === 1) {
    const [institutionId, i] = [...instHits.entries()][0]!;
    const apps = applications.filter((a) => a.institutionId === institutionId);
    const only = apps.length === 1 ? apps[0]! : undefined;
    return {
      institutionId,
      applicationId: only?.id ?? null,
      reason: {
        id: `"${i.word}" pada ${i.where.id}${only ? ` (satu-satunya aplikasi: ${only.name})` : ''}`,
        en: `"${i.word}" in the ${i.where.en}${only ? ` (its only application: ${only.name})` : ''}`,
      },
    };
  }
  const appIds = new Set(appHits.map((h) => h.app.id));
  if (instHits.size === 0 && appIds.size === 1) {
    const h = appHits[0]!;
    return {
      institutionId: h.app.institutionId,
      applicationId: h.app.id,
      reason: {
        id: `"${h.word}" (aplikasi ${h.app.name}) pada ${h.where.id}`,
        en: `"${h.word}" (application ${h.app.name}) in the ${h.where.en}`,
      },
    };
  }
  return undefined;
}
