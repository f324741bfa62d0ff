// Fiat quotes (GET /api/quotes, GET /api/events/{id}/quote) served by a real `ponder start` on
// PGlite and PostgreSQL over a real chain: every figure is checked against the contracts
// themselves at the block the answer names (OracleHub.quote, OracleHub.rateOf), and the event
// quote's total is paid to purchaseTickets, which takes exactly the value it requires.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseUnits, zeroAddress } from "viem";
import { abis } from "../../devchain/artifacts.js";
import { backends } from "../helpers/backends.js";
import { startTestChain, uniqueChainId, type TestChain } from "../helpers/chain.js";
import { indexChain, type Indexed } from "../helpers/indexed.js";

const EVENT_ID = 4242n;
const PRICE = parseUnits("0.01", 18);
const STAKE_BPS = 1500n;

let chain: TestChain;
let indexed: Indexed;
let head: bigint;

beforeAll(async () => {
  chain = await startTestChain({ chainId: uniqueChainId() });
  const { contracts, tokens } = chain.deployment;
  const owner = chain.role("owner");
  const send = async (req: Parameters<ReturnType<TestChain["wallet"]>["writeContract"]>[0]) => chain.mined(await chain.wallet(owner).writeContract(req));
  await send({ address: contracts.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "createEvent", args: [EVENT_ID, 10n, PRICE, owner.address] } as never);
  await send({ address: contracts.PaymentProcessor.address, abi: abis.PaymentProcessor, functionName: "setEventStake", args: [EVENT_ID, STAKE_BPS] } as never);
  // A rate that is not the deployment's default, so the quote cannot be right by accident.
  await send({ address: contracts.OracleHub.address, abi: abis.OracleHub, functionName: "setRate", args: [tokens.USDC, 16_321n * 10n ** 18n + 7n] } as never);
  head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  indexed = await indexChain(chain, "quotes");
}, 300_000);

afterAll(async () => {
  await indexed?.stop();
  await chain?.stop();
});

describe.each(backends)("quotes on $name", ({ name, enabled }) => {
  const run = enabled ? it : it.skip;
  const get = async <T = Record<string, unknown>>(route: string) => {
    const res = await fetch(`${indexed.ponders.get(name)!.url}${route}`);
    return { status: res.status, body: (await res.json()) as T & { error?: { code: string; message: string } } };
  };
  type Quote = { chainId: number; block: string; fiatAmount: string; token: string; native: boolean; tokenAmount: string; rate: { rate: string; decimals: number; block: string; ageSeconds: number } };

  run("a fiat amount in the native coin and in a token equals OracleHub.quote at the block the answer reports", async () => {
    const oracle = chain.deployment.contracts.OracleHub.address;
    for (const [token, amount] of [["native", "150000"], [chain.deployment.tokens.USDC, "1500.25"], [chain.deployment.tokens.USDC.toLowerCase(), "0.000000000000000001"]] as const) {
      const r = await get<Quote>(`/api/quotes?fiat=IDR&amount=${amount}&token=${token}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const address = token === "native" ? zeroAddress : chain.deployment.tokens.USDC;
      expect(r.body).toMatchObject({ chainId: chain.anvil.chainId, token: address, native: token === "native", fiatAmount: parseUnits(amount, 18).toString() });
      const blockNumber = BigInt(r.body.block);
      expect(blockNumber).toBeGreaterThanOrEqual(head);
      const quoted = await chain.publicClient.readContract({ address: oracle, abi: abis.OracleHub, functionName: "quote", args: [address, parseUnits(amount, 18)], blockNumber });
      expect(r.body.tokenAmount).toBe(quoted.toString());
      const [rate, decimals] = await chain.publicClient.readContract({ address: oracle, abi: abis.OracleHub, functionName: "rateOf", args: [address], blockNumber });
      expect([r.body.rate.rate, r.body.rate.decimals]).toEqual([rate.toString(), decimals]);
      expect(BigInt(r.body.rate.block)).toBeLessThanOrEqual(blockNumber);
      expect(r.body.rate.ageSeconds).toBeGreaterThanOrEqual(0);
    }
  });

  run("refuses a bad amount, fiat, token or chain, and a token without a rate, with a 400 that says why", async () => {
    const cases: [string, RegExp][] = [
      ["fiat=IDR&amount=-5&token=native", /negative/],
      ["fiat=IDR&amount=1e5&token=native", /exponent/],
      ["fiat=IDR&amount=abc&token=native", /decimal number/],
      ["fiat=IDR&amount=0&token=native", /more than 0/],
      ["fiat=IDR&token=native", /amount/],
      ["fiat=USD&amount=5&token=native", /fiat must be IDR/],
      ["fiat=IDR&amount=5&token=0x12", /token address or "native"/],
      [`fiat=IDR&amount=5&token=0x${"ab".repeat(20)}`, /no rate/],
      ["fiat=IDR&amount=5&token=native&chainId=1", /not served/],
    ];
    for (const [query, why] of cases) {
      const r = await get(`/api/quotes?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error?.message, query).toMatch(why);
    }
  });

  run("an event's quote is price plus stake per ticket, which purchaseTickets takes exactly, and its IDR value at the native rate", async () => {
    const r = await get<{ total: string; price: string; stakePerTicket: string; block: string; idr: { fiatAmount: string; rate: { rate: string } } | null }>(`/api/events/${EVENT_ID}/quote?quantity=3`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const stake = (PRICE * STAKE_BPS) / 10_000n;
    expect(r.body).toMatchObject({ price: PRICE.toString(), stakePerTicket: stake.toString(), total: ((PRICE + stake) * 3n).toString() });
    const [rate] = await chain.publicClient.readContract({ address: chain.deployment.contracts.OracleHub.address, abi: abis.OracleHub, functionName: "rateOf", args: [zeroAddress], blockNumber: BigInt(r.body.block) });
    expect(r.body.idr).toEqual({ fiatAmount: ((BigInt(r.body.total) * rate) / 10n ** 18n).toString(), rate: expect.objectContaining({ rate: rate.toString() }) });
    // The contract reverts on any other value (IncorrectPayment): this one buys the tickets.
    const buyer = chain.actor(name === "pglite" ? 1 : 2);
    const { result } = await chain.publicClient.simulateContract({
      account: buyer,
      address: chain.deployment.contracts.PaymentProcessor.address,
      abi: abis.PaymentProcessor,
      functionName: "purchaseTickets",
      args: [EVENT_ID, 3n, ["a", "b", "c"]],
      value: BigInt(r.body.total),
    });
    expect(result).toMatch(/^0x[0-9a-f]{64}$/);
    for (const [query, status] of [["quantity=0", 400], ["quantity=abc", 400], ["", 400], ["quantity=2&chainId=1", 400]] as const) {
      expect((await get(`/api/events/${EVENT_ID}/quote?${query}`)).status, query).toBe(status);
    }
    expect((await get(`/api/events/999999/quote?quantity=1`)).status).toBe(404);
  });
});
