// api/ponder/pool-repair.ts on real sockets: a pool whose client runs session SETs after connect
// the way Ponder 0.16.10's does leaks its slot on a failed connection attempt, and does not once
// repaired; a repaired pool still works against a real PostgreSQL.
import net from "node:net";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { repairedClient } from "../../api/ponder/pool-repair.js";
import { PG_URL, pgAvailable } from "../helpers/backends.js";

/** Ponder's pools' client (ponder/dist/esm/utils/pg.js, createPool): the SETs run even when connecting failed. */
class PonderLikeClient extends pg.Client {
  // @ts-expect-error: the same override Ponder makes
  connect(callback?: (err?: Error) => void) {
    if (callback) {
      super.connect(() => {
        this.query("SET synchronous_commit = off", callback);
      });
      return;
    }
    return super.connect();
  }
}

/**
 * A server that accepts and closes every connection at once, as a cut network path or a database
 * going down mid-handshake does. (A refused connection does not show the leak: pg fails the queued
 * SET when the socket ends after the error.)
 */
async function hangingUp(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}

const settle = (p: Promise<unknown>, ms: number) =>
  Promise.race([p.then(() => "connected", (e: Error) => `failed: ${e.message}`), new Promise((r) => setTimeout(() => r("hung"), ms))]);

describe("Ponder's pools, repaired", () => {
  it("a connection closed during the handshake hangs the pool's connect as Ponder's client has it, and fails at once repaired (the slot comes back)", async () => {
    const server = await hangingUp();
    const { port } = server;
    const broken = new pg.Pool({ host: "127.0.0.1", port, max: 1, Client: PonderLikeClient } as pg.PoolConfig);
    expect(await settle(broken.connect(), 1_000)).toBe("hung");

    const pool = new pg.Pool({ host: "127.0.0.1", port, max: 1, Client: PonderLikeClient } as pg.PoolConfig);
    (pool as unknown as { Client: typeof pg.Client }).Client = repairedClient((pool as unknown as { Client: typeof pg.Client }).Client);
    expect(await settle(pool.connect(), 1_000)).toMatch(/^failed: /);
    // With one slot, a second attempt could only start if the first gave its slot back.
    expect(await settle(pool.connect(), 1_000)).toMatch(/^failed: /);
    expect(pool.totalCount).toBe(0);
    await pool.end();
    await server.close();
  });

  it("repairing twice wraps once", () => {
    const once = repairedClient(PonderLikeClient as unknown as typeof pg.Client);
    expect(repairedClient(once)).toBe(once);
  });

  (pgAvailable ? it : it.skip)("a repaired pool serves queries on a real PostgreSQL", async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1, Client: repairedClient(PonderLikeClient as unknown as typeof pg.Client) } as pg.PoolConfig);
    try {
      expect((await pool.query("select 41 + 1 as n")).rows[0].n).toBe(42);
    } finally {
      await pool.end();
    }
  });
});
