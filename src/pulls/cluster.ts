// Pulls restored from history written before clusters existed carry no cluster: they are in `default`.

/** The cluster of pulls that carry none. */
export const DEFAULT_CLUSTER = 'default';

export function clusterOf(pull: { cluster?: string | undefined }): string {
  return pull.cluster ?? DEFAULT_CLUSTER;
}
