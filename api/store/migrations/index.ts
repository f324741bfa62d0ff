// Applied in this order at start (api/store/db.ts). Never edit an applied migration: add one.
import { authMigration } from "./0001_auth.js";
import { signingMigration } from "./0002_signing.js";
import { actionsMigration } from "./0003_actions.js";
import { metadataMigration } from "./0004_event_metadata.js";
import { storeChainMigration } from "./0005_store_chain.js";
import { tokenRevocationMigration } from "./0006_token_revocation.js";
import { actionChainMigration } from "./0007_action_chain.js";
import { chainKeysMigration } from "./0008_chain_keys.js";
import { actionRetryMigration } from "./0009_action_retry.js";
import type { Migration } from "./types.js";

export type { Migration };
export const migrations: Migration[] = [authMigration, signingMigration, actionsMigration, metadataMigration, storeChainMigration, tokenRevocationMigration, actionChainMigration, chainKeysMigration, actionRetryMigration];
