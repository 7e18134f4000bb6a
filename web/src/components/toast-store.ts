export type ToastTone = "info" | "success" | "error";

export interface Toast {
  id: number;
  title: string;
  body?: string;
  href?: string;
  linkText?: string;
  tone: ToastTone;
}

type Listener = () => void;

let nextId = 1;
let items: readonly Toast[] = [];
const listeners = new Set<Listener>();
const timers = new Map<number, ReturnType<typeof setTimeout>>();
const emit = () => {
  for (const l of listeners) l();
};

const TTL_MS = 7000;
const MAX = 4;

/** A tiny store for toasts, read with useSyncExternalStore. */
export const toast = {
  show(t: Omit<Toast, "id" | "tone"> & { tone?: ToastTone }) {
    const id = nextId++;
    const next: Toast = { tone: "info", ...t, id };
    items = [...items, next].slice(-MAX);
    timers.set(
      id,
      setTimeout(() => toast.dismiss(id), TTL_MS),
    );
    emit();
    return id;
  },
  error(title: string) {
    return toast.show({ title, tone: "error" });
  },
  success(title: string) {
    return toast.show({ title, tone: "success" });
  },
  dismiss(id: number) {
    const t = timers.get(id);
    if (t) clearTimeout(t);
    timers.delete(id);
    items = items.filter((i) => i.id !== id);
    emit();
  },
  /** Keeps a toast while it is hovered or focused. */
  hold(id: number) {
    const t = timers.get(id);
    if (t) clearTimeout(t);
    timers.delete(id);
  },
  release(id: number) {
    if (!items.some((i) => i.id === id) || timers.has(id)) return;
    timers.set(
      id,
      setTimeout(() => toast.dismiss(id), TTL_MS / 2),
    );
  },
  subscribe(l: Listener) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  getSnapshot: () => items,
};
