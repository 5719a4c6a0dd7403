// Runs every UI component suite (*.suite.tsx beside this file) in this one process. Loading
// happy-dom and React costs a second or two per process, far more than the suites themselves
// (milliseconds each), so they share one. One suite alone:
//   node --import tsx --test test/ui/components/PullRow.suite.tsx
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const suites = readdirSync(here)
  .filter((name) => name.endsWith('.suite.tsx'))
  .sort();
if (suites.length === 0) test('component suites are found', () => assert.fail(`no *.suite.tsx in ${here}`));
for (const name of suites) await import(`./${name}`);
