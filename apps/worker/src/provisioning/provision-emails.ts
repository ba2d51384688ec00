import { publicAddressLines, ZEmailMessage, type EmailMessage, type PublicAddressRef } from '@betang/core';
import { z } from 'zod';
import type { ProvisionCtx } from './provision-context';
import { adminUserOf } from './vm-spec';

const ZContact = z.object({ email: z.email() }).loose();

function recipients(ctx: ProvisionCtx): string[] {
  const out = new Set<string>();
  if (ctx.data.requester?.email) out.add(ctx.data.requester.email);
  const contact = ZContact.safeParse(ctx.data.request.contact);
  if (contact.success) out.add(contact.data.email.toLowerCase());
  return [...out];
}

/**
 * "Your VPS is ready" for the requester and the request's PIC contact: address, admin user and
 * how to connect, and the public address with its ports when the VPS is reachable from the
 * internet. Never secrets (the keys are the institution's own). Undefined without recipients.
 */
export function readyEmail(
  ctx: ProvisionCtx,
  address: string,
  vmid: number,
  endpoint: PublicAddressRef | null = null,
): EmailMessage | undefined {
  const to = recipients(ctx);
  if (to.length === 0) return undefined;
  const { request } = ctx.data;
  const user = adminUserOf(ctx);
  const ports = [22, ...request.ports.filter((p) => p !== 22)].join(', ');
  const publicLines = endpoint ? publicAddressLines(endpoint) : null;
  const more = publicLines ? { id: `\n${publicLines.id}`, en: `\n${publicLines.en}` } : { id: '', en: '' };
  return ZEmailMessage.parse({
    to,
    locale: ctx.data.requester?.locale === 'en' ? 'en' : 'id',
    subject: { id: `VPS ${request.hostname} siap digunakan`, en: `VPS ${request.hostname} is ready` },
    text: {
      id: `VPS ${request.hostname} sudah aktif.\nAlamat IP: ${address}\nPengguna admin: ${user} (login dengan kunci SSH yang Anda daftarkan; sudo tanpa kata sandi)\nCara masuk: ssh ${user}@${address}\nPort yang dibuka: ${ports}\nVMID: ${vmid}${more.id}`,
      en: `VPS ${request.hostname} is active.\nIP address: ${address}\nAdmin user: ${user} (log in with the SSH key you registered; passwordless sudo)\nHow to connect: ssh ${user}@${address}\nOpen ports: ${ports}\nVMID: ${vmid}${more.en}`,
    },
    reason: `vps_request:${request.id}:ready`,
  });
}
