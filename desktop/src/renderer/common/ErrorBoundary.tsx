import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** What failed, for the message ("This workspace", "Carebridge"). */
  what?: string;
}

/** Never a blank window: a render error shows what happened and a way out. */
export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('render failed', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    // A lazy chunk that failed to load stays failed in the module map: only a reload fetches the
    // current build (typically after the server was updated).
    if (/dynamically imported module|Importing a module script failed/i.test(this.state.error.message)) {
      return (
        <div className="error-panel" role="alert">
          <h2>Part of Carebridge could not be loaded</h2>
          <p>The connection may have dropped, or the server was updated. Reload to continue; your drafts are kept.</p>
          <button type="button" className="button primary" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      );
    }
    return (
      <div className="error-panel" role="alert">
        <h2>{this.props.what ?? 'Carebridge'} stopped working</h2>
        <p>Something unexpected went wrong: {this.state.error.message}</p>
        <div className="row">
          <button type="button" className="button primary" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      </div>
    );
  }
}
