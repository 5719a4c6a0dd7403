// What CRI-O's own socket says, when the agent may read it: `GET /config` (the TOML of its
// configuration, for the paths) over HTTP on crio.sock. Best effort: the paths then come from the
// settings, and a report has no runtime version.
import { request } from 'node:http';
import { type CrioConfigPaths, parseCrioConfigPaths } from './crioConfig.js';

const TIMEOUT_MS = 2_000;

function get(socketPath: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', headers: { host: 'localhost' }, timeout: TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (text.length < 1 << 20) text += c;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${path} answered HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function readCrioConfigPaths(socketPath: string): Promise<CrioConfigPaths> {
  return parseCrioConfigPaths(await get(socketPath, '/config'));
}
