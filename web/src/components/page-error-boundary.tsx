import { Component, type ReactNode } from "react";

/**
 * A page whose code could not be fetched (offline, or a deploy replaced its
 * chunk) says so, with a way out, instead of unmounting the whole app.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch(error: unknown) {
    console.warn("a page failed to load", error);
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="error-state" role="alert">
        <p className="empty-title">This page could not load</p>
        <p>
          {navigator.onLine
            ? "Cannot reach Zerostale right now. Try again in a moment."
            : "You are offline. Try again when the connection is back."}
        </p>
        <button type="button" className="btn" onClick={() => window.location.reload()}>
          Try again
        </button>
      </div>
    );
  }
}
