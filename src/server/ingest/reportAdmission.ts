// Admission of agent reports, charged to the requester (see requester.ts) so a misbehaving
// client is refused without costing anyone else: a report rate per requester checked before the
// body is read, then, once the node is known, a cap on the node names per requester and a report
// rate per node. Each is the client's own quota, so refusals are 429 with Retry-After (503 is kept
// for the server's shared capacity).
import { NodeRateLimiter } from './nodeRateLimiter.js';
import { NODE_NAME_IDLE_MS, NodesPerAddress } from './nodesPerAddress.js';

/** Why a report is not admitted; each says when its client may try again. */
export type AdmissionRefusal =
  | { kind: 'requesterRate'; retryAfterS: number }
  | { kind: 'nodeRate'; nodeName: string; retryAfterS: number }
  | { kind: 'nodeNames'; nodeName: string; maxNodes: number; retryAfterS: number };

export interface AdmissionLimits {
  /** reports per second from one node (burst of twice that) */
  nodeReportRate: number;
  /** node names one requester may report for; its report rate is this many nodes' worth */
  maxNodesPerAddress: number;
}

export class ReportAdmission {
  private readonly byRequester: NodeRateLimiter;
  private readonly byNode: NodeRateLimiter;
  private readonly names: NodesPerAddress;

  constructor(private readonly limits: AdmissionLimits) {
    this.byRequester = new NodeRateLimiter(limits.nodeReportRate * limits.maxNodesPerAddress);
    this.byNode = new NodeRateLimiter(limits.nodeReportRate);
    this.names = new NodesPerAddress(limits.maxNodesPerAddress);
  }

  /** Before the body is read: the requester's own report rate. */
  beforeBody(who: string, now: number): AdmissionRefusal | undefined {
    const wait = this.byRequester.take(who, now);
    if (wait === 0) return undefined;
    return { kind: 'requesterRate', retryAfterS: wait };
  }

  /** Once the body names the node: names per requester, then the node's report rate. */
  forNode(who: string, nodeName: string, now: number): AdmissionRefusal | undefined {
    if (!this.names.admit(who, nodeName, now)) {
      const retryAfterS = Math.ceil(NODE_NAME_IDLE_MS / 1000);
      return { kind: 'nodeNames', nodeName, maxNodes: this.limits.maxNodesPerAddress, retryAfterS };
    }
    const wait = this.byNode.take(nodeName, now);
    if (wait === 0) return undefined;
    return { kind: 'nodeRate', nodeName, retryAfterS: wait };
  }

  prune(now: number): void {
    this.byRequester.prune(now);
    this.byNode.prune(now);
    this.names.prune(now);
  }
}
