// Pure rules of write actions: idempotency keys, request fingerprints, nonces, finality, broadcast
// error classes, sending keys from the environment, revert decoding with the contracts' ABIs.
import { describe, expect, it } from "vitest";
import { encodeErrorResult, BaseError, getAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { EventTicketNFTAbi, QRPaymentAbi } from "../../abis/index.js";
import { roleAccount } from "../../config/accounts.js";
import { finalityBlocks } from "../../api/chain/context.js";
import { isLocalNetwork, KEY_ENV, keyVariables, parsePrivateKey, resolveSenderKeys } from "../../api/chain/keys.js";
import { decodeRevertData, describeRevert } from "../../api/chain/revert.js";
import {
  canonicalJson,
  isAlreadyKnown,
  isFinal,
  isNonceTooLow,
  nextNonce,
  parseIdempotencyKey,
  replayOutcome,
  requestHash,
  retryDelayMs,
  withTransition,
} from "../../api/actions/rules.js";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

describe("Idempotency-Key", () => {
  it("is required", () => {
    expect(parseIdempotencyKey(undefined)).toMatchObject({ ok: false, code: "idempotency_key_required" });
    expect(parseIdempotencyKey("   ")).toMatchObject({ ok: false, code: "idempotency_key_required" });
  });
  it("is at most 200 characters", () => {
    expect(parseIdempotencyKey("a".repeat(200))).toEqual({ ok: true, value: "a".repeat(200) });
    expect(parseIdempotencyKey("a".repeat(201))).toMatchObject({ ok: false, code: "idempotency_key_too_long" });
  });
  it("is printable ASCII without spaces", () => {
    expect(parseIdempotencyKey("has space")).toMatchObject({ ok: false, code: "invalid_idempotency_key" });
    expect(parseIdempotencyKey("é")).toMatchObject({ ok: false, code: "invalid_idempotency_key" });
    expect(parseIdempotencyKey(" 3f1c-7a52 ")).toEqual({ ok: true, value: "3f1c-7a52" });
  });
});

describe("request fingerprints", () => {
  it("ignore key order and undefined fields, not values", () => {
    expect(canonicalJson({ b: 1, a: { d: [2n, "x"], c: undefined } })).toBe('{"a":{"d":["2","x"]},"b":1}');
    expect(requestHash("qr-settlement", { a: 1, b: 2 })).toBe(requestHash("qr-settlement", { b: 2, a: 1 }));
    expect(requestHash("qr-settlement", { a: 1 })).not.toBe(requestHash("qr-settlement", { a: 2 }));
    expect(requestHash("qr-settlement", { a: 1 })).not.toBe(requestHash("event-cancel", { a: 1 }));
  });
  it("decide replay versus reuse", () => {
    const h = requestHash("k", { x: 1 });
    expect(replayOutcome(h, requestHash("k", { x: 1 }))).toBe("replay");
    expect(replayOutcome(h, requestHash("k", { x: 2 }))).toBe("key_reused");
  });
});

describe("nonces", () => {
  it("never go below the chain's pending count nor repeat one the store used", () => {
    expect(nextNonce(5, null)).toBe(5);
    expect(nextNonce(5, 2)).toBe(5);
    expect(nextNonce(5, 5)).toBe(6);
    expect(nextNonce(0, 9)).toBe(10);
  });
});

describe("status bookkeeping", () => {
  it("appends transitions in order", () => {
    const t1 = withTransition([], "pending", new Date("2026-01-01T00:00:00Z"));
    const t2 = withTransition(t1, "sent", new Date("2026-01-01T00:00:01Z"), "nonce 3");
    expect(t2).toEqual([
      { status: "pending", at: "2026-01-01T00:00:00.000Z" },
      { status: "sent", at: "2026-01-01T00:00:01.000Z", note: "nonce 3" },
    ]);
    expect(withTransition(null, "failed", new Date(0))).toHaveLength(1);
  });
  it("finality follows Ponder's depths", () => {
    expect(finalityBlocks(31337)).toBe(30);
    expect(finalityBlocks(1)).toBe(65);
    expect(finalityBlocks(11155111)).toBe(65);
    expect(isFinal(100, 129, 30)).toBe(false);
    expect(isFinal(100, 130, 30)).toBe(true);
  });
  it("backs off up to 30 s", () => {
    expect(retryDelayMs(0)).toBe(500);
    expect(retryDelayMs(1)).toBe(1000);
    expect(retryDelayMs(50)).toBe(30_000);
  });
  it("classifies broadcast errors", () => {
    expect(isAlreadyKnown("already known")).toBe(true);
    expect(isAlreadyKnown("transaction already imported")).toBe(true);
    expect(isNonceTooLow("nonce too low: next nonce 5, tx nonce 4")).toBe(true);
    expect(isNonceTooLow("insufficient funds")).toBe(false);
    expect(isAlreadyKnown("insufficient funds")).toBe(false);
  });
});

describe("sending keys", () => {
  const local = { name: "local", chainId: 31337 };
  const remote = { name: "base", chainId: 8453 };
  it("default to the dev accounts on the local network only", () => {
    const keys = resolveSenderKeys({}, local);
    expect(keys.owner?.address).toBe(roleAccount("owner").address);
    expect(keys.bot?.address).toBe(roleAccount("bot").address);
    expect(keys.validator?.address).toBe(roleAccount("validator").address);
    expect(keys.operator?.address).toBe(roleAccount("operator").address);
    expect(isLocalNetwork({ name: "local", chainId: 900_000_001 })).toBe(true);
    expect(isLocalNetwork(remote)).toBe(false);
    const none = resolveSenderKeys({}, remote);
    expect(Object.values(none).every((k) => k === undefined)).toBe(true);
  });
  it("read each role's variable, with or without 0x", () => {
    const keys = resolveSenderKeys({ BOT_PRIVATE_KEY: KEY.slice(2) }, remote);
    expect(keys.bot?.address).toBe(getAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"));
    expect(keys.owner).toBeUndefined();
    expect(resolveSenderKeys({ OWNER_PRIVATE_KEY: KEY }, local).owner?.address).toBe(keys.bot?.address);
  });
  it("with PONDER_NETWORKS, read a chain's own variable first, then the shared one", () => {
    const other = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
    const env = { PONDER_BASE_SEPOLIA_BOT_PRIVATE_KEY: other, BOT_PRIVATE_KEY: KEY, OWNER_PRIVATE_KEY: KEY };
    const baseSepolia = { name: "base-sepolia", chainId: 84532 };
    const own = resolveSenderKeys(env, baseSepolia, true);
    expect(own.bot?.address).toBe(privateKeyToAccount(other).address);
    expect(own.owner?.address).toBe(privateKeyToAccount(KEY).address);
    expect(resolveSenderKeys(env, remote, true).bot?.address).toBe(privateKeyToAccount(KEY).address);
    // Unlisted (PONDER_NETWORK): only the shared variables are read.
    expect(resolveSenderKeys(env, baseSepolia).bot?.address).toBe(privateKeyToAccount(KEY).address);
    expect(keyVariables("bot", "base-sepolia", true)).toEqual(["PONDER_BASE_SEPOLIA_BOT_PRIVATE_KEY", "BOT_PRIVATE_KEY"]);
    expect(() => resolveSenderKeys({ PONDER_BASE_SEPOLIA_OWNER_PRIVATE_KEY: "0x12" }, baseSepolia, true)).toThrow(/PONDER_BASE_SEPOLIA_OWNER_PRIVATE_KEY must be/);
  });
  it("refuse a malformed key naming the variable, never echoing it", () => {
    for (const role of ["owner", "operator", "bot", "validator"] as const) {
      const env = { [KEY_ENV[role]]: "0x1234" };
      expect(() => resolveSenderKeys(env, remote)).toThrow(KEY_ENV[role]);
    }
    expect(() => parsePrivateKey(`${KEY}ff`, "BOT_PRIVATE_KEY")).toThrow(/BOT_PRIVATE_KEY must be a 32-byte hex private key/);
    try {
      parsePrivateKey(`zz${KEY.slice(4)}`, "X");
    } catch (err) {
      expect((err as Error).message).not.toContain(KEY.slice(4));
    }
    expect(() => parsePrivateKey(`0x${"0".repeat(64)}`, "OWNER_PRIVATE_KEY")).toThrow(/OWNER_PRIVATE_KEY/);
  });
});

describe("revert decoding", () => {
  it("names the custom error and its arguments from any contract's ABI", () => {
    const data = encodeErrorResult({ abi: QRPaymentAbi, errorName: "NothingToSettle", args: [`0x${"ab".repeat(32)}`] });
    expect(decodeRevertData(data)).toEqual({ errorName: "NothingToSettle", args: [`0x${"ab".repeat(32)}`] });
    const nft = encodeErrorResult({ abi: EventTicketNFTAbi, errorName: "EventAlreadyExists", args: [7n] });
    expect(decodeRevertData(nft)).toEqual({ errorName: "EventAlreadyExists", args: ["7"] });
    expect(decodeRevertData("0x12345678")).toBeUndefined();
    expect(decodeRevertData("0x")).toBeUndefined();
  });
  it("finds the data inside a viem error chain", () => {
    const data = encodeErrorResult({ abi: EventTicketNFTAbi, errorName: "AlreadyCheckedIn", args: [3n] });
    const inner = Object.assign(new BaseError("execution reverted"), { data });
    const outer = new BaseError("call failed", { cause: inner });
    expect(describeRevert(outer)).toMatchObject({ code: "reverted", errorName: "AlreadyCheckedIn", args: ["3"], data });
    expect(describeRevert(new Error("boom"))).toEqual({ code: "reverted", message: "boom" });
  });
});
