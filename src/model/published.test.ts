import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { publishedSchemas } from './published.js';

test('docs/schemas matches the schemas in src/model (run `npm run schemas` after changing the model)', () => {
  for (const [file, schema] of Object.entries(publishedSchemas())) {
    const onDisk = JSON.parse(readFileSync(new URL(`../../docs/schemas/${file}`, import.meta.url), 'utf8'));
    assert.deepEqual(onDisk, schema, `docs/schemas/${file} has drifted from src/model`);
  }
});
