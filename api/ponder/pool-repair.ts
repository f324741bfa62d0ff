// A repair to Ponder 0.16.10's PostgreSQL pools, without which a database outage stalls the
// indexer and hangs the API for good. Ponder's pools use a pg.Client subclass whose
// `connect(callback)` runs its session SETs once pg's own connect has finished *whether or not it
// failed*: a connection attempt that fails (refused, reset, cut during the handshake) leaves a SET
// queued on a client that will never be ready, so the pool's callback never fires and its slot is
// never returned. After a few such attempts during an outage every slot is held by a dead client:
// the indexer waits forever for a connection (the index stops at the block of the outage) and every
// read hangs, though the database is back.
//
// The repair: the pools build their clients from a subclass in which a query on a client whose
// connection attempt failed fails at once (with the connection's error), so Ponder's SET reports
// the failure to the pool, which drops the client and retries. Installed on the pools' `Client`
// (what pg-pool instantiates for each new connection) from the API's entry module, which Ponder
// loads in every process that indexes or serves (`ponder start`, `ponder serve`, `ponder dev`).
import type pg from "pg";

type PoolWithClient = pg.Pool & { Client: new (...args: never[]) => pg.Client };
type Internals = { _ended?: boolean; _connectionError?: boolean; _connected?: boolean };

const REPAIRED = Symbol.for("booking-backend.pool-repair");

/** A query's callback, wherever pg's overloads put it: `query(config | text, [values], [callback])` or on the config. */
function callbackOf(args: unknown[]): ((err: Error) => void) | undefined {
  const last = args.at(-1);
  if (typeof last === "function") return last as (err: Error) => void;
  const config = args[0] as { callback?: unknown } | undefined;
  return typeof config?.callback === "function" ? (config.callback as (err: Error) => void) : undefined;
}

export function repairedClient<C extends new (...args: never[]) => pg.Client>(Base: C): C {
  if ((Base as unknown as Record<symbol, boolean>)[REPAIRED]) return Base;
  // @ts-expect-error: a mixin over pg.Client's constructor
  class Repaired extends Base {
    static [REPAIRED] = true;
    // biome-ignore lint/suspicious/noExplicitAny: pg's query overloads
    query(...args: any[]): any {
      const self = this as unknown as Internals;
      if (!self._connected && (self._ended || self._connectionError)) {
        const error = new Error("Connection terminated unexpectedly (the connection attempt failed)");
        const callback = callbackOf(args);
        if (callback) {
          process.nextTick(() => callback(error));
          return undefined;
        }
        return Promise.reject(error);
      }
      // @ts-expect-error: the base's query, whatever its overload
      return super.query(...args);
    }
  }
  return Repaired as unknown as C;
}

/** Repairs Ponder's pools in this process (PostgreSQL only; a no-op on PGlite and when already done). */
export function repairPonderPools(): number {
  const driver = (globalThis as { PONDER_DATABASE?: { driver?: Record<string, unknown> & { dialect?: string } } }).PONDER_DATABASE?.driver;
  if (driver?.dialect !== "postgres") return 0;
  let repaired = 0;
  for (const name of ["admin", "user", "readonly", "sync"]) {
    const pool = driver[name] as PoolWithClient | undefined;
    if (!pool || typeof pool.Client !== "function") continue;
    pool.Client = repairedClient(pool.Client);
    repaired++;
  }
  return repaired;
}
