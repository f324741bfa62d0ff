// The PostgreSQL schema every offchain table lives in (api/store/tables/*). Its name is read once
// from the environment when the process loads, like Ponder's own schema.
import { pgSchema } from "drizzle-orm/pg-core";
import { offchainSchemaName } from "./env.js";

export const offchain = pgSchema(offchainSchemaName());
