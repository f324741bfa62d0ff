// A JSON-RPC proxy of the test's own in front of anvil that fails a share of the calls (seeded, so
// a run can be replayed) until told to stop: as an overloaded provider does, with HTTP 429, HTTP
// 500, or a connection reset.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type FaultMode = "429" | "500" | "reset";

export type RpcProxy = {
  url: string;
  /** Calls forwarded and calls failed so far. */
  counts(): { forwarded: number; failed: number };
  setFailRate(rate: number): void;
  close(): Promise<void>;
};

export async function startRpcProxy(target: string, options: { failRate: number; mode: FaultMode; seed?: number }): Promise<RpcProxy> {
  let failRate = options.failRate;
  let state = options.seed ?? 1;
  const random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let forwarded = 0;
  let failed = 0;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (random() < failRate) {
      failed++;
      if (options.mode === "reset") return req.socket.destroy();
      res.writeHead(Number(options.mode), { "content-type": "application/json" });
      return res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32005, message: options.mode === "429" ? "rate limited" : "internal error" } }));
    }
    forwarded++;
    try {
      const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) });
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ forwarded, failed }),
    setFailRate: (rate) => {
      failRate = rate;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
