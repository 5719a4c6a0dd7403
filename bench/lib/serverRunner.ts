// Entry point the benchmark spawns: `node --import tsx bench/lib/serverRunner.ts server …`,
// so the server runs in its own process exactly as `pulltrace server …` would.
import { main } from '../../src/cli/main.js';

const code = await main(process.argv.slice(2));
if (code !== undefined) process.exit(code);
