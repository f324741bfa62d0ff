// GET /api/transactions/{txHash} on a real `ponder start` (PGlite and PostgreSQL) over a real chain:
// an event's creation, a purchase of two tickets and a rate update, each looked up by its hash.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseUnits, type Hex } from "viem";
import { abis } from "../../devchain/artifacts.js";
import { backends } from "../helpers/backends.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { indexChain, type Indexed } from "../helpers/indexed.js";

const EVENT_ID = 77n;
const PRICE = parseUnits("0.02", 18);

let chain: TestChain;
let indexed: Indexed;
const tx: Record<"created" | "purchased" | "rated", Hex> = {} as never;

beforeAll(async () => {
  chain = await startTestChain({ chainId: uniqueChainId() });
  const { contracts, tokens } = chain.deployment;
  const owner = chain.role("owner");
  const sent = async (account: ReturnType<TestChain["role"]>, req: object) => (await chain.mined(await chain.wallet(account).writeContract(req as never))).transactionHash;
  tx.created = await sent(owner, { address: contracts.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "createEvent", args: [EVENT_ID, 10n, PRICE, owner.address] });
  tx.purchased = await sent(chain.actor(3), { address: contracts.PaymentProcessor.address, abi: abis.PaymentProcessor, functionName: "purchaseTickets", args: [EVENT_ID, 2n, ["a", "b"]], value: PRICE * 2n });
  tx.rated = await sent(owner, { address: contracts.OracleHub.address, abi: abis.OracleHub, functionName: "setRate", args: [tokens.USDT, 16_100n * 10n ** 18n] });
  indexed = await indexChain(chain, "transactions");
}, 300_000);

afterAll(async () => {
  await indexed?.stop();
  await chain?.stop();
});

describe.each(backends)("transactions on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  type Body = { txHash: string; chainIds: number[]; rows: Record<string, Record<string, unknown>[]>; error?: { code: string } };
  const get = async (route: string) => {
    const res = await fetch(`${indexed.ponders.get(name)!.url}${route}`);
    return { status: res.status, body: (await res.json()) as Body };
  };
  /** Every row returned names the hash in one of its transaction-hash columns. */
  const carries = (rows: Body["rows"], hash: string) =>
    Object.values(rows).every((list) => list.every((row) => Object.entries(row).some(([k, v]) => /txHash$/i.test(k) && v === hash)));

  run("a transaction's rows come back from every table it wrote, each carrying its hash, on its chain", async () => {
    const created = await get(`/api/transactions/${tx.created}`);
    expect(created.status).toBe(200);
    expect(created.body.chainIds).toEqual([chain.anvil.chainId]);
    expect(created.body.rows.ticketed_event?.map((r) => r.id)).toEqual([EVENT_ID.toString()]);
    expect(created.body.rows.ticketed_event_history?.map((r) => r.action)).toEqual(["CREATED"]);
    expect(carries(created.body.rows, tx.created)).toBe(true);

    const purchased = await get(`/api/transactions/${tx.purchased.toUpperCase().replace("0X", "0x")}?chainId=${chain.anvil.chainId}`);
    expect(purchased.status).toBe(200);
    expect(purchased.body.txHash).toBe(tx.purchased);
    expect(purchased.body.rows.ticket?.map((r) => r.eventId)).toEqual([EVENT_ID.toString(), EVENT_ID.toString()]);
    expect(purchased.body.rows.payment).toHaveLength(1);
    expect(carries(purchased.body.rows, tx.purchased)).toBe(true);
    // The event was created by another transaction: its row is not among this one's.
    expect(purchased.body.rows.ticketed_event).toBeUndefined();

    const rated = await get(`/api/transactions/${tx.rated}`);
    expect(rated.body.rows.oracle_rate_history?.map((r) => r.rate)).toEqual([(16_100n * 10n ** 18n).toString()]);
    expect(carries(rated.body.rows, tx.rated)).toBe(true);
  });

  run("an unknown hash is a 404, a malformed hash or a chain not served a 400", async () => {
    expect((await get(`/api/transactions/0x${"ab".repeat(32)}`)).status).toBe(404);
    expect((await get(`/api/transactions/${tx.created}?chainId=${chain.anvil.chainId + 1}`)).status).toBe(400);
    for (const bad of ["0x12", "nope", `0x${"zz".repeat(32)}`]) expect((await get(`/api/transactions/${bad}`)).status, bad).toBe(400);
  });
});
