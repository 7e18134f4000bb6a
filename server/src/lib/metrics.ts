import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Every metric the app exposes at /metrics, on a registry of its own per app instance. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    httpDuration: new Histogram({
      name: "zs_http_request_duration_seconds",
      help: "HTTP request latency by route and status class",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: "zs_cache_requests_total",
      help: "Cache reads: hit, miss (this read loaded from the database), joined (waited for a load in flight), bypass (cache unavailable)",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    cacheErrors: new Counter({
      name: "zs_cache_errors_total",
      help: "Cache operations that failed and fell back to the database",
      labelNames: ["op"] as const,
      registers: [registry],
    }),
    cacheRefreshes: new Counter({
      name: "zs_cache_refreshes_total",
      help: "Hot entries refilled by the instance that invalidated them, before clients asked again",
      registers: [registry],
    }),
    invalidations: new Counter({
      name: "zs_cache_invalidations_total",
      help: "Cache tags moved to a new generation",
      registers: [registry],
    }),
    cacheHealthy: new Gauge({
      name: "zs_cache_up",
      help: "1 while the cache (Redis) is reachable and trusted",
      registers: [registry],
    }),
    cacheOutages: new Counter({
      name: "zs_cache_outages_total",
      help: "Times the cache became unreachable",
      registers: [registry],
    }),
    eventsEmitted: new Counter({
      name: "zs_events_emitted_total",
      help: "Envelopes sent to a room, by event type",
      labelNames: ["type"] as const,
      registers: [registry],
    }),
    eventsCoalesced: new Counter({
      name: "zs_events_coalesced_total",
      help: "Events merged into a later event of the same room within the coalescing window",
      labelNames: ["type"] as const,
      registers: [registry],
    }),
    eventsFallback: new Counter({
      name: "zs_events_local_fallback_total",
      help: "Envelopes delivered to this instance only because the event bus (Redis) was unreachable",
      registers: [registry],
    }),
    eventsWithheld: new Counter({
      name: "zs_events_withheld_total",
      help: "Envelopes not written to a socket past its buffer limit (it gets the latest per room once it catches up)",
      registers: [registry],
    }),
    socketsDropped: new Counter({
      name: "zs_sockets_slow_disconnected_total",
      help: "Sockets disconnected because their output stayed past the buffer limit",
      registers: [registry],
    }),
    socketsConnected: new Gauge({
      name: "zs_sockets_connected",
      help: "Socket.IO connections open on this instance",
      registers: [registry],
    }),
    notifyReceived: new Counter({
      name: "zs_db_notify_received_total",
      help: "Change notifications received from database triggers, by table",
      labelNames: ["table"] as const,
      registers: [registry],
    }),
    commitToEmit: new Histogram({
      name: "zs_commit_to_emit_seconds",
      help: "From transaction commit to the envelope handed to Socket.IO on the delivering instance",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    mutations: new Counter({
      name: "zs_mutations_total",
      help: "Committed transactions handed to the freshness pipeline",
      registers: [registry],
    }),
    subscriptionHealthy: new Gauge({
      name: "zs_event_subscription_up",
      help: "1 while this instance's event-channel subscription is up and hearing heartbeats",
      registers: [registry],
    }),
    subscriptionStalls: new Counter({
      name: "zs_event_subscription_stalls_total",
      help: "Event subscriptions found silent (no heartbeat within 2 s) and reconnected",
      registers: [registry],
    }),
    outboxCompleted: new Counter({
      name: "zs_outbox_completed_total",
      help: "Outbox rows completed, by who completed them: writer (the instance that made the change) or relay",
      labelNames: ["by"] as const,
      registers: [registry],
    }),
    outboxRelayLag: new Histogram({
      name: "zs_outbox_relay_lag_seconds",
      help: "From a change's commit to its completion by a relay (its writer died, or could not complete it)",
      buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 30],
      registers: [registry],
    }),
    resyncs: new Counter({
      name: "zs_resync_envelopes_total",
      help: "Resync envelopes (cache:invalidate for everything) sent to rooms of this instance, by reason",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
