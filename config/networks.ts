// The networks this process serves, read from its environment and the deployment files on disk.
// config/network.ts holds the rules (pure, unit-tested); this is the one place they meet the file system.
import { existsSync } from "node:fs";
import { deploymentPath, readDeployment } from "./deployment.js";
import { resolveNetworks, type DeploymentSource, type Env, type NetworkConfig } from "./network.js";

const deploymentFiles: DeploymentSource = { path: deploymentPath, exists: existsSync, read: readDeployment };

/** Every network indexed, in PONDER_NETWORKS order (one when PONDER_NETWORK is used). */
export function servedNetworks(env: Env = process.env): NetworkConfig[] {
  return resolveNetworks(env, deploymentFiles);
}
