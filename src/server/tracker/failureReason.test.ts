// Failure kinds from real message texts: kubelet events and pod status messages (1.19–1.35 forms),
// containerd 1.6/1.7/2.x CRI errors as the kubelet wraps them, and the agent's own reasons.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FailureReason } from '../../model/index.js';
import { classifyFailure, refineFailure } from './failureReason.js';

const IMG = 'docker.io/library/nginx:1.27';
const cri = (cause: string) => `failed to pull and unpack image "${IMG}": ${cause}`;
const failed = (cause: string) => `Failed to pull image "nginx:1.27": ${cri(cause)}`;

const CASES: Array<[string, FailureReason]> = [
  // Docker Hub's pull limit, as kubelet shows it (resolve and blob fetch)
  [
    failed(
      `failed to resolve reference "${IMG}": failed to do request: Head "https://registry-1.docker.io/v2/library/nginx/manifests/1.27": unexpected status from HEAD request to https://registry-1.docker.io/v2/library/nginx/manifests/1.27: 429 Too Many Requests`,
    ),
    'rate_limited',
  ],
  [
    `Failed to pull image "nginx:1.27": rpc error: code = Unknown desc = ${cri('failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/blobs/sha256:ab12: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit')}`,
    'rate_limited',
  ],
  // denied
  [
    'Failed to pull image "nginix:1.14.2": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nginix:1.14.2": failed to resolve reference "docker.io/library/nginix:1.14.2": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    'auth',
  ],
  [
    failed(
      `failed to resolve reference "${IMG}": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://auth.docker.io/token?scope=repository%3Alibrary%2Fnginx%3Apull&service=registry.docker.io: 401 Unauthorized`,
    ),
    'auth',
  ],
  [
    'Failed to pull image "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1": rpc error: code = Unknown desc = failed to pull and unpack image "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1": failed to resolve reference "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1": unexpected status from HEAD request to https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/app/manifests/v1: 403 Forbidden',
    'auth',
  ],
  [
    'Failed to pull image "ghcr.io/org/private:1": failed to pull and unpack image "ghcr.io/org/private:1": failed to resolve reference "ghcr.io/org/private:1": failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized',
    'auth',
  ],
  // not found
  [
    'Failed to pull image "redis:alpin": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/redis:alpin": failed to resolve reference "docker.io/library/redis:alpin": docker.io/library/redis:alpin: not found',
    'not_found',
  ],
  ['Failed to pull image "busybox:1.36.1": failed to pull and unpack image "docker.io/library/busybox:1.36.1": not found', 'not_found'],
  ['Back-off pulling image "y": ErrImagePull: not found', 'not_found'],
  [failed('failed to resolve reference "quay.io/x/y:z": quay.io/x/y:z: manifest unknown'), 'not_found'],
  [failed(`no match for platform in manifest: not found`), 'not_found'],
  ['Container image "busybox:9" is not present with pull policy of Never', 'not_found'],
  // network
  [failed('failed to copy: read: connection reset by peer'), 'network'],
  [
    'failed to pull and unpack image "127.0.0.1:5000/pulltrace/big:v1": failed to copy: httpReadSeeker: failed open: connection refused',
    'network',
  ],
  [
    failed(
      `failed to resolve reference "${IMG}": failed to do request: Head "https://registry.internal/v2/a/manifests/1": dial tcp: lookup registry.internal on 10.96.0.10:53: no such host`,
    ),
    'network',
  ],
  [
    failed(
      'failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://r/v2/a/blobs/sha256:1": dial tcp 10.0.0.1:443: connect: network is unreachable',
    ),
    'network',
  ],
  [failed('failed to copy: unexpected EOF'), 'network'],
  // tls
  [
    failed(
      `failed to resolve reference "${IMG}": failed to do request: Head "https://r:5000/v2/a/manifests/1": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    ),
    'tls',
  ],
  [failed('failed to do request: Head "https://127.0.0.1:5000/v2/a/manifests/1": http: server gave HTTP response to HTTPS client'), 'tls'],
  // timeouts
  [
    'Failed to pull image "curlimages/curl:8.12.1": rpc error: code = DeadlineExceeded desc = failed to pull and unpack image "docker.io/curlimages/curl:8.12.1": failed to resolve reference "docker.io/curlimages/curl:8.12.1": failed to do request: Head "https://registry-1.docker.io/v2/curlimages/curl/manifests/8.12.1": dial tcp 199.96.58.15:443: i/o timeout',
    'timeout',
  ],
  [
    `rpc error: code = Canceled desc = ${cri(`failed to copy: httpReadSeeker: failed open: context canceled: cancel pulling image ${IMG} because of no progress in 5m0s`)}`,
    'timeout',
  ],
  [failed('failed to do request: Head "https://r/v2/": net/http: TLS handshake timeout'), 'timeout'],
  ['Failed to pull image "x": rpc error: code = DeadlineExceeded desc = context deadline exceeded', 'timeout'],
  // registry 5xx (an HTML error page after the status must not matter)
  [
    `rpc error: code = Unknown desc = ${cri(`failed to resolve reference "${IMG}": unexpected status from HEAD request: 502 Bad Gateway <html><head><title>502 Bad Gateway</title></head></html>`)}`,
    'registry_error',
  ],
  [
    failed('failed to copy: httpReadSeeker: failed open: unexpected status code https://r/v2/a/blobs/sha256:1: 503 Service Unavailable'),
    'registry_error',
  ],
  [failed(`unexpected status from GET request to https://r/v2/a/manifests/1: 500 Internal Server Error`), 'registry_error'],
  [failed('unexpected status from HEAD request to https://r/v2/a/manifests/1: 504 Gateway Timeout'), 'registry_error'],
  // node disk
  [
    failed(
      'failed to extract layer sha256:0a1b: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/12/fs/usr/lib/x: no space left on device: unknown',
    ),
    'no_space',
  ],
  [
    failed(
      'failed to copy: failed to send write: write /var/lib/containerd/io.containerd.content.v1.content/ingest/ab/data: no space left on device',
    ),
    'no_space',
  ],
  // bad names
  [
    'Failed to apply default image tag "Nginx:1.27": couldn\'t parse image reference "Nginx:1.27": invalid reference format: repository name must be lowercase',
    'invalid_reference',
  ],
  ['Error: InvalidImageName', 'invalid_reference'],
  // cancelled by the caller (kubelet gave up, ctr killed)
  [`rpc error: code = Canceled desc = ${cri('failed to copy: context canceled')}`, 'cancelled'],
  ['failed to pull and unpack image "127.0.0.1:5000/e2e/cri-cancel:v1": context canceled', 'cancelled'],
  // the server's own words when an agent lost a pull
  ['the agent on worker-1 stopped reporting this pull before it completed', 'agent_lost'],
  // nothing to go on
  ['Error: ErrImagePull', 'unknown'],
  ['Back-off pulling image "busybox:1.36.1"', 'unknown'],
  [
    'pull aborted (network or registry error, or cancelled): containerd discarded the download of sha256:0123456789ab before it completed',
    'unknown',
  ],
  ['', 'unknown'],
];

for (const [text, want] of CASES) {
  test(`classifyFailure → ${want}: ${text.slice(0, 90)}`, () => assert.equal(classifyFailure(text), want));
}

test('refineFailure keeps a specific reason over a text that says nothing new', () => {
  assert.equal(refineFailure('rate_limited', 'Back-off pulling image "x"'), 'rate_limited');
  assert.equal(refineFailure('unknown', failed('failed to copy: read: connection reset by peer')), 'network');
  assert.equal(refineFailure('network', failed('not found')), 'not_found');
  assert.equal(refineFailure(undefined, 'Error: ErrImagePull'), 'unknown');
});
