import type { VerificationResult } from '@betang/core';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STATUS: Record<string, string> = {
  draft: 'Draf / draft',
  awaiting_institution_head: 'Menunggu tanda tangan kepala perangkat daerah / awaiting the institution head',
  awaiting_dc_head: 'Menunggu tanda tangan Kepala Diskominfosantik / awaiting the data-center head',
  in_force: 'Berlaku / in force',
  expired: 'Berakhir / expired',
  revoked: 'Dicabut / revoked',
};

/**
 * A plain bilingual HTML page of a verification result, for people who open the QR link in a
 * browser. Every value is HTML-escaped; no scripts, styles or external resources (strict CSP).
 */
export function verificationPage(result: VerificationResult): string {
  const a = result.agreement;
  const verdict = result.valid
    ? 'SAH dan BERLAKU / GENUINE and IN FORCE'
    : result.genuine
      ? 'Tercatat di Betang, tetapi tidak berlaku saat ini / recorded by Betang, but not in force now'
      : 'TIDAK DIKENAL / NOT GENUINE';
  const rows = a
    ? [
        ['Nomor / number', a.number],
        ['Perangkat daerah / institution', a.institutionName],
        ['Status', STATUS[a.status] ?? a.status],
        ['Masa berlaku / term', `${a.termStart} – ${a.termEnd}`],
        ['SHA-256', a.currentSha256],
        ...(a.revokedAt ? [['Dicabut / revoked at', a.revokedAt]] : []),
      ]
    : [];
  const signatures = result.signatures
    .map((s) => `<li>${escape(s.name)} — ${escape(s.role)}${s.signedAt ? `, ${escape(s.signedAt)}` : ''}</li>`)
    .join('');
  return [
    '<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Verifikasi Perjanjian / Agreement verification — Betang</title></head><body>',
    '<h1>Verifikasi Perjanjian Pemanfaatan Server</h1>',
    `<p><strong>${escape(verdict)}</strong></p>`,
    `<table>${rows.map(([k, v]) => `<tr><th scope="row">${escape(k!)}</th><td>${escape(v!)}</td></tr>`).join('')}</table>`,
    `<h2>Penanda tangan / signatories</h2><ul>${signatures || '<li>Belum ada / none yet</li>'}</ul>`,
    '<p>Untuk memeriksa berkas PDF, unggah ke <code>POST /api/v1/verify</code>. / To check a PDF file, upload it to <code>POST /api/v1/verify</code>.</p>',
    '</body></html>',
  ].join('');
}
