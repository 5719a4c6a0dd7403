import { Component, type ReactNode } from 'react';

interface Props {
  /** what the row shows, for the message: "pull 3f2a… (nginx on worker-1)" */
  what: string;
  /** a new value (e.g. the pull object) retries drawing the row */
  resetKey: unknown;
  /** element to draw the error in: a div for list rows, a table row for tables */
  as?: 'div' | 'tr';
  /** columns to span when `as` is "tr" */
  colSpan?: number;
  children: ReactNode;
}

interface State {
  error: Error | undefined;
  resetKey: unknown;
}

/**
 * One row that cannot be drawn (a value no code expected) shows an error in its place instead of
 * unmounting the whole page for every viewer. The next update of the row tries again.
 */
export class RowErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: undefined, resetKey: props.resetKey } : null;
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    const text = `${this.props.what} could not be shown: ${error.message}`;
    if (this.props.as === 'tr') {
      return (
        <tr className="row-error" data-testid="row-error">
          <td colSpan={this.props.colSpan ?? 1}>
            <span role="alert">{text}</span>
          </td>
        </tr>
      );
    }
    return (
      <div className="row-error" data-testid="row-error" role="alert">
        {text}
      </div>
    );
  }
}
