import { describe, expect, it } from "vitest";
import {
  addressEnvVar,
  parseRpcUrls,
  resolveDatabase,
  resolveNetwork,
  startBlockEnvVar,
  type DeploymentSource,
} from "../../config/network.js";
import type { Deployment } from "../../config/deployment.js";

const A = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as `0x${string}`;

function deployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    network: "local",
    chainId: 31337,
    rpcUrl: "http://127.0.0.1:8545",
    contracts: {
      BookingEscrow: { address: A(1), startBlock: 3 },
      EventTicketNFT: { address: A(2), startBlock: 4 },
      PaymentProcessor: { address: A(3), startBlock: 5 },
      QRPayment: { address: A(4), startBlock: 7 },
      OracleHub: { address: A(5), startBlock: 6 },
    },
    tokens: { USDC: A(10), USDT: A(11) },
    roles: { owner: A(20), signer: A(21), operator: A(22), platformWallet: A(23), validators: [A(24)], bots: [A(25)] },
    ...overrides,
  };
}

/** In-memory deployment files. */
function files(entries: Record<string, Deployment>): DeploymentSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    path: (network) => `/deployments/${network}.json`,
    exists: (file) => file in entries,
    read: (_network, file) => {
      reads.push(file);
      const d = entries[file];
      if (!d) throw new Error(`missing ${file}`);
      return d;
    },
  };
}

describe("resolveNetwork: local and deployment files", () => {
  it("defaults to local, reading deployments/local.json, with the deployment's RPC and no RPC cache", () => {
    const src = files({ "/deployments/local.json": deployment() });
    const n = resolveNetwork({}, src);
    expect(n.name).toBe("local");
    expect(n.chainId).toBe(31337);
    expect(n.rpcUrls).toEqual(["http://127.0.0.1:8545"]);
    expect(n.disableCache).toBe(true);
    expect(n.wsUrl).toBeUndefined();
    expect(n.contracts.QRPayment).toEqual({ address: A(4), startBlock: 7 });
    expect(Object.keys(n.contracts)).toHaveLength(5);
    expect(n.source).toEqual({ deploymentFile: "/deployments/local.json" });
  });

  it("reads DEPLOYMENT_FILE instead when set", () => {
    const src = files({ "/tmp/x.json": deployment({ rpcUrl: "http://127.0.0.1:9999" }) });
    const n = resolveNetwork({ DEPLOYMENT_FILE: "/tmp/x.json" }, src);
    expect(src.reads).toEqual(["/tmp/x.json"]);
    expect(n.rpcUrls).toEqual(["http://127.0.0.1:9999"]);
  });

  it("PONDER_RPC_URL overrides the deployment's RPC; a comma-separated list becomes a fallback list", () => {
    const src = files({ "/deployments/local.json": deployment() });
    const n = resolveNetwork({ PONDER_RPC_URL: " http://a:1 , https://b/rpc ,", PONDER_WS_URL: "ws://a:2" }, src);
    expect(n.rpcUrls).toEqual(["http://a:1", "https://b/rpc"]);
    expect(n.wsUrl).toBe("ws://a:2");
  });

  it("throws naming PONDER_RPC_URL when neither the env nor the file has an RPC URL", () => {
    const src = files({ "/deployments/local.json": deployment({ rpcUrl: undefined }) });
    expect(() => resolveNetwork({}, src)).toThrow(/PONDER_RPC_URL/);
  });

  it("accepts any network with a deployment file (e.g. local-sim), keeping its chain id", () => {
    const src = files({ "/deployments/local-sim.json": deployment({ network: "local-sim" }) });
    expect(resolveNetwork({ PONDER_NETWORK: "local-sim" }, src).name).toBe("local-sim");
    const real = files({ "/deployments/holesky.json": deployment({ network: "holesky", chainId: 17000 }) });
    const n = resolveNetwork({ PONDER_NETWORK: "holesky" }, real);
    expect(n.chainId).toBe(17000);
    expect(n.disableCache).toBe(false);
  });

  it("throws a clear error for an unknown network, and for a missing local deployment", () => {
    expect(() => resolveNetwork({ PONDER_NETWORK: "mainnet" }, files({}))).toThrow(/unknown network "mainnet" in PONDER_NETWORK/);
    expect(() => resolveNetwork({}, files({}))).toThrow(/no deployment file for network "local".*DEPLOYMENT_FILE/);
    expect(() => resolveNetwork({ DEPLOYMENT_FILE: "/nope.json" }, files({}))).toThrow(/\/nope\.json/);
    expect(() => resolveNetwork({ PONDER_NETWORK: "Base Sepolia" }, files({}))).toThrow(/PONDER_NETWORK/);
  });

  it("rejects malformed URLs", () => {
    const src = files({ "/deployments/local.json": deployment() });
    expect(() => resolveNetwork({ PONDER_RPC_URL: "ws://a" }, src)).toThrow(/PONDER_WS_URL/);
    expect(() => resolveNetwork({ PONDER_RPC_URL: "not a url" }, src)).toThrow(/PONDER_RPC_URL/);
    expect(() => resolveNetwork({ PONDER_WS_URL: "http://a" }, src)).toThrow(/PONDER_WS_URL/);
    expect(() => parseRpcUrls(" , ")).toThrow(/empty/);
  });

  it("parses the polling interval", () => {
    const src = files({ "/deployments/local.json": deployment() });
    expect(resolveNetwork({ PONDER_POLLING_INTERVAL_MS: "200" }, src).pollingInterval).toBe(200);
    expect(() => resolveNetwork({ PONDER_POLLING_INTERVAL_MS: "50" }, src)).toThrow(/PONDER_POLLING_INTERVAL_MS/);
  });
});

describe("resolveNetwork: built-in networks", () => {
  const rpc = { PONDER_RPC_URL: "https://rpc.example" };

  it("requires PONDER_RPC_URL, naming it", () => {
    for (const name of ["base-sepolia", "base", "sepolia"]) {
      expect(() => resolveNetwork({ PONDER_NETWORK: name }, files({}))).toThrow(/PONDER_RPC_URL is required for network/);
    }
  });

  it("base-sepolia: the known BookingEscrow from block 30740428, nothing else", () => {
    const n = resolveNetwork({ PONDER_NETWORK: "base-sepolia", ...rpc }, files({}));
    expect(n.chainId).toBe(84532);
    expect(n.disableCache).toBe(false);
    expect(n.contracts).toEqual({
      BookingEscrow: { address: "0x33ddEd6F8183aa4dAB04E2aE216a5a3f9871405a", startBlock: 30740428 },
    });
    expect(n.source).toBe("built-in");
  });

  it("base: EventTicketNFT and PaymentProcessor addresses are required from the environment", () => {
    expect(() => resolveNetwork({ PONDER_NETWORK: "base", ...rpc }, files({}))).toThrow(addressEnvVar("EventTicketNFT"));
    expect(() =>
      resolveNetwork({ PONDER_NETWORK: "base", ...rpc, [addressEnvVar("EventTicketNFT")]: A(1) }, files({})),
    ).toThrow("PONDER_PAYMENT_PROCESSOR_ADDRESS");
    const n = resolveNetwork(
      {
        PONDER_NETWORK: "base",
        ...rpc,
        PONDER_EVENT_TICKET_NFT_ADDRESS: A(1),
        PONDER_EVENT_TICKET_NFT_START_BLOCK: "100",
        PONDER_PAYMENT_PROCESSOR_ADDRESS: A(2),
      },
      files({}),
    );
    expect(n.chainId).toBe(8453);
    expect(n.contracts).toEqual({ EventTicketNFT: { address: A(1), startBlock: 100 }, PaymentProcessor: { address: A(2), startBlock: 0 } });
  });

  it("sepolia: the known QRPayment plus an OracleHub from the environment", () => {
    expect(() => resolveNetwork({ PONDER_NETWORK: "sepolia", ...rpc }, files({}))).toThrow("PONDER_ORACLE_HUB_ADDRESS");
    const n = resolveNetwork({ PONDER_NETWORK: "sepolia", ...rpc, PONDER_ORACLE_HUB_ADDRESS: A(9) }, files({}));
    expect(n.chainId).toBe(11155111);
    expect(n.contracts.QRPayment?.address).toBe("0x30B25eEd981bcc3E25eF0fEAF0D67D6ECD7FeDec");
    expect(n.contracts.OracleHub).toEqual({ address: A(9), startBlock: 0 });
    expect(n.contracts.BookingEscrow).toBeUndefined();
  });

  it("environment overrides a known address; a different address drops the known start block", () => {
    const n = resolveNetwork({ PONDER_NETWORK: "base-sepolia", ...rpc, PONDER_BOOKING_ESCROW_ADDRESS: A(7) }, files({}));
    expect(n.contracts.BookingEscrow).toEqual({ address: A(7), startBlock: 0 });
    const m = resolveNetwork(
      { PONDER_NETWORK: "base-sepolia", ...rpc, PONDER_BOOKING_ESCROW_START_BLOCK: "31000000" },
      files({}),
    );
    expect(m.contracts.BookingEscrow?.startBlock).toBe(31000000);
  });

  it("an address in the environment adds a contract the network does not list", () => {
    const n = resolveNetwork({ PONDER_NETWORK: "base-sepolia", ...rpc, PONDER_ORACLE_HUB_ADDRESS: A(3) }, files({}));
    expect(Object.keys(n.contracts).sort()).toEqual(["BookingEscrow", "OracleHub"]);
  });

  it("rejects bad addresses and start blocks, and a start block for an absent contract", () => {
    expect(() => resolveNetwork({ PONDER_NETWORK: "sepolia", ...rpc, PONDER_ORACLE_HUB_ADDRESS: "0x123" }, files({}))).toThrow(
      /PONDER_ORACLE_HUB_ADDRESS must be/,
    );
    expect(() =>
      resolveNetwork({ PONDER_NETWORK: "sepolia", ...rpc, PONDER_ORACLE_HUB_ADDRESS: A(1), PONDER_ORACLE_HUB_START_BLOCK: "-1" }, files({})),
    ).toThrow(startBlockEnvVar("OracleHub"));
    expect(() => resolveNetwork({ PONDER_NETWORK: "base-sepolia", ...rpc, PONDER_QR_PAYMENT_START_BLOCK: "5" }, files({}))).toThrow(
      /PONDER_QR_PAYMENT_ADDRESS/,
    );
  });
});

describe("resolveDatabase", () => {
  it("uses PostgreSQL when DATABASE_URL is set", () => {
    expect(resolveDatabase({ DATABASE_URL: "postgresql://u@h:5432/db" })).toEqual({ kind: "postgres", connectionString: "postgresql://u@h:5432/db" });
    expect(() => resolveDatabase({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });

  it("otherwise PGlite in PGLITE_DIR (default .ponder/pglite), never in memory", () => {
    expect(resolveDatabase({})).toEqual({ kind: "pglite", directory: ".ponder/pglite" });
    expect(resolveDatabase({ PGLITE_DIR: "/tmp/p" })).toEqual({ kind: "pglite", directory: "/tmp/p" });
    expect(resolveDatabase({ DATABASE_URL: "  ", PGLITE_DIR: "/tmp/p" }).kind).toBe("pglite");
    expect(() => resolveDatabase({ PGLITE_DIR: "memory://" })).toThrow(/PGLITE_DIR/);
  });
});
