import { describe, expect, it } from "vitest";
import {
  addressEnvVar,
  isLocalChain,
  LOCAL_CHAIN_IDS,
  networkEnvStem,
  parseRpcUrls,
  prefixedEnvVars,
  resolveDatabase,
  resolveNetwork,
  resolveNetworks,
  startBlockEnvVar,
  type DeploymentSource,
} from "../../config/network.js";
import { deploymentSchema, type Deployment } from "../../config/deployment.js";

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

describe("resolveNetworks: several chains in one index", () => {
  const base = {
    PONDER_BASE_RPC_URL: "https://base.example",
    PONDER_BASE_EVENT_TICKET_NFT_ADDRESS: A(1),
    PONDER_BASE_EVENT_TICKET_NFT_START_BLOCK: "100",
    PONDER_BASE_PAYMENT_PROCESSOR_ADDRESS: A(2),
  };

  it("names each network's variables by its stem: upper-case, dashes as underscores", () => {
    expect(networkEnvStem("base-sepolia")).toBe("BASE_SEPOLIA");
    expect(networkEnvStem("local-2")).toBe("LOCAL_2");
    const v = prefixedEnvVars("local-2");
    expect([v.rpcUrl, v.wsUrl, v.pollingInterval, v.deploymentFile]).toEqual([
      "PONDER_LOCAL_2_RPC_URL",
      "PONDER_LOCAL_2_WS_URL",
      "PONDER_LOCAL_2_POLLING_INTERVAL_MS",
      "PONDER_LOCAL_2_DEPLOYMENT_FILE",
    ]);
    expect([v.address("QRPayment"), v.startBlock("OracleHub")]).toEqual(["PONDER_LOCAL_2_QR_PAYMENT_ADDRESS", "PONDER_LOCAL_2_ORACLE_HUB_START_BLOCK"]);
  });

  it("a built-in and a file network, each from its own prefixed variables, in list order", () => {
    const src = files({ "/tmp/holesky.json": deployment({ network: "holesky", chainId: 17000, rpcUrl: "http://file:1" }) });
    const [b, h, ...rest] = resolveNetworks(
      {
        PONDER_NETWORKS: " base , , holesky ,",
        ...base,
        PONDER_BASE_WS_URL: "wss://base.example",
        PONDER_HOLESKY_DEPLOYMENT_FILE: "/tmp/holesky.json",
        PONDER_HOLESKY_RPC_URL: "http://a:1,http://b:2",
        PONDER_HOLESKY_POLLING_INTERVAL_MS: "250",
      },
      src,
    );
    expect(rest).toEqual([]);
    expect(b).toMatchObject({ name: "base", chainId: 8453, rpcUrls: ["https://base.example"], wsUrl: "wss://base.example", source: "built-in" });
    expect(b?.contracts).toEqual({ EventTicketNFT: { address: A(1), startBlock: 100 }, PaymentProcessor: { address: A(2), startBlock: 0 } });
    expect(h).toMatchObject({ name: "holesky", chainId: 17000, rpcUrls: ["http://a:1", "http://b:2"], pollingInterval: 250, disableCache: false });
    expect(h?.wsUrl).toBeUndefined();
    expect(h?.source).toEqual({ deploymentFile: "/tmp/holesky.json" });
    expect(Object.keys(h?.contracts ?? {})).toHaveLength(5);
    expect(src.reads).toEqual(["/tmp/holesky.json"]);
  });

  it("a file network defaults to deployments/<name>.json and its rpcUrl", () => {
    const src = files({ "/deployments/local.json": deployment() });
    const [n] = resolveNetworks({ PONDER_NETWORKS: "local" }, src);
    expect(n).toMatchObject({ name: "local", rpcUrls: ["http://127.0.0.1:8545"], source: { deploymentFile: "/deployments/local.json" } });
  });

  it("a missing prefixed RPC URL names PONDER_<STEM>_RPC_URL, the network and its chain", () => {
    expect(() => resolveNetworks({ PONDER_NETWORKS: "base-sepolia" }, files({}))).toThrow(
      'PONDER_BASE_SEPOLIA_RPC_URL is required for network "base-sepolia" (chain 84532)',
    );
    const src = files({ "/deployments/local-2.json": deployment({ network: "local-2", chainId: 31338, rpcUrl: undefined }) });
    expect(() => resolveNetworks({ PONDER_NETWORKS: "local-2" }, src)).toThrow('PONDER_LOCAL_2_RPC_URL is required for network "local-2" (chain 31338)');
  });

  it("other per-network errors name the prefixed variable and the network", () => {
    expect(() => resolveNetworks({ PONDER_NETWORKS: "base", PONDER_BASE_RPC_URL: "https://x" }, files({}))).toThrow(
      'PONDER_BASE_EVENT_TICKET_NFT_ADDRESS is required for network "base"',
    );
    expect(() => resolveNetworks({ PONDER_NETWORKS: "base", ...base, PONDER_BASE_WS_URL: "http://x" }, files({}))).toThrow(
      /PONDER_BASE_WS_URL: "http:\/\/x" must be a ws\(s\) URL \(network "base" \(chain 8453\)\)/,
    );
    expect(() => resolveNetworks({ PONDER_NETWORKS: "base", ...base, PONDER_BASE_RPC_URL: "wss://x" }, files({}))).toThrow(
      /PONDER_BASE_RPC_URL.*network "base".*use PONDER_BASE_WS_URL/,
    );
    expect(() => resolveNetworks({ PONDER_NETWORKS: "local-2" }, files({}))).toThrow(/unknown network "local-2" in PONDER_NETWORKS.*PONDER_LOCAL_2_DEPLOYMENT_FILE/);
  });

  it("refuses the unprefixed per-network variables with a list, naming the prefixed ones to set instead", () => {
    const src = files({ "/deployments/local.json": deployment() });
    const list = { PONDER_NETWORKS: "local,base", ...base };
    expect(() => resolveNetworks({ ...list, PONDER_RPC_URL: "https://x" }, src)).toThrow(
      /PONDER_RPC_URL is set.*PONDER_LOCAL_RPC_URL for network "local", or PONDER_BASE_RPC_URL for network "base" \(chain 8453\) instead/,
    );
    for (const unprefixed of ["PONDER_WS_URL", "PONDER_POLLING_INTERVAL_MS"]) {
      expect(() => resolveNetworks({ ...list, [unprefixed]: "1000" }, src)).toThrow(`${unprefixed} is set`);
    }
    // Each names only the networks that read it: a deployment file is for file networks, addresses for built-ins.
    expect(() => resolveNetworks({ ...list, DEPLOYMENT_FILE: "/x.json" }, src)).toThrow(/set PONDER_LOCAL_DEPLOYMENT_FILE for network "local" instead/);
    expect(() => resolveNetworks({ ...list, PONDER_ORACLE_HUB_ADDRESS: A(9) }, src)).toThrow(/set PONDER_BASE_ORACLE_HUB_ADDRESS for network "base" \(chain 8453\) instead/);
    expect(() => resolveNetworks({ PONDER_NETWORKS: "local", PONDER_QR_PAYMENT_START_BLOCK: "1" }, src)).toThrow(
      /PONDER_QR_PAYMENT_START_BLOCK is set, but no network in PONDER_NETWORKS \(local\) reads it/,
    );
  });

  it("refuses a prefixed variable its network would ignore", () => {
    const src = files({ "/deployments/local.json": deployment() });
    expect(() => resolveNetworks({ PONDER_NETWORKS: "base", ...base, PONDER_BASE_DEPLOYMENT_FILE: "/x.json" }, src)).toThrow(
      /PONDER_BASE_DEPLOYMENT_FILE is set, but network "base" \(chain 8453\) does not read it/,
    );
    expect(() => resolveNetworks({ PONDER_NETWORKS: "local", PONDER_LOCAL_BOOKING_ESCROW_ADDRESS: A(1) }, src)).toThrow(
      /PONDER_LOCAL_BOOKING_ESCROW_ADDRESS is set, but network "local" \(chain 31337\) does not read it.*\/deployments\/local\.json/,
    );
  });

  it("refuses a network listed twice, a bad name and an empty list", () => {
    expect(() => resolveNetworks({ PONDER_NETWORKS: "base,sepolia,base" }, files({}))).toThrow(/PONDER_NETWORKS lists network "base" twice/);
    expect(() => resolveNetworks({ PONDER_NETWORKS: "base,Base_Sepolia" }, files({}))).toThrow(/PONDER_NETWORKS: "Base_Sepolia" is not a valid network name/);
    expect(() => resolveNetworks({ PONDER_NETWORKS: " , ," }, files({}))).toThrow(/PONDER_NETWORKS lists no network/);
  });

  it("refuses two networks on one chain id, naming both", () => {
    const src = files({
      "/deployments/local.json": deployment(),
      "/deployments/local-sim.json": deployment({ network: "local-sim" }),
    });
    expect(() => resolveNetworks({ PONDER_NETWORKS: "local,local-sim" }, src)).toThrow(
      'networks "local" (from /deployments/local.json) and "local-sim" (from /deployments/local-sim.json) in PONDER_NETWORKS are both chain 31337',
    );
  });

  it("refuses PONDER_NETWORK and PONDER_NETWORKS together", () => {
    const src = files({ "/deployments/local.json": deployment() });
    expect(() => resolveNetworks({ PONDER_NETWORK: "local", PONDER_NETWORKS: "local" }, src)).toThrow(
      /PONDER_NETWORK \("local"\) and PONDER_NETWORKS \("local"\) are both set: use one or the other/,
    );
  });

  it("unset or blank PONDER_NETWORKS is the single-network configuration, unprefixed variables and all", () => {
    const src = files({ "/tmp/x.json": deployment() });
    const env = { DEPLOYMENT_FILE: "/tmp/x.json", PONDER_RPC_URL: "http://a:1", PONDER_POLLING_INTERVAL_MS: "300" };
    for (const blank of [{}, { PONDER_NETWORKS: "" }, { PONDER_NETWORKS: "  " }]) {
      expect(resolveNetworks({ ...env, ...blank }, src)).toEqual([resolveNetwork(env, src)]);
    }
    const single = resolveNetworks(
      { PONDER_NETWORK: "base", PONDER_NETWORKS: " ", PONDER_RPC_URL: "https://x", PONDER_EVENT_TICKET_NFT_ADDRESS: A(1), PONDER_PAYMENT_PROCESSOR_ADDRESS: A(2) },
      src,
    );
    expect(single.map((n) => n.name)).toEqual(["base"]);
  });

  it("both dev chains, local (31337) and local-2 (31338), run without Ponder's RPC cache", () => {
    expect(LOCAL_CHAIN_IDS).toEqual([31337, 31338]);
    expect([31337, 31338, 1, 17000].map(isLocalChain)).toEqual([true, true, false, false]);
    const src = files({
      "/deployments/local.json": deployment(),
      "/deployments/local-2.json": deployment({ network: "local-2", chainId: 31338, rpcUrl: "http://127.0.0.1:8546" }),
    });
    const networks = resolveNetworks({ PONDER_NETWORKS: "local,local-2" }, src);
    expect(networks.map((n) => [n.name, n.chainId, n.rpcUrls, n.disableCache])).toEqual([
      ["local", 31337, ["http://127.0.0.1:8545"], true],
      ["local-2", 31338, ["http://127.0.0.1:8546"], true],
    ]);
    expect(resolveNetwork({ PONDER_NETWORK: "local-2" }, src).disableCache).toBe(true);
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

describe("chain ids the index can hold", () => {
  it("a deployment file on a chain id past 2^31 - 1 is refused with the reason", () => {
    const file = { ...deployment(), chainId: 11297108109 };
    const parsed = deploymentSchema.safeParse(file);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/chain ids above 2147483647 are not supported/);
    expect(deploymentSchema.safeParse({ ...file, chainId: 2147483647 }).success).toBe(true);
  });
});
