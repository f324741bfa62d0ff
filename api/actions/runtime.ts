// The process's action machinery, one worker per served chain: its context (network, client, keys)
// read once, its executor loop started once per process (kept on globalThis: `ponder dev` reloads
// the API modules), and `kickWorker(chainId)` so a new action is picked up at once instead of at
// the next interval. Every chain's actions live in the one store; each worker claims its own.
import { randomUUID } from "node:crypto";
import { chainContextsFromEnv, type ChainContext } from "../chain/context.js";
import type { KeyRole } from "../chain/keys.js";
import { ApiError } from "../http/errors.js";
import type { ReadDeps } from "../rest/db.js";
import { getStore, type Store } from "../store/db.js";
import { bindStoreToChain, chainIdentity } from "./chain-guard.js";
import { createExecutor, type Executor } from "./executor.js";

const KEY = Symbol.for("onchain-booking-backend.actions-runtime");
type Worker = { chain: ChainContext; primary: boolean; bound?: Promise<Store>; executor?: Executor; timer?: NodeJS.Timeout; kick: () => void };
type Holder = { [KEY]?: Map<number, Worker> };

export const WORKER_INTERVAL_MS = 500;

/** The workers by chain id, in PONDER_NETWORKS order; the first call validates every chain's keys (a malformed key throws, naming its variable). */
function workers(): Map<number, Worker> {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    holder[KEY] = new Map(chainContextsFromEnv().map((chain, i) => [chain.network.chainId, { chain, primary: i === 0, kick: () => {} }]));
  }
  return holder[KEY];
}

function worker(chainId: number): Worker {
  const w = workers().get(chainId);
  if (!w) throw new Error(`no action worker for chain ${chainId}`);
  return w;
}

/** Every served chain's context. */
export function actionChains(): ChainContext[] {
  return [...workers().values()].map((w) => w.chain);
}

/** The context of a served chain. */
export function actionsChain(chainId: number): ChainContext {
  return worker(chainId).chain;
}

/**
 * The store, once it is known to hold this chain's actions and no other chain's of the same id
 * (api/actions/chain-guard.ts). A mismatch is remembered (503 store_chain_mismatch on every write
 * to that chain); an RPC or database failure is retried on the next call.
 */
export function actionStore(chainId: number): Promise<Store> {
  const w = worker(chainId);
  if (!w.bound) {
    const bound = getStore().then(async (store) => {
      await bindStoreToChain(store, await chainIdentity(w.chain.client), w.primary);
      return store;
    });
    w.bound = bound;
    bound.catch((err: unknown) => {
      if (!(err instanceof ApiError) && w.bound === bound) w.bound = undefined;
    });
  }
  return w.bound;
}

/** Starts one executor loop per chain (once per process). ACTIONS_WORKER=off leaves them to other replicas. */
export function startActionWorker(reads: ReadDeps): void {
  if (process.env.ACTIONS_WORKER === "off") return;
  for (const w of workers().values()) if (!w.timer) startLoop(w, reads);
}

function startLoop(w: Worker, reads: ReadDeps): void {
  const chainId = w.chain.network.chainId;
  const name = `${w.chain.network.name} (${chainId})`;
  const owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  let executor: Promise<Executor> | undefined;
  // executor.tick() runs one pass at a time and repeats when kicked meanwhile. While its store or
  // chain is down, passes back off (up to 5 s) and the failure is logged once, not per pass.
  let failures = 0;
  let retryAt = 0;
  const tick = async () => {
    if (Date.now() < retryAt) return;
    try {
      executor ??= actionStore(chainId).then((store) => createExecutor({ store, chain: w.chain, reads, owner }));
      const ex = await executor;
      w.executor = ex;
      await ex.tick();
      if (failures > 0) console.warn(`actions: the worker of ${name} is running again after ${failures} failed pass${failures === 1 ? "" : "es"}`);
      failures = 0;
      retryAt = 0;
    } catch (err) {
      if (err instanceof ApiError && err.code === "store_chain_mismatch") {
        // Nothing this worker could send is safe: stop its loop and say why, once. The other chains' go on.
        console.error(`actions: the worker of ${name} is stopped: ${err.message}`);
        clearInterval(w.timer);
        w.kick = () => {};
        return;
      }
      if (!w.executor) executor = undefined;
      failures++;
      retryAt = Date.now() + Math.min(5_000, WORKER_INTERVAL_MS * 2 ** Math.min(failures - 1, 4));
      if (failures === 1) console.warn(`actions: worker pass on ${name} failed: ${err instanceof Error ? err.message : String(err)} (retrying with backoff; logged again when it recovers)`);
    }
  };
  w.timer = setInterval(() => void tick(), WORKER_INTERVAL_MS);
  w.timer.unref();
  w.kick = () => void setImmediate(() => void tick());
  void tick();
}

export function kickWorker(chainId: number): void {
  worker(chainId).kick();
}

/** The account of a sending role on `chain`, or 503 key_not_configured naming the variables to set. */
export function senderOf(chain: ChainContext, role: KeyRole) {
  const account = chain.keys[role];
  if (!account) {
    const vars = chain.keyVars[role];
    throw new ApiError(503, "key_not_configured", `this action is signed by the ${role} key, and ${vars.join(" or ")} is not configured on this server for chain ${chain.network.chainId} (${chain.network.name})`, {
      role,
      chainId: chain.network.chainId,
      variable: vars[0],
      variables: vars,
    });
  }
  return account;
}
