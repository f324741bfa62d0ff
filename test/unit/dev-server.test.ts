// Where `npm run dev` may listen (config/dev-server.ts): loopback always; elsewhere only with a secret of one's own.
import { describe, expect, it } from "vitest";
import { DEV_AUTH_SECRET, devListenProblem, isLoopbackHost } from "../../config/dev-server.js";

describe("dev server listen rules", () => {
  it("tells loopback addresses from the rest", () => {
    for (const h of ["127.0.0.1", "127.8.9.10", "localhost", "app.localhost", "::1", "[::1]", "::ffff:127.0.0.1", " LOCALHOST "]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "example.com", "128.0.0.1", ""]) expect(isLoopbackHost(h), h).toBe(false);
  });

  it("refuses other addresses with no AUTH_SECRET or the public dev one, and allows them with a secret of one's own", () => {
    expect(devListenProblem("127.0.0.1", {})).toBeNull();
    expect(devListenProblem("0.0.0.0", {})).toMatch(/refusing to listen on 0\.0\.0\.0 with the public dev AUTH_SECRET/);
    expect(devListenProblem("0.0.0.0", { AUTH_SECRET: "  " })).not.toBeNull();
    expect(devListenProblem("::", { AUTH_SECRET: DEV_AUTH_SECRET })).toMatch(/Set AUTH_SECRET/);
    expect(devListenProblem("0.0.0.0", { AUTH_SECRET: "a-secret-of-my-own-that-is-long-enough" })).toBeNull();
  });
});
