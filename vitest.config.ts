import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Two cores: each file starts its own anvil (and later Ponder), so run two at a time at most.
    maxWorkers: 2,
  },
});
