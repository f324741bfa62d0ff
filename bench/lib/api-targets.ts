// What the API benchmark loads: a GraphQL query (a page of bookings with their history), each REST
// read over ids the index really has, and booking signatures from signed-in clients.
import { devAccount, ACTOR_BASE } from "../../config/accounts.js";
import { signIn } from "../../test/helpers/auth.js";
import type { LoadRequest } from "./api-load.js";

export type Target = {
  name: string;
  requests: LoadRequest[];
  /** One signed-in client per entry (signing only). */
  connectionHeaders?: Record<string, string>[];
};

export const BOOKINGS_WITH_HISTORY = `{
  bookings(limit: 20, orderBy: "createdBlock", orderDirection: "desc") {
    items {
      id status customer provider inviter amount platformFeeRate inviterFeeRate createdAt settledAt
      history(orderBy: "logIndex") { items { status actor amount customerRefund providerAmount platformAmount inviterAmount blockNumber txHash } }
    }
  }
}`;

type Ids = { bookings: string[]; events: string[]; accounts: string[] };

async function graphql<T>(url: string, query: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (!res.ok || body.errors?.length || !body.data) throw new Error(`GraphQL ${res.status}: ${body.errors?.map((e) => e.message).join("; ") ?? "no data"}`);
  return body.data;
}

/** Up to `n` ids of each kind from the index, so the REST reads answer 200s, not 404s. */
export async function indexedIds(url: string, n = 50): Promise<Ids> {
  const data = await graphql<{
    bookings: { items: { id: string }[] };
    ticketedEvents: { items: { id: string }[] };
    accounts: { items: { address: string }[] };
  }>(url, `{ bookings(limit: ${n}) { items { id } } ticketedEvents(limit: ${n}) { items { id } } accounts(limit: ${n}) { items { address } } }`);
  const ids = { bookings: data.bookings.items.map((b) => b.id), events: data.ticketedEvents.items.map((e) => e.id), accounts: data.accounts.items.map((a) => a.address) };
  for (const [kind, list] of Object.entries(ids)) if (list.length === 0) throw new Error(`the index has no ${kind}: simulate more traffic`);
  return ids;
}

export function readTargets(ids: Ids): Target[] {
  const get = (path: string): LoadRequest => ({ method: "GET", path });
  return [
    {
      name: "GraphQL bookings+history",
      requests: [{ method: "POST", path: "/graphql", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: BOOKINGS_WITH_HISTORY }) }],
    },
    { name: "GET /api/bookings/{id}", requests: ids.bookings.map((id) => get(`/api/bookings/${id}`)) },
    { name: "GET /api/events/{id}", requests: ids.events.map((id) => get(`/api/events/${id}`)) },
    { name: "GET /api/accounts/{a}", requests: ids.accounts.map((a) => get(`/api/accounts/${a}`)) },
  ];
}

export const SIGN_BOOKING = "/api/sign/booking";

/** Whether the running API serves the signing route (it comes with the write API): anonymous, it answers 401, not 404. */
export async function hasSigning(url: string): Promise<boolean> {
  const res = await fetch(`${url}${SIGN_BOOKING}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  await res.arrayBuffer();
  return res.status !== 404;
}

/**
 * `clients` dev accounts sign in (SIWE) and each asks for booking authorizations for a provider
 * that is not itself; one connection per client, each with its own token.
 */
export async function signingTarget(url: string, clients: number): Promise<Target> {
  const provider = devAccount(ACTOR_BASE + clients).address;
  const tokens = await Promise.all(Array.from({ length: clients }, (_, i) => signIn(url, devAccount(ACTOR_BASE + i))));
  return {
    name: `POST ${SIGN_BOOKING}`,
    requests: [{ method: "POST", path: SIGN_BOOKING, headers: { "content-type": "application/json" }, body: JSON.stringify({ provider, amount: "25000000" }) }],
    connectionHeaders: tokens.map((t) => ({ authorization: `Bearer ${t}` })),
  };
}
