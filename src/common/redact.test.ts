import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, redactSecrets } from './redact.js';

const R = REDACTED;
const HEX = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';

// Error texts in the shapes containerd and kubelet produce (runtime-facts.md §4.7: CRI wraps every
// error as `failed to pull and unpack image "<ref>": <cause>`; Go quotes URLs with %q), carrying the
// pre-signed blob URLs registries redirect to.
const cases: Array<[string, string, string]> = [
  [
    'ECR layer redirect to S3 (SigV4 with a session token)',
    `failed to pull and unpack image "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2": failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/a1b2-123456789012-5c2e/sha256:${HEX}?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEHQaCXVzLWVhc3QtMSJHMEUCIQ%2FabcDEF&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261128T101010Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Credential=ASIAXYZXYZXYZXYZXYZ%2F20261128%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0": dial tcp 52.216.8.8:443: i/o timeout`,
    `failed to pull and unpack image "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2": failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/a1b2-123456789012-5c2e/sha256:${HEX}?${R}": dial tcp 52.216.8.8:443: i/o timeout`,
  ],
  [
    'GCS V4 signed URL (Container Registry / Artifact Registry download)',
    `failed to copy: httpReadSeeker: failed open: unexpected status code https://storage.googleapis.com/us.artifacts.my-project.appspot.com/containers/images/sha256:${HEX}?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=gcr%40my-project.iam.gserviceaccount.com%2F20261128%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20261128T101010Z&X-Goog-Expires=300&X-Goog-SignedHeaders=host&X-Goog-Signature=5b1f00aa: 403 Forbidden`,
    `failed to copy: httpReadSeeker: failed open: unexpected status code https://storage.googleapis.com/us.artifacts.my-project.appspot.com/containers/images/sha256:${HEX}?${R}: 403 Forbidden`,
  ],
  [
    'GCS V2 signed URL',
    `Get "https://storage.googleapis.com/bucket/o?GoogleAccessId=svc%40p.iam.gserviceaccount.com&Expires=1795000000&Signature=dGhpcyBpcyBub3QgcmVhbA%3D%3D": EOF`,
    `Get "https://storage.googleapis.com/bucket/o?${R}": EOF`,
  ],
  [
    'ACR layer redirect to Azure Blob (SAS token)',
    `failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://myregistry.blob.core.windows.net/abc123-xyz/docker/registry/v2/blobs/sha256/a3/${HEX}/data?se=2026-11-28T10%3A30%3A00Z&sig=Qk9HVVMtU0lHTkFUVVJF%2B%2Fabc%3D&sp=r&spr=https&sr=b&sv=2018-03-28&regid=abc123": net/http: TLS handshake timeout`,
    `failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://myregistry.blob.core.windows.net/abc123-xyz/docker/registry/v2/blobs/sha256/a3/${HEX}/data?${R}": net/http: TLS handshake timeout`,
  ],
  [
    "Docker Hub's CDN (verify token)",
    `failed to copy: read tcp 10.0.0.5:51234->104.16.1.1:443: read: connection reset by peer (Get "https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/a3/${HEX}/data?verify=1795000000-Zm9vYmFy%2BYmF6")`,
    `failed to copy: read tcp 10.0.0.5:51234->104.16.1.1:443: read: connection reset by peer (Get "https://production.cloudflare.docker.com/registry-v2/docker/registry/v2/blobs/sha256/a3/${HEX}/data?${R}")`,
  ],
  [
    'token endpoint URL with its query, unquoted, followed by the status',
    'failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.example.com/token?scope=repository%3Aapp%3Apull&service=registry.example.com: 401 Unauthorized',
    `failed to authorize: failed to fetch oauth token: unexpected status from GET request to https://auth.example.com/token?${R}: 401 Unauthorized`,
  ],
  [
    'userinfo in a registry mirror URL',
    'failed to resolve reference "registry.example.com/app:1": failed to do request: Head "https://robot:s3cr3tPass@mirror.example.com/v2/app/manifests/1?ns=registry.example.com": x509: certificate signed by unknown authority',
    `failed to resolve reference "registry.example.com/app:1": failed to do request: Head "https://${R}@mirror.example.com/v2/app/manifests/1?${R}": x509: certificate signed by unknown authority`,
  ],
  [
    'a URL fragment',
    'redirected to https://login.example.com/cb#access_token=abc.def.ghi&expires_in=3600.',
    `redirected to https://login.example.com/cb#${R}.`,
  ],
  [
    'bearer credential',
    'registry answered 401 for Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
    `registry answered 401 for Authorization: Bearer ${R}`,
  ],
  ['basic credential', 'proxy refused Basic cm9ib3Q6c2VjcmV0 (407)', `proxy refused Basic ${R} (407)`],
  ['token= outside a URL', 'auth failed: token=ghp_abcdef123456, user=ci', `auth failed: token=${R}, user=ci`],
  [
    'X-Amz-Signature outside a URL',
    'canonical request had X-Amz-Signature=deadbeef&X-Amz-Date=1',
    `canonical request had X-Amz-Signature=${R}&X-Amz-Date=1`,
  ],
  ['sig= and Signature= fragments', 'sas sig=abc%2Bdef; legacy Signature=xyz', `sas sig=${R}; legacy Signature=${R}`],
  ['password= quoted', 'login with password="hunter2 x" failed', `login with password=${R} failed`],
  ['JSON token member', 'unexpected body {"token":"eyJ0b2tlbiJ9","expires_in":300}', `unexpected body {"token":"${R}","expires_in":300}`],
  ['several URLs in one text', 'a https://h/a?x=1 b http://h2/b?y=2', `a https://h/a?${R} b http://h2/b?${R}`],
];

for (const [name, input, want] of cases) {
  test(`redactSecrets: ${name}`, () => {
    assert.equal(redactSecrets(input), want);
  });
}

// Texts with nothing secret in them pass unchanged: a person still reads the whole reason.
const unchanged: Array<[string, string]> = [
  [
    'kubelet ErrImagePull (1.28+ without the rpc prefix)',
    'Failed to pull image "registry.example.com/app:1.2": failed to pull and unpack image "registry.example.com/app:1.2": failed to resolve reference "registry.example.com/app:1.2": registry.example.com/app:1.2: not found',
  ],
  [
    'kubelet with the rpc prefix and an anonymous-token failure',
    'Failed to pull image "private.example.com/app:1": rpc error: code = Unknown desc = failed to pull and unpack image "private.example.com/app:1": failed to resolve reference "private.example.com/app:1": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized',
  ],
  [
    'back-off message (1.32+)',
    'Back-off pulling image "nginx:1.27": ErrImagePull: failed to pull and unpack image "docker.io/library/nginx:1.27": failed to copy: httpReadSeeker: failed open: server message: toomanyrequests: You have reached your pull rate limit.',
  ],
  [
    'URL without query',
    'Head "https://registry-1.docker.io/v2/library/nginx/manifests/1.27": dial tcp: lookup registry-1.docker.io: no such host',
  ],
  ['image by digest', `Pulling image "docker.io/library/nginx@sha256:${HEX}"`],
  [
    'the agent’s own failure text',
    `pull aborted (network or registry error, or cancelled): containerd removed the pull's manifest sha256:${HEX}`,
  ],
  ['words that only look like keys', 'tls: failed to verify certificate; token: expired; signature mismatch'],
  ['empty', ''],
];

for (const [name, input] of unchanged) {
  test(`redactSecrets leaves ${name} unchanged`, () => {
    assert.equal(redactSecrets(input), input);
  });
}

test('redactSecrets is idempotent', () => {
  for (const [, input] of cases) {
    const once = redactSecrets(input);
    assert.equal(redactSecrets(once), once);
  }
});
