import { formatRate } from '../../../src/pulls/index.js';
import type { ConnectionState } from '../live/liveConnection.js';
import type { AgentCount } from '../state/emptyState.js';
import type { PullSummary } from '../state/summary.js';
import { Sparkline } from './Sparkline.js';

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
};

interface Props {
  connection: ConnectionState;
  summary: PullSummary;
  throughput: readonly number[];
  /** undefined while not known */
  agents?: AgentCount | undefined;
}

export function Header({ connection, summary, throughput, agents }: Props) {
  return (
    <header className="header">
      <h1 className="brand">Pulltrace</h1>
      <span className={`conn conn-${connection}`} data-testid="connection" role="status">
        {CONNECTION_TEXT[connection]}
      </span>
      <dl className="stats">
        <div className={agents?.reporting === 0 ? 'stat stat-warn' : 'stat'} title={agentsTitle(agents)}>
          <dt>agents</dt>
          <dd data-testid="count-agents">{agents === undefined ? '–' : agents.reporting}</dd>
        </div>
        <Stat label="active" value={summary.active} testId="count-active" />
        <Stat label="stalled" value={summary.stalled} testId="count-stalled" warn={summary.stalled > 0} />
        <Stat label="failed" value={summary.failed} testId="count-failed" warn={summary.failed > 0} />
        <div className="stat">
          <dt>throughput</dt>
          <dd data-testid="throughput">{formatRate(summary.bytesPerSec)}</dd>
        </div>
      </dl>
      <Sparkline samples={throughput} label="aggregate throughput, last 3 minutes" />
    </header>
  );
}

function agentsTitle(agents: AgentCount | undefined): string {
  if (agents === undefined) return 'agents reporting: not known (the server did not answer)';
  return `${agents.reporting} of ${agents.total} agents reporting`;
}

function Stat({ label, value, testId, warn = false }: { label: string; value: number; testId: string; warn?: boolean }) {
  return (
    <div className={warn ? 'stat stat-warn' : 'stat'}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}
