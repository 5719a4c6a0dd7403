import type { PodRef } from '../state/types.js';

const SHOWN = 3;

/** The pods waiting on a pull, as namespace/pod/container (all of them on hover). */
export function Pods({ pods }: { pods: PodRef[] }) {
  if (pods.length === 0) return null;
  const all = pods.map(podText);
  return (
    <span className="pods" title={all.join('\n')}>
      {all.slice(0, SHOWN).map((text) => (
        <span key={text} className="pod" data-testid="pod">
          {text}
        </span>
      ))}
      {pods.length > SHOWN && <span className="pod-more">+{pods.length - SHOWN} more</span>}
    </span>
  );
}

function podText(pod: PodRef): string {
  return `${pod.namespace}/${pod.podName}/${pod.container}`;
}
