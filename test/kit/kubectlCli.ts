// Runs the `kubectl-pulltrace` plugin from source (tests need no build step).
import { runKubectlPulltrace } from '../../src/kubectl/index.js';

runKubectlPulltrace(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`kubectl pulltrace: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
