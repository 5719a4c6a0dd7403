// Runs Node's built-in test runner over every *.test.ts under the given folders
// (default: src, test and bench). Node 20's --test does not expand globs, so we list files here.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = (roots.length ? roots : ['src', 'test', 'bench']).flatMap((r) => {
  try {
    return statSync(r).isDirectory() ? findTests(r) : [r];
  } catch {
    return [];
  }
});
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...extra, ...files.sort()], {
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
