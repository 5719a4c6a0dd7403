import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseRuntime } from './runtimeChoice.js';

for (const [setting, containerd, crio, want] of [
  ['auto', true, false, 'containerd'],
  ['auto', false, true, 'crio'],
  ['auto', true, true, 'containerd'],
  ['auto', false, false, 'containerd'],
  ['crio', true, false, 'crio'],
  ['containerd', false, true, 'containerd'],
] as const) {
  test(`${setting} with containerd ${containerd ? 'there' : 'absent'}, CRI-O ${crio ? 'there' : 'absent'} → ${want}`, () =>
    assert.equal(chooseRuntime(setting, { containerd, crio }), want));
}
