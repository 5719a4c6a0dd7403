import { type GroupOutcome, groupProgress } from '../../../src/pulls/index.js';
import type { PullStatus } from './types.js';

/** One image across every node pulling it: what a rollout looks like. */
export interface ImageGroup {
  imageRef: string;
  pulls: PullStatus[];
  nodes: number;
  totalBytes: number;
  downloadedBytes: number;
  cachedBytes: number;
  bytesPerSec: number;
  /** from bytes only; undefined while no pull knows its size (src/pulls/groupProgress.ts) */
  percent: number | undefined;
  /** the worst state among the pulls: what the group is coloured by */
  worst: GroupOutcome;
  active: number;
  stalled: number;
  failed: number;
  completed: number;
}

/** Groups pulls by image reference, biggest rollouts first, each group's nodes by name. */
export function groupByImage(pulls: Iterable<PullStatus>): ImageGroup[] {
  const groups = new Map<string, ImageGroup>();
  for (const pull of pulls) {
    let group = groups.get(pull.imageRef);
    if (!group) {
      group = {
        imageRef: pull.imageRef,
        pulls: [],
        nodes: 0,
        totalBytes: 0,
        downloadedBytes: 0,
        cachedBytes: 0,
        bytesPerSec: 0,
        percent: undefined,
        worst: 'done',
        active: 0,
        stalled: 0,
        failed: 0,
        completed: 0,
      };
      groups.set(pull.imageRef, group);
    }
    group.pulls.push(pull);
    group.totalBytes += pull.totalBytes;
    group.downloadedBytes += pull.downloadedBytes;
    group.cachedBytes += pull.cachedBytes;
    if (pull.status === 'pulling' || pull.status === 'stalled') {
      group.active++;
      group.bytesPerSec += pull.bytesPerSec;
    }
    if (pull.status === 'stalled') group.stalled++;
    else if (pull.status === 'failed') group.failed++;
    else if (pull.status === 'completed') group.completed++;
  }
  const list = [...groups.values()];
  for (const group of list) {
    group.nodes = new Set(group.pulls.map((p) => p.nodeName)).size;
    const progress = groupProgress(group.pulls);
    group.percent = progress.percent;
    group.worst = progress.worst;
    group.pulls.sort((a, b) => (a.nodeName < b.nodeName ? -1 : a.nodeName > b.nodeName ? 1 : 0));
  }
  return list.sort((a, b) => b.pulls.length - a.pulls.length || (a.imageRef < b.imageRef ? -1 : 1));
}
