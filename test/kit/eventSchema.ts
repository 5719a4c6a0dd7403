// Validates emitted events against the published JSON Schema files (docs/schemas), as a user's
// tooling would.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((formats as unknown as { default?: typeof formats }).default ?? formats) as unknown as (ajv: Ajv) => Ajv;

export function publishedValidator(file: 'pull-event-v1.json' | 'agent-report-v1.json'): ValidateFunction & { describe(): string } {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(new URL(`../../docs/schemas/${file}`, import.meta.url), 'utf8')));
  return Object.assign(validate, { describe: () => ajv.errorsText(validate.errors) });
}
