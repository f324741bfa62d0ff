// The process's auth settings: api/auth/config.ts applied to process.env and the network Ponder
// indexes (same resolution as ponder.config.ts). Read once; src/api/index.ts calls it while
// loading, so a bad value is a start-up error rather than a failure on the first request.
import { type NetworkConfig } from "../../config/network.js";
import { servedNetworks } from "../../config/networks.js";
import { parseAuthConfig, type AuthConfig } from "./config.js";

/** `network`: the primary network (its settings decide local or not); `chainIds`: every chain served, any of which a sign-in may name. */
export type AuthRuntime = { config: AuthConfig; network: NetworkConfig; chainIds: number[] };

let loaded: AuthRuntime | undefined;

export function authRuntime(): AuthRuntime {
  if (!loaded) {
    const networks = servedNetworks(process.env);
    const network = networks[0]!;
    const config = parseAuthConfig(process.env, { name: network.name, chainId: network.chainId });
    for (const w of config.warnings) console.warn(`auth: ${w}`);
    loaded = { config, network, chainIds: networks.map((n) => n.chainId) };
  }
  return loaded;
}

export function authConfig(): AuthConfig {
  return authRuntime().config;
}
