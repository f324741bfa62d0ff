import { describe, expect, it } from "vitest";
import { clientIp, clientKey } from "../../api/http/client-ip.js";

describe("the client IP a rate limit counts", () => {
  it("is the socket's address when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientIp("10.1.1.1", "203.0.113.9", 0)).toBe("10.1.1.1");
    expect(clientIp(undefined, undefined, 0)).toBe("unknown");
  });

  it("is the entry the outermost trusted proxy appended, never one the client wrote", () => {
    // client → proxy A → proxy B → API: A appends the client, B appends A.
    expect(clientIp("10.0.0.2", "203.0.113.9", 1)).toBe("203.0.113.9");
    expect(clientIp("10.0.0.2", "1.2.3.4, 203.0.113.9", 1)).toBe("203.0.113.9");
    expect(clientIp("10.0.0.3", "1.2.3.4, 203.0.113.9, 10.0.0.2", 2)).toBe("203.0.113.9");
    expect(clientIp("10.0.0.3", " 203.0.113.9 ,10.0.0.2 ", 2)).toBe("203.0.113.9");
  });

  it("falls back sensibly when the header is short or missing", () => {
    expect(clientIp("10.0.0.3", "203.0.113.9", 2)).toBe("203.0.113.9");
    expect(clientIp("10.0.0.2", undefined, 1)).toBe("10.0.0.2");
    expect(clientIp("10.0.0.2", " , ", 1)).toBe("10.0.0.2");
  });

  it("counts an IPv6 client by its /64, an IPv4 one by its address however it is written", () => {
    const prefix = "2001:db8:85a3:8d3::/64";
    for (const ip of ["2001:db8:85a3:8d3::1", "2001:0db8:85a3:08d3:ffff:ffff:ffff:ffff", "2001:DB8:85A3:8D3:1319:8A2E:370:7348"]) expect(clientKey(ip), ip).toBe(prefix);
    expect(clientKey("2001:db8:85a3:8d4::1")).toBe("2001:db8:85a3:8d4::/64");
    expect(clientKey("::1")).toBe("::/64");
    expect(clientKey("203.0.113.9")).toBe("203.0.113.9");
    expect(clientKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(clientKey("unknown")).toBe("unknown");
  });
});
