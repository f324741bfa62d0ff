// Write actions end to end against a real anvil and a real `ponder start`, on PGlite and
// PostgreSQL: each route from request to `indexed` (or the reason it was refused / failed),
// idempotency under 50 concurrent retries, distinct nonces under concurrency, decoded reverts, and a
// completion that waits for the check-ins the API accepted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther, type Hex } from "viem";
import { abis, bytecode } from "../../devchain/artifacts.js";
import { ACTOR_BASE, devAccount, roleAccount } from "../../config/accounts.js";
import { backends } from "../helpers/backends.js";
import { Harness, sleep, type ActionBody } from "./actions-harness.js";

const actor = (n: number) => devAccount(ACTOR_BASE + n);
const statusesOf = (a: ActionBody) => a.transitions.map((t) => t.status);

describe.each(backends)("write actions on $name", ({ database, enabled }) => {
  const h = new Harness(database);
  const admin = roleAccount("owner");
  const operator = roleAccount("operator");
  const validator = roleAccount("validator");
  const bot = roleAccount("bot");
  const organizer = actor(10);
  const merchant = actor(11);
  const stranger = actor(12);
  const holder = actor(13);
  let adminT: string, operatorT: string, validatorT: string, merchantT: string, strangerT: string, organizerT: string;
  let eventId: bigint;
  let tickets: bigint[] = [];

  beforeAll(async () => {
    if (!enabled) return;
    await h.start();
    const t = await Promise.all([admin, operator, validator, merchant, stranger, organizer].map((a) => h.token(a)));
    [adminT, operatorT, validatorT, merchantT, strangerT, organizerT] = t as [string, string, string, string, string, string];
  });
  afterAll(async () => {
    if (enabled) await h.stop();
  });
  const run = enabled ? it : it.skip;

  run("settles a merchant's QR order through pending → sent → mined → indexed, idempotently", async () => {
    const order = await h.tokenOrder(merchant, `settle-${Date.now()}`);
    await h.ponder.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const body = { orderHash: order, beneficiary: merchant.address };

    // Header rules first: required, at most 200 characters.
    expect((await h.post("/api/actions/qr-settlements", merchantT, body, null)).body).toMatchObject({ error: { code: "idempotency_key_required" } });
    const long = await h.post("/api/actions/qr-settlements", merchantT, body, "x".repeat(201));
    expect([long.status, (long.body as unknown as { error: { code: string } }).error.code]).toEqual([400, "idempotency_key_too_long"]);
    // Neither staff nor the merchant.
    expect((await h.post("/api/actions/qr-settlements", strangerT, body)).status).toBe(403);
    expect((await h.post("/api/actions/qr-settlements", merchantT, { ...body, orderHash: `0x${"12".repeat(32)}` })).status).toBe(403);
    expect((await h.post("/api/actions/qr-settlements", operatorT, { ...body, orderHash: `0x${"12".repeat(32)}` })).status).toBe(404);
    expect((await h.post("/api/actions/qr-settlements", merchantT, { ...body, beneficiary: "0x123" })).status).toBe(400);

    const key = h.key("settle");
    const created = await h.post("/api/actions/qr-settlements", merchantT, body, key);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ chainId: h.chain.anvil.chainId, kind: "qr-settlement", sender: { role: "bot", address: bot.address } });
    const again = await h.post("/api/actions/qr-settlements", merchantT, { beneficiary: merchant.address, orderHash: order.toUpperCase().replace("0X", "0x") }, key);
    expect([again.status, again.body.id]).toEqual([200, created.body.id]);
    const reused = await h.post("/api/actions/qr-settlements", merchantT, { ...body, beneficiary: operator.address }, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ error: { code: "idempotency_key_reused" } });

    const done = await h.waitFor(created.body.id, merchantT, ["indexed"]);
    expect(statusesOf(done)).toEqual(["pending", "sent", "mined", "indexed"]);
    expect(done.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const receipt = await h.chain.publicClient.getTransactionReceipt({ hash: done.txHash as Hex });
    expect(done.block).toEqual({ number: receipt.blockNumber.toString(), hash: receipt.blockHash });
    expect(receipt.from.toLowerCase()).toBe(bot.address.toLowerCase());
    expect(await h.chain.publicClient.readContract({ address: h.c.QRPayment.address, abi: abis.QRPayment, functionName: "unsettledAmount", args: [order] })).toBe(0n);
    const indexed = await h.request<{ settlements: { txHash: string }[]; unsettled: { amount: string } }>("GET", `/api/qr-orders/${order}`);
    expect(indexed.body.settlements.map((s) => s.txHash)).toEqual([done.txHash]);
    // The stranger may not read it; staff may.
    expect((await h.request("GET", `/api/actions/${done.id}`, { token: strangerT })).status).toBe(403);
    expect((await h.request("GET", `/api/actions/${done.id}`, { token: operatorT })).status).toBe(200);
    // Nothing left: a new key is refused by the index check.
    const nothing = await h.post("/api/actions/qr-settlements", operatorT, body);
    expect([nothing.status, (nothing.body as unknown as { error: { code: string } }).error.code]).toEqual([409, "nothing_to_settle"]);
  });

  run("emergency-cancels a PAID booking (operator key), refusing other roles and other states", async () => {
    const booking = await h.paidBooking(actor(15), actor(16), `emergency-${Date.now()}`);
    await h.ponder.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    expect((await h.post("/api/actions/booking-emergency-cancellations", validatorT, { bookingId: booking })).status).toBe(403);
    expect((await h.post("/api/actions/booking-emergency-cancellations", operatorT, { bookingId: `0x${"34".repeat(32)}` })).status).toBe(404);
    const created = await h.post("/api/actions/booking-emergency-cancellations", operatorT, { bookingId: booking, reason: "venue flooded" });
    expect(created.status).toBe(201);
    const done = await h.waitFor(created.body.id, operatorT, ["indexed"]);
    expect(done.sender).toEqual({ role: "operator", address: operator.address });
    const b = await h.request<{ status: string; emergency?: boolean }>("GET", `/api/bookings/${booking}`);
    expect(b.body.status).toBe("CANCELLED");
    const twice = await h.post("/api/actions/booking-emergency-cancellations", operatorT, { bookingId: booking });
    expect([twice.status, (twice.body as unknown as { error: { code: string } }).error.code]).toEqual([409, "booking_not_paid"]);
  });

  run("creates an event with a stake and its metadata", async () => {
    const body = {
      organizer: organizer.address,
      price: parseEther("0.01").toString(),
      capacity: "100",
      stakeBps: 2000,
      metadata: { name: "Launch night", venue: "Hall 1", startsAt: "2027-05-01T19:00:00Z", endsAt: "2027-05-01T23:00:00Z" },
    };
    expect((await h.post("/api/actions/events", organizerT, body)).status).toBe(403);
    expect((await h.post("/api/actions/events", adminT, { ...body, metadata: { ...body.metadata, endsAt: "2027-04-01T00:00:00Z" } })).status).toBe(400);
    const created = await h.post("/api/actions/events", adminT, body);
    expect(created.status).toBe(201);
    eventId = BigInt(created.body.subject.eventId!);
    const done = await h.waitFor(created.body.id, adminT, ["indexed"]);
    expect(done.sender.role).toBe("owner");
    const [org, cap, price, , , , status] = await h.eventInfo(eventId);
    expect([org.toLowerCase(), cap, price, status]).toEqual([organizer.address.toLowerCase(), 100n, parseEther("0.01"), 1]);
    const meta = await h.request<{ name: string; venue: string; startsAt: string }>("GET", `/api/events/${eventId}/metadata`);
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ name: "Launch night", venue: "Hall 1", startsAt: "2027-05-01T19:00:00.000Z" });
    // The stake is a child action sent after the creation.
    const deadline = Date.now() + 30_000;
    let stakeBps = 0n;
    while (Date.now() < deadline && stakeBps === 0n) {
      stakeBps = ((await h.chain.publicClient.readContract({ address: h.c.PaymentProcessor.address, abi: abis.PaymentProcessor, functionName: "eventSales", args: [eventId] })) as readonly bigint[])[0]!;
      await sleep(200);
    }
    expect(stakeBps).toBe(2000n);
    // Metadata: the organizer may change it, a stranger may not.
    const put = await h.request("PUT", `/api/events/${eventId}/metadata`, { token: organizerT, body: { name: "Launch night (sold out)" } });
    expect(put.status).toBe(200);
    expect((await h.request("PUT", `/api/events/${eventId}/metadata`, { token: strangerT, body: { name: "mine" } })).status).toBe(403);
    expect((await h.request<{ name: string }>("GET", `/api/events/${eventId}/metadata`)).body.name).toBe("Launch night (sold out)");
    // The same id again is refused before anything is sent.
    const dup = await h.post("/api/actions/events", adminT, { ...body, eventId: eventId.toString() });
    expect(dup.status).toBe(409);
  });

  run("checks a ticket in at a gate with the holder's signed payload, and refuses with reasons", async () => {
    tickets = await h.buyTickets(holder, eventId, 6);
    await h.ponder.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const t0 = tickets[0]!;
    expect((await h.post("/api/actions/check-ins", adminT, { payload: await h.payload(holder, t0, eventId), gateId: "north" })).status).toBe(403);
    const refuse = async (payload: unknown, code: string, status = 422) => {
      const r = await h.post("/api/actions/check-ins", validatorT, { payload, gateId: "north" });
      expect([r.status, (r.body as unknown as { error: { code: string } }).error.code]).toEqual([status, code]);
    };
    await refuse(await h.payload(holder, t0, eventId, BigInt(Math.floor(Date.now() / 1000) - 600)), "stale");
    await refuse(await h.payload(stranger, t0, eventId), "not_owner");
    await refuse(await h.payload(holder, t0, eventId + 1000n), "wrong_event");
    await refuse(await h.payload(holder, 999_999n, eventId), "unknown_ticket", 404);
    await refuse({ tokenId: "1" }, "invalid_request", 400);
    await refuse("{not json", "invalid_payload", 400);

    const payload = JSON.stringify(await h.payload(holder, t0, eventId));
    const created = await h.post("/api/actions/check-ins", validatorT, { payload, gateId: "north", eventId: eventId.toString() });
    expect(created.status).toBe(201);
    // A second scan of another fresh code for the same ticket, before it is even on chain.
    await refuse(await h.payload(holder, t0, eventId), "already_checked_in");
    const done = await h.waitFor(created.body.id, validatorT, ["indexed"]);
    expect(done.sender).toEqual({ role: "validator", address: validator.address });
    expect(await h.chain.publicClient.readContract({ address: h.c.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "checkedIn", args: [t0] })).toBe(true);
    const t = await h.ponder.graphql<{ ticket: { checkedIn: boolean; validator: string } }>(`{ ticket(chainId: ${h.chain.anvil.chainId}, tokenId: "${t0}") { checkedIn validator } }`);
    expect(t.ticket).toEqual({ checkedIn: true, validator: validator.address.toLowerCase() });
    await refuse(await h.payload(holder, t0, eventId), "already_checked_in");
  });

  run("syncs an offline batch: accepted, duplicate, stale, wrong event, already checked in", async () => {
    const [t0, t1, t2, t3, t4] = tickets as [bigint, bigint, bigint, bigint, bigint, bigint];
    const now = Math.floor(Date.now() / 1000);
    const scannedAt = now - 3600; // an hour ago, offline
    const items = [
      { payload: await h.payload(holder, t1, eventId, BigInt(scannedAt - 30)), scannedAt },
      { payload: await h.payload(holder, t1, eventId, BigInt(scannedAt - 20)), scannedAt: scannedAt + 5 },
      { payload: await h.payload(holder, t2, eventId, BigInt(scannedAt - 600)), scannedAt },
      { payload: await h.payload(holder, t3, eventId + 7n, BigInt(scannedAt)), scannedAt },
      { payload: await h.payload(holder, t0, eventId, BigInt(scannedAt)), scannedAt },
      { payload: "not json", scannedAt },
      { payload: await h.payload(holder, t4, eventId, BigInt(now - 90_000)), scannedAt: now - 90_000 },
    ];
    const key = h.key("batch");
    const r = await h.post<{ batchId: string; accepted: number; results: { index: number; status: string; reason?: string; actionId?: string; duplicateOf?: number }[] }>(
      "/api/actions/check-ins/batch",
      validatorT,
      { gateId: "offline-gate", items },
      key,
    );
    expect(r.status).toBe(201);
    expect(r.body.results.map((x) => [x.index, x.status, x.reason ?? x.duplicateOf ?? null])).toEqual([
      [0, "accepted", null],
      [1, "duplicate", 0],
      [2, "refused", "stale"],
      [3, "refused", "wrong_event"],
      [4, "refused", "already_checked_in"],
      [5, "refused", "invalid_payload"],
      [6, "refused", "invalid_scanned_at"],
    ]);
    const replay = await h.post<{ batchId: string }>("/api/actions/check-ins/batch", validatorT, { gateId: "offline-gate", items }, key);
    expect([replay.status, replay.body.batchId]).toEqual([200, r.body.batchId]);
    expect((await h.post("/api/actions/check-ins/batch", validatorT, { gateId: "other", items }, key)).status).toBe(422);
    await h.waitFor(r.body.results[0]!.actionId!, validatorT, ["indexed"]);
    expect(await h.chain.publicClient.readContract({ address: h.c.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "checkedIn", args: [t1] })).toBe(true);
    const tooMany = await h.post("/api/actions/check-ins/batch", validatorT, { gateId: "g", items: Array.from({ length: 501 }, () => items[0]) });
    expect(tooMany.status).toBe(400);
  });

  run("checks in a ticket held by a smart-contract wallet with its owner's signature (ERC-1271)", async () => {
    const t4 = tickets[4]!; // refused in the batch above (scanned too long ago): not checked in
    const owner = actor(14);
    const deployed = await h.chain.wallet(holder).deployContract({ abi: abis.TestSmartWallet, bytecode: bytecode("TestSmartWallet"), args: [owner.address] });
    const wallet = (await h.chain.mined(deployed)).contractAddress!;
    const moved = await h.send(holder, { address: h.c.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "transferFrom", args: [holder.address, wallet, t4] });
    await h.ponder.waitForBlock(moved.blockNumber);
    // The former holder's own signature no longer admits the ticket.
    const old = await h.post("/api/actions/check-ins", validatorT, { payload: await h.payload(holder, t4, eventId), gateId: "south" });
    expect([old.status, (old.body as unknown as { error: { code: string } }).error.code]).toEqual([422, "not_owner"]);
    const created = await h.post("/api/actions/check-ins", validatorT, { payload: await h.payload(owner, t4, eventId), gateId: "south" });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await h.waitFor(created.body.id, validatorT, ["indexed"]);
    expect(await h.chain.publicClient.readContract({ address: h.c.EventTicketNFT.address, abi: abis.EventTicketNFT, functionName: "checkedIn", args: [t4] })).toBe(true);
  });

  run("completion waits for accepted check-ins to be indexed, then completes", async () => {
    const t5 = tickets[5]!;
    await h.rpc("evm_setAutomine", [false]);
    try {
      const checkIn = await h.post("/api/actions/check-ins", validatorT, { payload: await h.payload(holder, t5, eventId), gateId: "late" });
      expect(checkIn.status).toBe(201);
      await h.waitFor(checkIn.body.id, validatorT, ["sent"]);
      // The organizer completes; the action waits for the check-in still in the mempool.
      const complete = await h.post(`/api/actions/events/${eventId}/complete`, organizerT, undefined);
      expect(complete.status).toBe(201);
      const waiting = await h.waitFor(complete.body.id, organizerT, ["pending"], 20_000, (a) => (a.note ?? "").includes("waiting for 1"));
      expect(waiting.txHash).toBeNull();
      // Check-ins are closed now, online and offline: new ones could postpone the completion for ever.
      const t3 = tickets[3]!; // refused (wrong event) in the batch: not checked in
      const late = await h.post("/api/actions/check-ins", validatorT, { payload: await h.payload(holder, t3, eventId), gateId: "late" });
      expect([late.status, (late.body as unknown as { error: { code: string } }).error.code]).toEqual([422, "event_closing"]);
      const now = Math.floor(Date.now() / 1000);
      const batch = await h.post<{ results: { status: string; reason?: string }[] }>("/api/actions/check-ins/batch", validatorT, {
        gateId: "late-offline",
        items: [{ payload: await h.payload(holder, t3, eventId, BigInt(now - 60)), scannedAt: now - 60 }],
      });
      expect(batch.body.results.map((r) => [r.status, r.reason])).toEqual([["refused", "event_closing"]]);
      await h.rpc("evm_mine");
      await h.rpc("evm_setAutomine", [true]);
      const ci = await h.waitFor(checkIn.body.id, validatorT, ["indexed"]);
      const done = await h.waitFor(complete.body.id, organizerT, ["indexed"]);
      expect(BigInt(done.block!.number)).toBeGreaterThan(BigInt(ci.block!.number));
    } finally {
      await h.rpc("evm_setAutomine", [true]);
    }
    const [, , , , checkedIn, , status] = await h.eventInfo(eventId);
    expect([checkedIn, status]).toEqual([4n, 3]); // t0, t1, the wallet's t4, t5
    const stakes = (await h.chain.publicClient.readContract({ address: h.c.PaymentProcessor.address, abi: abis.PaymentProcessor, functionName: "claimableStake", args: [t5] })) as bigint;
    expect(stakes).toBe(parseEther("0.002"));
    const again = await h.post(`/api/actions/events/${eventId}/cancel`, adminT, undefined);
    expect([again.status, (again.body as unknown as { error: { code: string } }).error.code]).toEqual([409, "event_not_active"]);
  });

  run("50 concurrent retries with one Idempotency-Key make one action and one transaction", async () => {
    const order = await h.nativeOrder(actor(17), `once-${Date.now()}`);
    await h.ponder.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const before = await h.nonceOf(bot.address);
    const key = h.key("fifty");
    const replies = await Promise.all(Array.from({ length: 50 }, () => h.post("/api/actions/qr-settlements", operatorT, { orderHash: order, beneficiary: merchant.address }, key)));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(49);
    const done = await h.waitFor(replies[0]!.body.id, operatorT, ["indexed"]);
    await sleep(1500); // a second transaction, if any, would have been sent by now
    expect(await h.nonceOf(bot.address)).toBe(before + 1);
    const tx = await h.chain.publicClient.getTransaction({ hash: done.txHash as Hex });
    expect(tx.nonce).toBe(before);
  });

  run("concurrent actions from one key all land, each with its own nonce", async () => {
    const orders: Hex[] = [];
    for (let i = 0; i < 6; i++) orders.push(await h.tokenOrder(actor(18 + (i % 2)), `many-${Date.now()}-${i}`));
    await h.ponder.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const before = await h.nonceOf(bot.address);
    const created = await Promise.all(orders.map((o) => h.post("/api/actions/qr-settlements", operatorT, { orderHash: o, beneficiary: merchant.address })));
    expect(created.map((r) => r.status)).toEqual(orders.map(() => 201));
    const done = await Promise.all(created.map((r) => h.waitFor(r.body.id, operatorT, ["indexed"])));
    const nonces = done.map((a) => a.nonce!).sort((a, b) => a - b);
    expect(nonces).toEqual(Array.from({ length: 6 }, (_, i) => before + i));
    expect(await h.nonceOf(bot.address)).toBe(before + 6);
  });

  run("a reverting action fails with the decoded custom error, on simulation and on chain", async () => {
    const owner = h.chain.role("owner");
    const order = await h.tokenOrder(actor(20), `revert-${Date.now()}`);
    await h.ponder.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    // Simulation: the contract is paused, nothing is sent.
    await h.send(owner, { address: h.c.QRPayment.address, abi: abis.QRPayment, functionName: "pause" });
    const before = await h.nonceOf(bot.address);
    try {
      const r = await h.post("/api/actions/qr-settlements", operatorT, { orderHash: order, beneficiary: merchant.address });
      const failed = await h.waitFor(r.body.id, operatorT, ["failed"]);
      expect(failed.error).toMatchObject({ code: "reverted", errorName: "EnforcedPause" });
      expect(failed.txHash).toBeNull();
      expect(await h.nonceOf(bot.address)).toBe(before);
    } finally {
      await h.send(owner, { address: h.c.QRPayment.address, abi: abis.QRPayment, functionName: "unpause" });
    }
    // On chain: two settlements of one order pass simulation while neither is mined; the second reverts.
    await h.rpc("evm_setAutomine", [false]);
    let ids: string[];
    try {
      const rs = await Promise.all([1, 2].map(() => h.post("/api/actions/qr-settlements", operatorT, { orderHash: order, beneficiary: merchant.address })));
      ids = rs.map((r) => r.body.id);
      await Promise.all(ids.map((id) => h.waitFor(id, operatorT, ["sent"])));
      await h.rpc("evm_mine");
    } finally {
      await h.rpc("evm_setAutomine", [true]);
    }
    const results = await Promise.all(ids.map((id) => h.waitFor(id, operatorT, ["indexed", "failed"])));
    const failed = results.find((a) => a.status === "failed")!;
    expect(results.map((a) => a.status).sort()).toEqual(["failed", "indexed"]);
    expect(failed.error).toMatchObject({ errorName: "NothingToSettle", args: [order] });
    expect(failed.block).not.toBeNull();
  });

  run("operators list actions by status, kind, sender and time with a cursor, and retry a failed one once as a new action", async () => {
    const owner = h.chain.role("owner");
    const order = await h.tokenOrder(actor(21), `retry-${Date.now()}`);
    await h.ponder.waitForBlock(await h.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const since = new Date(Date.now() - 1000).toISOString();
    await h.send(owner, { address: h.c.QRPayment.address, abi: abis.QRPayment, functionName: "pause" });
    let failedId: string;
    try {
      const r = await h.post("/api/actions/qr-settlements", operatorT, { orderHash: order, beneficiary: merchant.address });
      failedId = (await h.waitFor(r.body.id, operatorT, ["failed"])).id;
    } finally {
      await h.send(owner, { address: h.c.QRPayment.address, abi: abis.QRPayment, functionName: "unpause" });
    }
    type Page = { items: ActionBody[]; nextCursor: string | null; error?: { code: string } };
    const list = (query: string, token: string | undefined = operatorT) => h.request<Page>("GET", `/api/actions${query}`, { token });

    const failed = await list(`?status=failed&kind=qr-settlement&sender=${bot.address.toLowerCase()}&since=${encodeURIComponent(since)}`);
    expect(failed.status).toBe(200);
    expect(failed.body.items.map((a) => a.id)).toEqual([failedId]);
    expect((await list(`?status=failed&until=${encodeURIComponent(since)}`)).body.items.map((a) => a.id)).not.toContain(failedId);
    for (const bad of ["?status=lost", "?kind=mint", "?sender=0x12", "?since=yesterday", "?limit=0", "?cursor=bm9wZQ", `?chainId=${h.chain.anvil.chainId + 1}`]) {
      const r = await list(bad);
      expect(r.status, bad).toBe(400);
    }
    expect((await fetch(`${h.url}/api/actions`)).status).toBe(401);
    expect((await list("", strangerT)).status).toBe(403);

    // The retry: the same call, now that the contract is unpaused, goes all the way.
    const retry = (id: string, token = operatorT) => h.request<ActionBody & { retryOf: string | null }>("POST", `/api/actions/${id}/retry`, { token });
    expect((await retry(failedId, strangerT)).status).toBe(403);
    const first = await retry(failedId);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ retryOf: failedId, kind: "qr-settlement", status: "pending" });
    expect(first.body.id).not.toBe(failedId);
    const twice = await Promise.all([retry(failedId), retry(failedId)]);
    expect(twice.map((r) => [r.status, r.body.id])).toEqual([[200, first.body.id], [200, first.body.id]]);
    const done = await h.waitFor(first.body.id, operatorT, ["indexed"]);
    expect(done.txHash).not.toBeNull();
    const notFailed = await retry(first.body.id);
    expect([notFailed.status, (notFailed.body as unknown as { error: { code: string } }).error.code]).toEqual([409, "action_not_failed"]);
    expect((await retry("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await retry("nope")).status).toBe(400);

    // Newest first, a page at a time, every action exactly once.
    const all = await list("?limit=100");
    const seen: string[] = [];
    for (let cursor: string | null = "", pages = 0; cursor !== null && pages < 200; pages++) {
      const page = await list(`?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((a) => a.id));
      cursor = page.body.nextCursor;
    }
    expect(seen.slice(0, all.body.items.length)).toEqual(all.body.items.map((a) => a.id));
    expect(new Set(seen).size).toBe(seen.length);
    if (all.body.nextCursor === null) expect(seen.length).toBe(all.body.items.length);
    expect(seen.length).toBeGreaterThanOrEqual(2); // the failed one and its retry at least
    const times = all.body.items.map((a) => Date.parse((a as unknown as { createdAt: string }).createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The pipeline on /metrics, counted in the store.
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    const failedCount = metrics.match(/^api_actions\{chain="[^"]+",kind="qr-settlement",status="failed"\} (\d+)$/m);
    expect(Number(failedCount?.[1])).toBeGreaterThanOrEqual(1);
    const indexedCount = metrics.match(/^api_actions\{chain="[^"]+",kind="qr-settlement",status="indexed"\} (\d+)$/m);
    expect(Number(indexedCount?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^api_actions_oldest_due_seconds\{chain="[^"]+"\} [0-9.e+-]+$/m);
  });
});

