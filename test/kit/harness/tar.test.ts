import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tarArchive, tarEntrySize } from './tar.js';

test('GNU tar lists and extracts what tarArchive wrote, byte for byte', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pt-tar-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = [
    { name: 'a.bin', data: Buffer.from('hello') },
    { name: 'exact-block.bin', data: Buffer.alloc(512, 7) },
    { name: 'empty', data: Buffer.alloc(0) },
  ];
  const archive = tarArchive(files);
  assert.equal(archive.length, files.reduce((n, f) => n + tarEntrySize(f.data.length), 0) + 1024);
  writeFileSync(join(dir, 'x.tar'), archive);
  const listing = execFileSync('tar', ['-tvf', 'x.tar'], { cwd: dir, encoding: 'utf8' });
  assert.match(listing, /-rw-r--r-- root\/root\s+5 .* a\.bin/);
  execFileSync('tar', ['-xf', 'x.tar'], { cwd: dir });
  for (const f of files) assert.deepEqual(readFileSync(join(dir, f.name)), f.data, f.name);
});

test('same input gives the same archive (no timestamps)', () => {
  const f = [{ name: 'x', data: Buffer.from('same') }];
  assert.deepEqual(tarArchive(f), tarArchive(f));
});

for (const name of ['', '/abs', 'x'.repeat(101)]) {
  test(`file name ${JSON.stringify(name.slice(0, 10))}… is refused`, () => {
    assert.throws(() => tarArchive([{ name, data: Buffer.alloc(1) }]), /file name must be 1\.\.100 bytes and relative/);
  });
}
