import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App, loadPageAt } from "./app";
import { toast } from "./components/toast-store";
import { applyIdentity, authKeys } from "./features/auth/auth.queries";
import { takeBootSeq } from "./lib/boot";
import { createAppQueryClient } from "./lib/query-client";
import { RealtimeProvider } from "./lib/realtime-link";
import { DeferredRealtime } from "./realtime/deferred-realtime";
import "./styles.css";

const queryClient = createAppQueryClient();
// The socket and the event catalogue load beside the first page, not before it (ADR 016).
const realtime = new DeferredRealtime(async () => {
  const [{ RealtimeClient }, { createSocket }] = await Promise.all([
    import("./realtime/realtime-client"),
    import("./lib/socket"),
  ]);
  return new RealtimeClient({
    socket: createSocket(),
    queryClient,
    notify: (t) => toast.show(t),
    initialSeq: takeBootSeq,
    onSessionEnded: (expected) => {
      const wasSignedIn = queryClient.getQueryData(authKeys.me()) != null;
      applyIdentity(queryClient, null);
      if (!expected && wasSignedIn)
        toast.show({ title: "You were signed out", href: "/login", linkText: "Log in again" });
    },
  });
});

// A deep link's page code first (preloaded by the HTML beside the entry), then the first render.
void loadPageAt(location.pathname).then(() =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RealtimeProvider client={realtime}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </RealtimeProvider>
      </QueryClientProvider>
    </StrictMode>,
  ),
);
