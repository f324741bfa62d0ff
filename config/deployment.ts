// deployments/<network>.json: where the contracts live and from which block to index them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { isAddress, type Address } from "viem";

export const deploymentsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../deployments");

/** The largest chain id the index holds (2^31 - 1). */
const MAX_CHAIN_ID = 2 ** 31 - 1;

const address = z.string().refine(isAddress, "not an address").transform((a) => a as Address);
const located = z.object({ address, startBlock: z.number().int().nonnegative() });

export const deploymentSchema = z.object({
  network: z.string(),
  // The index keeps chainId in a 32-bit integer: Ponder's GraphQL serves number columns as Int.
  chainId: z.number().int().positive().max(MAX_CHAIN_ID, `chain ids above ${MAX_CHAIN_ID} are not supported (the index keeps chainId as a 32-bit integer, as Ponder's GraphQL Int is)`),
  rpcUrl: z.string().optional(),
  contracts: z.object({
    BookingEscrow: located,
    EventTicketNFT: located,
    PaymentProcessor: located,
    QRPayment: located,
    OracleHub: located,
  }),
  tokens: z.object({ USDC: address, USDT: address }),
  roles: z.object({
    owner: address,
    signer: address,
    operator: address,
    platformWallet: address,
    validators: z.array(address),
    bots: z.array(address),
  }),
});

export type Deployment = z.infer<typeof deploymentSchema>;

export const NETWORK_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function deploymentPath(network: string): string {
  if (!NETWORK_NAME.test(network)) {
    throw new Error(`invalid network name "${network}": use lower-case letters, digits and dashes`);
  }
  return path.join(deploymentsDir, `${network}.json`);
}

export function readDeployment(network: string, file = deploymentPath(network)): Deployment {
  if (!existsSync(file)) {
    throw new Error(`no deployment for network "${network}" at ${file}: run npm run chain (local) or npm run deploy`);
  }
  const parsed = deploymentSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not a valid deployment: ${parsed.error.message}`);
  return parsed.data;
}

export function writeDeployment(deployment: Deployment, file = deploymentPath(deployment.network)): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return file;
}
