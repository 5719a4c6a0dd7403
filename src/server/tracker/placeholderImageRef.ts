// What is not a real image name: the empty reference, a bare digest (`sha256:…`) and the
// original agent's raw ingest names (`layer-sha256:…`, `config-`, `manifest-`, `index-`).
// One definition for the report adapter, the name merge and the Kubernetes correlation.
const PLACEHOLDER = /^(?:(?:layer|config|manifest|index)-)?sha256:/i;

export function isPlaceholderImageRef(ref: string): boolean {
  return ref === '' || PLACEHOLDER.test(ref);
}
