// Starts the anvil binary shipped in @foundry-rs/anvil-linux-amd64 directly (not the Node
// wrapper), so the returned handle's PID is the chain itself and stopping it stops everything.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const require = createRequire(import.meta.url);

export type AnvilOptions = {
  port?: number;
  chainId?: number;
  /** Interval mining in seconds; omitted means automine (a block per transaction). */
  blockTime?: number;
  accounts?: number;
};

export type Anvil = {
  rpcUrl: string;
  port: number;
  chainId: number;
  process: ChildProcess;
  stop(): Promise<void>;
};

export function anvilBinary(): string {
  const platformPackage = `@foundry-rs/anvil-${process.platform === "darwin" ? "darwin" : process.platform}-${
    process.arch === "x64" ? "amd64" : process.arch
  }`;
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${platformPackage}/package.json`));
  } catch {
    throw new Error(`anvil binary package ${platformPackage} is not installed: run npm install`);
  }
  const bin = path.join(dir, "bin", "anvil");
  if (!existsSync(bin)) throw new Error(`anvil binary missing at ${bin}`);
  return bin;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForRpc(rpcUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`anvil exited with code ${child.exitCode}`);
    try {
      const res = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`anvil did not answer at ${rpcUrl} within ${timeoutMs} ms`);
}

export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const port = options.port ?? (await freePort());
  const chainId = options.chainId ?? 31337;
  const args = [
    "--host", "127.0.0.1",
    "--port", String(port),
    "--chain-id", String(chainId),
    "--accounts", String(options.accounts ?? 20),
    // FIFO keeps a block's transactions in the order they were sent, which makes the simulator
    // deterministic; zero fees keep balances free of gas noise in expectations.
    "--order", "fifo",
    "--base-fee", "0",
    "--gas-price", "0",
    "--gas-limit", "1000000000",
    "--silent",
  ];
  if (options.blockTime !== undefined) args.push("--block-time", String(options.blockTime));
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForRpc(rpcUrl, child, 15_000);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}${stderr ? `: ${stderr.trim()}` : ""}`);
  }
  return {
    rpcUrl,
    port,
    chainId,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
}
