import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes `<dir>/kubeconfig` pointing at `url`. The client refuses plain http unless the cluster
 * says `insecure-skip-tls-verify: true`, so the fake server's config always does.
 */
export async function writeKubeconfig(dir: string, url: string, options: { token?: string; namespace?: string } = {}): Promise<string> {
  const path = join(dir, 'kubeconfig');
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: fake',
    '    cluster:',
    `      server: ${url}`,
    '      insecure-skip-tls-verify: true',
    'users:',
    '  - name: fake-user',
    '    user:',
    `      token: ${options.token ?? 'fake-token'}`,
    'contexts:',
    '  - name: fake',
    '    context:',
    '      cluster: fake',
    '      user: fake-user',
    `      namespace: ${options.namespace ?? 'default'}`,
    'current-context: fake',
    '',
  ].join('\n');
  await writeFile(path, text, { mode: 0o600 });
  return path;
}
