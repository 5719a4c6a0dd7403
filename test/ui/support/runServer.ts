// Runs `pulltrace <args>` from the source tree (through tsx), for tests that need a real server.
import { main } from '../../../src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
