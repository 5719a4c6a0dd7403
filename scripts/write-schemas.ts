// Regenerates docs/schemas/*.json from src/model (the one source of the v1 types).
import { writeFileSync } from 'node:fs';
import { publishedSchemas } from '../src/model/index.js';

for (const [file, schema] of Object.entries(publishedSchemas())) {
  writeFileSync(new URL(`../docs/schemas/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote docs/schemas/${file}`);
}
