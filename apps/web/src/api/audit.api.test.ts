import { auditExportUrl } from './audit.api';

describe('auditExportUrl', () => {
  it('should carry the set filters and the language, leaving empty ones out', () => {
    const url = new URL(auditExportUrl({ action: 'vps_request.approved', actor: 'a&b=c', from: '', to: undefined }, 'en'), 'http://x');
    expect(url.pathname).toBe('/api/v1/audit-log/export.csv');
    expect(Object.fromEntries(url.searchParams)).toEqual({ action: 'vps_request.approved', actor: 'a&b=c', lang: 'en' });
  });
});
