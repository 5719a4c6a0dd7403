// What the server says when the Kubernetes watch is turned off. Its own module: with `--kubernetes
// off` the server does not load the Kubernetes client library at all (about half of its start-up).
import type { Logger } from '../log/index.js';

export function logKubernetesOff(logger: Logger): void {
  logger.child({ component: 'kubernetes' }).info('kubernetes: off (--kubernetes off); pods and kubelet errors will not be shown');
}
