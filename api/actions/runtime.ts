// The process's action machinery: chain context (network, client, keys) read once, the executor
// loop started once per process (kept on globalThis: `ponder dev` reloads the API modules), and
// `kick()` so a new action is picked up at once instead of at the next interval.
import { randomUUID } from "node:crypto";
import { chainContextFromEnv, type ChainContext } from "../chain/context.js";
import { KEY_ENV, type KeyRole } from "../chain/keys.js";
import { ApiError } from "../http/errors.js";
import type { ReadDeps } from "../rest/db.js";
import { getStore, type Store } from "../store/db.js";
import { bindStoreToChain, chainIdentity } from "./chain-guard.js";
import { createExecutor, type Executor } from "./executor.js";

const KEY = Symbol.for("onchain-booking-backend.actions-runtime");
type Runtime = { chain: ChainContext; bound?: Promise<Store>; executor?: Executor; timer?: NodeJS.Timeout; kick: () => void };
type Holder = { [KEY]?: Runtime };

export const WORKER_INTERVAL_MS = 500;

/** The chain context; the first call validates the sending keys (a malformed key throws, naming its variable). */
export function actionsChain(): ChainContext {
  return runtime().chain;
}

function runtime(): Runtime {
  const holder = globalThis as Holder;
  if (!holder[KEY]) holder[KEY] = { chain: chainContextFromEnv(), kick: () => {} };
  return holder[KEY];
}

/**
 * The store, once it is known to belong to the chain the RPC serves (api/actions/chain-guard.ts).
 * A mismatch is remembered (503 store_chain_mismatch on every write); an RPC or database failure is
 * retried on the next call.
 */
export function actionStore(): Promise<Store> {
  const rt = runtime();
  if (!rt.bound) {
    const bound = getStore().then(async (store) => {
      await bindStoreToChain(store, await chainIdentity(rt.chain.client));
      return store;
    });
    rt.bound = bound;
    bound.catch((err: unknown) => {
      if (!(err instanceof ApiError) && rt.bound === bound) rt.bound = undefined;
    });
  }
  return rt.bound;
}

/** Starts the executor loop (once per process). ACTIONS_WORKER=off leaves it to other replicas. */
export function startActionWorker(reads: ReadDeps): void {
  const rt = runtime();
  if (rt.timer || process.env.ACTIONS_WORKER === "off") return;
  const owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  let executor: Promise<Executor> | undefined;
  // executor.tick() runs one pass at a time and repeats when kicked meanwhile. While its store or
  // chain is down, passes back off (up to 5 s) and the failure is logged once, not per pass.
  let failures = 0;
  let retryAt = 0;
  const tick = async () => {
    if (Date.now() < retryAt) return;
    try {
      executor ??= actionStore().then((store) => createExecutor({ store, chain: rt.chain, reads, owner }));
      const ex = await executor;
      rt.executor = ex;
      await ex.tick();
      if (failures > 0) console.warn(`actions: the worker is running again after ${failures} failed pass${failures === 1 ? "" : "es"}`);
      failures = 0;
      retryAt = 0;
    } catch (err) {
      if (err instanceof ApiError && err.code === "store_chain_mismatch") {
        // Nothing this process could send is safe: stop the loop and say why, once.
        console.error(`actions: the worker is stopped: ${err.message}`);
        clearInterval(rt.timer);
        rt.kick = () => {};
        return;
      }
      if (!rt.executor) executor = undefined;
      failures++;
      retryAt = Date.now() + Math.min(5_000, WORKER_INTERVAL_MS * 2 ** Math.min(failures - 1, 4));
      if (failures === 1) console.warn(`actions: worker pass failed: ${err instanceof Error ? err.message : String(err)} (retrying with backoff; logged again when it recovers)`);
    }
  };
  rt.timer = setInterval(() => void tick(), WORKER_INTERVAL_MS);
  rt.timer.unref();
  rt.kick = () => void setImmediate(() => void tick());
  void tick();
}

export function kickWorker(): void {
  runtime().kick();
}

/** The account of a sending role, or 503 key_not_configured. */
export function senderOf(role: KeyRole) {
  const account = actionsChain().keys[role];
  if (!account) throw new ApiError(503, "key_not_configured", `this action is signed by the ${role} key, and ${KEY_ENV[role]} is not configured on this server`, { role, variable: KEY_ENV[role] });
  return account;
}
