// Pull progress onto the pods that wait for it (PULLTRACE_POD_EVENTS): subscribes to the pull event
// bus, decides the milestones of every waiting pod (milestone.ts), and hands them to the writer.
// Every replica decides alike (the bus carries the same events, timestamps included); only the
// holder of the Lease writes, so after a failover the new writer goes on with the same counts.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { KubeWatch } from '../../k8s/index.js';
import type { Logger } from '../../log/index.js';
import type { PullEvent } from '../../model/index.js';
import type { PullEventBus } from '../events/pullEventBus.js';
import { eventKey } from './eventObject.js';
import { EventWriter } from './eventWriter.js';
import { type LeaderElector, startLeaseElector } from './leaseElector.js';
import { eventMessage, eventType } from './message.js';
import { afterMilestone, type MilestoneState, nextMilestone } from './milestone.js';
import { registerPodEventMetrics } from './podEventMetrics.js';
import { LabelCheck } from './podLabels.js';

export type PodEventsMode = 'off' | 'labeled' | 'all';

export interface PodEventSettings {
  podEvents: PodEventsMode;
  podEventsMinDurationMs: number;
  podEventsQps: number;
  podEventsBurst: number;
  /** this server's cluster: other clusters' pulls (seen on a shared bus) are not its pods */
  cluster: string;
  kubernetes: 'auto' | 'off';
  /** set when replicas share a bus: then a Lease picks the one writer */
  bus: string;
}

export interface PodEventsDeps {
  bus: PullEventBus;
  settings: PodEventSettings;
  kube: KubeWatch | undefined;
  log: Logger;
  registry: Registry;
  env?: NodeJS.ProcessEnv;
  /** lease duration (tests shorten it) */
  leaseDurationMs?: number;
}

export interface PodEvents {
  stop(): Promise<void>;
}

const MAX_TRACKED = 50_000;

export async function startPodEvents(deps: PodEventsDeps): Promise<PodEvents> {
  const metrics = registerPodEventMetrics(deps.registry);
  const { settings } = deps;
  if (settings.podEvents === 'off') return { stop: async () => {} };
  const log = deps.log.child({ component: 'pod-events' });
  if (settings.kubernetes === 'off') {
    throw new Error(`PULLTRACE_POD_EVENTS=${settings.podEvents} writes Events through the Kubernetes API, but PULLTRACE_KUBERNETES=off`);
  }
  const kube = deps.kube;
  if (!kube) {
    log.warn({}, 'pod events: no Kubernetes configuration found; PULLTRACE_POD_EVENTS has no effect');
    return { stop: async () => {} };
  }
  const { loadKubeConfig } = await import('../../k8s/client/index.js');
  const { kubeRequester } = await import('./kubeRequest.js');
  const config = loadKubeConfig(deps.env ?? process.env);
  if (!config.ok) throw new Error(`PULLTRACE_POD_EVENTS: ${config.reason}`);
  const request = kubeRequester(config.kc);
  const now = Date.now;
  const instance = hostname();

  let elector: LeaderElector | undefined;
  const isLeader = () => (elector ? elector.isLeader() : true);
  const writer = new EventWriter({
    request,
    podFacts: (ns, name) => kube.podFacts(ns, name),
    labels:
      settings.podEvents === 'labeled'
        ? new LabelCheck(request, now, (what, status, message) =>
            log.warn({ status }, `pod events: cannot ${what} (${message}); needs get on pods and namespaces`),
          )
        : undefined,
    qps: settings.podEventsQps,
    burst: settings.podEventsBurst,
    instance,
    metrics,
    log,
    isLeader,
  });
  if (settings.bus) {
    const namespace = config.kc.getContextObject(config.kc.getCurrentContext())?.namespace || 'default';
    elector = startLeaseElector({
      request,
      namespace,
      identity: `${instance}-${randomBytes(4).toString('hex')}`,
      log,
      ...(deps.leaseDurationMs ? { durationMs: deps.leaseDurationMs } : {}),
      onChange: (leader) => (leader ? writer.kick() : writer.clear()),
    });
  }

  // per (Event, pull): the milestones so far; per Event: its count and first time
  const milestones = new Map<string, MilestoneState>();
  const perEvent = new Map<string, { count: number; firstAt: Date }>();
  const onEvent = (e: PullEvent) => {
    const pull = e.pull;
    if (!pull || e.type.startsWith('layer.') || pull.pods.length === 0) return;
    if ((pull.cluster ?? settings.cluster) !== settings.cluster) return;
    const at = Date.parse(e.timestamp);
    for (const pod of pull.pods) {
      const key = eventKey(pod);
      const stateKey = `${key}|${pull.id}`;
      const state = milestones.get(stateKey);
      const kind = nextMilestone(pull, at, state, settings.podEventsMinDurationMs);
      if (!kind) continue;
      remember(milestones, stateKey, afterMilestone(state, kind, pull));
      const event = perEvent.get(key) ?? { count: 0, firstAt: new Date(at) };
      event.count += 1;
      remember(perEvent, key, event);
      if (!isLeader()) continue;
      writer.enqueue(key, {
        pod,
        message: eventMessage(kind, pull, pod.image),
        type: eventType(kind, pull),
        count: event.count,
        firstAt: event.firstAt,
        lastAt: new Date(at),
        tries: 0,
      });
    }
  };
  const unsubscribe = deps.bus.subscribe(onEvent);
  log.info(
    {
      mode: settings.podEvents,
      minDurationMs: settings.podEventsMinDurationMs,
      qps: settings.podEventsQps,
      burst: settings.podEventsBurst,
      lease: Boolean(elector),
    },
    'pod events: writing pull progress onto waiting pods',
  );
  return {
    async stop() {
      unsubscribe();
      await writer.stop();
      await elector?.stop();
    },
  };
}

/** Sets `key` as the newest entry, forgetting the oldest beyond MAX_TRACKED. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value as string);
}
