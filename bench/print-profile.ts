/*
 * `node --import tsx bench/print-profile.ts <file.cpuprofile>`: top self-time functions of a V8
 * CPU profile (e.g. the worker's, written with BENCH_WORKER_PROFILE_DIR=<dir> npm run bench).
 */
import { readFileSync } from 'node:fs';
import { topSelfTime } from './profile-api';

const file = process.argv[2];
if (!file) throw new Error('usage: print-profile <file.cpuprofile>');
for (const row of topSelfTime(JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof topSelfTime>[0], 30))
  console.log(`${row.percent.toFixed(1).padStart(5)} %  ${row.where}`);
