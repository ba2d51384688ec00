import type { LocalizedText } from '../i18n';
import type { AgreementStatus } from '../domain/agreement-status';
import type { QuotaLimits } from '../domain/resources';
import { ceilingShortfalls, type AgreementCeiling } from './agreement-gate';

/**
 * Where the institution's agreement stands, as the request form needs it: the newest agreement
 * of the institution (or none), the names printed on it for its two signers, and whether the
 * person asking is the institution head who must sign next.
 */
export type AgreementStanding =
  | { kind: 'in_force'; number: string; termEnd: string }
  | { kind: 'none'; institutionHeadName: string | null }
  | {
      kind: 'pending';
      agreementId: string;
      number: string;
      /** `in_force` here means signed but its term has not started yet. */
      status: AgreementStatus;
      termStart: string;
      institutionHeadName: string;
      dcHeadName: string;
      viewerIsNextSigner: boolean;
    };

/** Where a guidance line sends people: the agreements menu, the quota on the dashboard, or nowhere. */
export type GuidanceLink = 'agreements' | 'quota' | null;

/** One thing that stops a request from being submitted, said as the next step a person can take. */
export type GuidanceBlocker = {
  key: 'agreement' | 'coverage' | 'ceiling' | 'quota';
  message: LocalizedText;
  link: GuidanceLink;
};

const headOr = (name: string | null, fallback: LocalizedText): LocalizedText => (name ? { id: name, en: name } : fallback);

const UNNAMED_HEAD: LocalizedText = { id: 'Kepala perangkat daerah', en: 'The head of the institution' };

/**
 * The blocker the agreement puts before a new request, naming who must act next and where
 * ("<head> belum menandatangani perjanjian … — minta beliau menandatanganinya di menu
 * Perjanjian"), or null when an agreement is in force. Pure: the caller reads the rows.
 */
export function agreementBlocker(standing: AgreementStanding, today: string): GuidanceBlocker | null {
  if (standing.kind === 'in_force') return null;
  if (standing.kind === 'none') {
    const head = headOr(standing.institutionHeadName, UNNAMED_HEAD);
    return {
      key: 'agreement',
      link: 'agreements',
      message: {
        id: `Perangkat daerah Anda belum memiliki perjanjian pemanfaatan server yang berlaku. Minta operator Diskominfosantik menyiapkan perjanjian; setelah itu ${head.id} menandatanganinya di menu Perjanjian.`,
        en: `Your institution has no server-utilization agreement in force. Ask the data-center operators to prepare one; then ${head.en} signs it in the Agreements menu.`,
      },
    };
  }
  const { number, status } = standing;
  if (status === 'awaiting_institution_head') {
    return {
      key: 'agreement',
      link: 'agreements',
      message: standing.viewerIsNextSigner
        ? {
            id: `Anda belum menandatangani perjanjian ${number} — tandatangani di menu Perjanjian agar permintaan VPS dapat diajukan.`,
            en: `You have not signed agreement ${number} yet — sign it in the Agreements menu so VPS requests can be submitted.`,
          }
        : {
            id: `${standing.institutionHeadName} belum menandatangani perjanjian ${number} — minta beliau menandatanganinya di menu Perjanjian.`,
            en: `${standing.institutionHeadName} has not signed agreement ${number} yet — ask them to sign it in the Agreements menu.`,
          },
    };
  }
  if (status === 'awaiting_dc_head') {
    return {
      key: 'agreement',
      link: 'agreements',
      message: {
        id: `Perjanjian ${number} sudah ditandatangani ${standing.institutionHeadName} dan menunggu tanda tangan ${standing.dcHeadName} (Kepala Diskominfosantik). Anda tidak perlu berbuat apa-apa; Anda dapat mengajukan VPS setelah perjanjian berlaku.`,
        en: `Agreement ${number} is signed by ${standing.institutionHeadName} and waits for ${standing.dcHeadName} (head of the data center). Nothing to do on your side; you can submit once it is in force.`,
      },
    };
  }
  if (status === 'draft') {
    return {
      key: 'agreement',
      link: 'agreements',
      message: {
        id: `Perjanjian ${number} masih disiapkan operator Diskominfosantik. Setelah siap, ${standing.institutionHeadName} menandatanganinya di menu Perjanjian.`,
        en: `Agreement ${number} is still being prepared by the data-center operators. Once ready, ${standing.institutionHeadName} signs it in the Agreements menu.`,
      },
    };
  }
  if (status === 'in_force' || standing.termStart > today) {
    return {
      key: 'agreement',
      link: 'agreements',
      message: {
        id: `Perjanjian ${number} baru berlaku mulai ${standing.termStart}. Permintaan VPS dapat diajukan sejak tanggal itu.`,
        en: `Agreement ${number} comes into force on ${standing.termStart}. VPS requests can be submitted from that date.`,
      },
    };
  }
  return {
    key: 'agreement',
    link: 'agreements',
    message: {
      id: `Perjanjian ${number} sudah tidak berlaku (${status === 'revoked' ? 'dicabut' : 'berakhir'}). Minta operator Diskominfosantik menyiapkan perjanjian baru untuk ditandatangani ${standing.institutionHeadName}.`,
      en: `Agreement ${number} is no longer in force (${status === 'revoked' ? 'revoked' : 'ended'}). Ask the data-center operators to prepare a new one for ${standing.institutionHeadName} to sign.`,
    },
  };
}

const DIMENSION_NAMES: Record<keyof QuotaLimits | 'ipCount', LocalizedText> = {
  cores: { id: 'vCPU', en: 'vCPU' },
  memoryMiB: { id: 'memori', en: 'memory' },
  diskGiB: { id: 'penyimpanan', en: 'storage' },
  vmCount: { id: 'jumlah VM', en: 'number of VMs' },
  ipCount: { id: 'alamat IP', en: 'IP addresses' },
};

const names = (dimensions: (keyof QuotaLimits | 'ipCount')[], locale: 'id' | 'en') =>
  dimensions.map((d) => DIMENSION_NAMES[d][locale]).join(', ');

/**
 * The blocker when the institution's usage with the chosen size would pass the agreement's
 * ceiling, naming the dimensions; null when it fits. `usageAfter` counts the new VM.
 */
export function ceilingBlocker(number: string, ceiling: AgreementCeiling, usageAfter: QuotaLimits): GuidanceBlocker | null {
  const short = ceilingShortfalls(ceiling, usageAfter).map((s) => s.dimension);
  if (short.length === 0) return null;
  return {
    key: 'ceiling',
    link: 'agreements',
    message: {
      id: `Ukuran ini melampaui plafon perjanjian ${number} untuk ${names(short, 'id')}. Pilih ukuran lebih kecil, atau minta perjanjian baru dengan plafon lebih besar.`,
      en: `This size exceeds the ceiling of agreement ${number} for ${names(short, 'en')}. Choose a smaller size, or ask for a new agreement with a larger ceiling.`,
    },
  };
}

/** The blocker when the chosen size does not fit the quota left (`usageAfter` counts the new VM); null when it fits. */
export function quotaBlocker(limits: QuotaLimits, usageAfter: QuotaLimits): GuidanceBlocker | null {
  const short = (['cores', 'memoryMiB', 'diskGiB', 'vmCount'] as const).filter((d) => usageAfter[d] > limits[d]);
  if (short.length === 0) return null;
  return {
    key: 'quota',
    link: 'quota',
    message: {
      id: `Ukuran ini melebihi sisa kuota perangkat daerah untuk ${names([...short], 'id')}. Pilih ukuran lebih kecil atau minta operator Diskominfosantik menaikkan kuota.`,
      en: `This size exceeds your institution's quota left for ${names([...short], 'en')}. Choose a smaller size or ask the data-center operators to raise the quota.`,
    },
  };
}
