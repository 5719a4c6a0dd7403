// Plays one node's kubelet against the fake API server: the event sequences and pod status
// changes a real kubelet writes around an image pull (runtime-facts.md §1.1, §2), so end-to-end
// tests can drive "pod waits → Pulling → Failed/Pulled → running" in a few calls.
import {
  type ContainerInput,
  type ContainerStateInput,
  type KubeObject,
  kubeletEvent,
  kubeletMessages,
  type PodInput,
  podObject,
} from './objects.js';
import type { FakeKubeApi } from './server.js';

export interface FakeKubeletOptions {
  /** message forms of this kubelet version (default 1.30: durations and image size) */
  version?: '1.25' | '1.27' | '1.30';
  /** 1.32+ back-off status message embeds the last error (`Back-off pulling image "x": ErrImagePull: …`) */
  backOffWithError?: boolean;
}

export class FakeKubelet {
  private readonly pods = new Map<string, PodInput>();
  // kubelet's recorder folds identical events (same object, reason, message) into one: count++
  private readonly eventNames = new Map<string, string>();
  private readonly lastError = new Map<string, string>();

  constructor(
    private readonly api: FakeKubeApi,
    readonly nodeName: string,
    private readonly options: FakeKubeletOptions = {},
  ) {}

  /** Stores a pod scheduled to this node; its containers wait with the kubelet's default reason. */
  schedule(input: Omit<PodInput, 'nodeName'>): KubeObject {
    // our own copy: container states change as the "kubelet" works
    const pod: PodInput = { ...structuredClone(input), nodeName: this.nodeName, namespace: input.namespace ?? 'default' };
    const stored = this.api.apply(podObject(pod));
    pod.uid = stored.metadata.uid as string;
    this.pods.set(keyOf(pod), pod);
    return stored;
  }

  /** `Pulling image "<spec image>"` for a container of a scheduled pod. */
  pulling(pod: KubeObject, container: string): KubeObject {
    const { input, spec, init } = this.find(pod, container);
    return this.record(input, container, init, 'Pulling', kubeletMessages.pulling(spec.image));
  }

  /** `Successfully pulled image …`, then the container starts (an init container runs to completion). */
  pulled(pod: KubeObject, container: string, figures: { seconds: number; waitingSeconds?: number; bytes?: number }): KubeObject {
    const { input, spec, init } = this.find(pod, container);
    const message = kubeletMessages.pulled(spec.image, { ...figures, version: this.options.version ?? '1.30' });
    const event = this.record(input, container, init, 'Pulled', message);
    this.setState(input, container, init ? { terminated: { exitCode: 0 } } : { running: {} });
    return event;
  }

  /** `Container image … already present on machine`, then the container starts. */
  alreadyPresent(pod: KubeObject, container: string): KubeObject {
    const { input, spec, init } = this.find(pod, container);
    const event = this.record(input, container, init, 'Pulled', kubeletMessages.alreadyPresent(spec.image));
    this.setState(input, container, init ? { terminated: { exitCode: 0 } } : { running: {} });
    return event;
  }

  /**
   * A failed attempt: `Failed to pull image "x": <criError>` and `Error: ErrImagePull` (two
   * Warning events, in that order), and the container waits with ErrImagePull and the raw error.
   */
  failPull(pod: KubeObject, container: string, criError: string): KubeObject[] {
    const { input, spec, init } = this.find(pod, container);
    const events = [
      this.record(input, container, init, 'Failed', kubeletMessages.failed(spec.image, criError)),
      this.record(input, container, init, 'Failed', kubeletMessages.errorCompanion('ErrImagePull')),
    ];
    this.lastError.set(`${keyOf(input)}/${container}`, criError);
    this.setState(input, container, { waiting: { reason: 'ErrImagePull', message: criError } });
    return events;
  }

  /** A sync inside the back-off window: `Back-off pulling image` (Normal) and `Error: ImagePullBackOff`. */
  backOff(pod: KubeObject, container: string): KubeObject[] {
    const { input, spec, init } = this.find(pod, container);
    const events = [
      this.record(input, container, init, 'BackOff', kubeletMessages.backOff(spec.image), 'Normal'),
      this.record(input, container, init, 'Failed', kubeletMessages.errorCompanion('ImagePullBackOff')),
    ];
    const last = this.lastError.get(`${keyOf(input)}/${container}`);
    const base = kubeletMessages.backOff(spec.image);
    const message = this.options.backOffWithError && last ? `${base}: ErrImagePull: ${last}` : base;
    this.setState(input, container, { waiting: { reason: 'ImagePullBackOff', message } });
    return events;
  }

  /** Sets a container's state directly (e.g. back to ContainerCreating for a retry). */
  setState(podOrInput: KubeObject | PodInput, container: string, state: ContainerStateInput, init?: boolean): KubeObject {
    const input = 'metadata' in podOrInput ? this.find(podOrInput, container).input : podOrInput;
    const list = (init ?? this.isInit(input, container)) ? input.initContainers : input.containers;
    const spec = list?.find((c) => c.name === container);
    if (!spec) throw new Error(`fake kubelet: no container ${container} in ${keyOf(input)}`);
    spec.state = state;
    return this.api.apply(podObject(input));
  }

  /** Deletes the pod (as after `kubectl delete pod`). */
  remove(pod: KubeObject): void {
    const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
    this.pods.delete(key);
    this.api.delete('pods', pod.metadata.namespace ?? 'default', pod.metadata.name);
  }

  private find(pod: KubeObject, container: string): { input: PodInput; spec: ContainerInput; init: boolean } {
    const input = this.pods.get(`${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`);
    if (!input) throw new Error(`fake kubelet on ${this.nodeName}: pod ${pod.metadata.name} was not scheduled here`);
    const init = this.isInit(input, container);
    const spec = (init ? input.initContainers : input.containers)?.find((c) => c.name === container);
    if (!spec) throw new Error(`fake kubelet: no container ${container} in pod ${pod.metadata.name}`);
    return { input, spec, init };
  }

  private isInit(input: PodInput, container: string): boolean {
    return (input.initContainers ?? []).some((c) => c.name === container);
  }

  private record(
    input: PodInput,
    container: string,
    init: boolean,
    reason: string,
    message: string,
    type?: 'Normal' | 'Warning',
  ): KubeObject {
    const namespace = input.namespace ?? 'default';
    const key = JSON.stringify([input.uid, init, container, reason, message]);
    const existing = this.eventNames.get(key);
    if (existing && this.api.get('events', namespace, existing)) return this.api.repeatEvent(namespace, existing);
    const pod: { name: string; namespace: string; uid?: string } = { name: input.name, namespace };
    if (input.uid !== undefined) pod.uid = input.uid;
    const event = this.api.apply(kubeletEvent({ pod, container, init, node: this.nodeName, reason, message, ...(type ? { type } : {}) }));
    this.eventNames.set(key, event.metadata.name);
    return event;
  }
}

function keyOf(input: PodInput): string {
  return `${input.namespace ?? 'default'}/${input.name}`;
}
