// Known layer and config media types (OCI image spec and Docker schema 2), short form first.
const KNOWN: Record<string, string> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'tar+gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'tar+gzip (foreign)',
  'application/vnd.docker.container.image.v1+json': 'config',
  'application/vnd.oci.image.config.v1+json': 'config',
  'application/vnd.oci.image.layer.v1.tar': 'tar',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'tar (foreign)',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'tar+gzip (foreign)',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'tar+zstd (foreign)',
  'application/vnd.in-toto+json': 'attestation',
};

/** "application/vnd.oci.image.layer.v1.tar+gzip" → "tar+gzip"; unknown types keep their last part. */
export function shortMediaType(mediaType: string | undefined): string {
  if (!mediaType) return '–';
  const known = KNOWN[mediaType.toLowerCase()];
  if (known) return known;
  const tail = mediaType.split(/[/.]/).pop() ?? mediaType;
  return tail || mediaType;
}
