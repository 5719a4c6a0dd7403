// Which entries of CRI-O's big-files temporary dir are pulls in progress. containers/image makes one
// folder per pull: `container_images_storage<random>` since 5.28 (CRI-O 1.29, OpenShift 4.16),
// `storage<random>` before. Anything else there (other programs share /var/tmp) is not ours.
export type PullFolderLayout = 'current' | 'older';

const CURRENT = /^container_images_storage\d+$/;
const OLDER = /^storage\d+$/;

export function pullFolderLayout(name: string): PullFolderLayout | undefined {
  if (CURRENT.test(name)) return 'current';
  if (OLDER.test(name)) return 'older';
  return undefined;
}

/** The blob files of a pull folder are numbered from 1 in the order their first body bytes arrived. */
export function isBlobFileName(name: string): boolean {
  return /^[1-9]\d*$/.test(name);
}
