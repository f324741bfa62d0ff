// Who may reach `npm run dev`. It runs with public credentials: the dev token secret below and the
// dev accounts' keys (config/accounts.ts), so anyone who can connect can mint an admin token. It
// therefore listens on loopback unless asked otherwise, and never beyond it with the public secret.
import { isIP } from "node:net";

/**
 * The local network's fixed token secret. Public (it is in the source), so tokens signed with it
 * prove nothing: that is why it is refused everywhere but the local dev chain, and off loopback.
 */
export const DEV_AUTH_SECRET = "local-dev-only-auth-secret-never-use-on-a-real-network";

export const DEV_HOST = "127.0.0.1";

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || /^::ffff:127\./.test(h);
  return false;
}

/** Why the dev server must not listen on `host` with this environment, or null when it may. */
export function devListenProblem(host: string, env: Record<string, string | undefined>): string | null {
  if (isLoopbackHost(host)) return null;
  const secret = env.AUTH_SECRET?.trim();
  if (!secret || secret === DEV_AUTH_SECRET) {
    return `refusing to listen on ${host} with the public dev AUTH_SECRET: anyone who can reach it could make an admin token. Set AUTH_SECRET (32+ random characters), or keep the default --host ${DEV_HOST}`;
  }
  return null;
}
