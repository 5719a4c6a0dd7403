import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isBlobFileName, pullFolderLayout } from './pullFolder.js';

for (const [name, want] of [
  ['container_images_storage3541851234', 'current'],
  ['storage799374266', 'older'],
  ['container_images_storage', undefined],
  ['storage', undefined],
  ['systemd-private-abc', undefined],
  ['storage12x', undefined],
  ['.storage1', undefined],
] as const) {
  test(`folder ${name} → ${want}`, () => assert.equal(pullFolderLayout(name), want));
}

for (const [name, want] of [
  ['1', true],
  ['12', true],
  ['0', false],
  ['01', false],
  ['1.tmp', false],
  ['manifest', false],
] as const) {
  test(`file ${name} is a blob file: ${want}`, () => assert.equal(isBlobFileName(name), want));
}
