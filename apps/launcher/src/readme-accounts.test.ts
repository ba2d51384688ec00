import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_ACCOUNTS } from './seed-demo';

/** The README's role table is how people find the demo accounts: it must name every one the seed creates, with its role. */
describe('README demo accounts', () => {
  const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
  const rows = readme.split('\n').filter((line) => /^\| [a-z_]+( \(|\s\|)/.test(line) && line.includes('@betang.demo'));

  it.each(DEMO_ACCOUNTS.map((a) => [a.email, a.roles[0]]))('should list %s as %s', (email, role) => {
    const row = rows.find((line) => line.includes(email));
    expect(row).toBeDefined();
    expect(row!.startsWith(`| ${role}`)).toBe(true);
  });
});
