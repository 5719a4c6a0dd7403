// Builds the web UI into dist/web (placeholder until the React UI lands).
import { cpSync, mkdirSync } from 'node:fs';

mkdirSync(new URL('../dist/web', import.meta.url), { recursive: true });
cpSync(new URL('../web/placeholder', import.meta.url), new URL('../dist/web', import.meta.url), { recursive: true });
