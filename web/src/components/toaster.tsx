import { useSyncExternalStore } from "react";
import { Link } from "react-router";
import { toast } from "./toast-store";

/** Toasts: announced politely, kept while hovered or focused, dismissable by keyboard. */
export function Toaster() {
  const items = useSyncExternalStore(toast.subscribe, toast.getSnapshot);
  return (
    <section className="toaster" aria-label="Notifications" aria-live="polite">
      {items.map((t) => (
        // biome-ignore lint/a11y/noStaticElementInteractions: hover only pauses the auto-dismiss timer
        <div
          key={t.id}
          className={`toast toast-${t.tone}`}
          onMouseEnter={() => toast.hold(t.id)}
          onMouseLeave={() => toast.release(t.id)}
          onFocus={() => toast.hold(t.id)}
          onBlur={() => toast.release(t.id)}
        >
          <div className="toast-text">
            <p className="toast-title">{t.title}</p>
            {t.body ? <p className="toast-body">{t.body}</p> : null}
            {t.href ? (
              <Link className="toast-link" to={t.href} onClick={() => toast.dismiss(t.id)}>
                {t.linkText ?? "Open"}
              </Link>
            ) : null}
          </div>
          <button
            type="button"
            className="toast-close"
            aria-label="Dismiss notification"
            onClick={() => toast.dismiss(t.id)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
