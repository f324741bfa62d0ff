// The process's auth settings: api/auth/config.ts applied to process.env and the network Ponder
// indexes (same resolution as ponder.config.ts). Read once; src/api/index.ts calls it while
// loading, so a bad value is a start-up error rather than a failure on the first request.
import { type NetworkConfig } from "../../config/network.js";
import { primaryNetwork } from "../../config/networks.js";
import { parseAuthConfig, type AuthConfig } from "./config.js";

export type AuthRuntime = { config: AuthConfig; network: NetworkConfig };

let loaded: AuthRuntime | undefined;

export function authRuntime(): AuthRuntime {
  if (!loaded) {
    const network = primaryNetwork(process.env);
    const config = parseAuthConfig(process.env, { name: network.name, chainId: network.chainId });
    for (const w of config.warnings) console.warn(`auth: ${w}`);
    loaded = { config, network };
  }
  return loaded;
}

export function authConfig(): AuthConfig {
  return authRuntime().config;
}
