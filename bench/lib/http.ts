/** Small HTTP helpers for the load generators (Node's fetch keeps connections alive). */
// biome-ignore lint/suspicious/noExplicitAny: load generators read many response shapes loosely
export async function getJson(url: string, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : undefined);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function send(method: string, url: string, token: string, body?: unknown): Promise<number> {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Sums a Prometheus counter (all label sets matching `labels`) across instances. */
export async function counter(urls: string[], name: string, labels: Record<string, string> = {}): Promise<number> {
  let total = 0;
  for (const base of urls) {
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const line of text.split("\n")) {
      if (!line.startsWith(name)) continue;
      const m = /^(\w+)(\{([^}]*)\})? ([\d.eE+-]+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const got = Object.fromEntries(
        (m[3] ?? "")
          .split(",")
          .filter(Boolean)
          .map((kv) => kv.split("=").map((s) => s.replace(/"/g, "")) as [string, string]),
      );
      if (Object.entries(labels).every(([k, v]) => got[k] === v)) total += Number(m[4]);
    }
  }
  return total;
}
