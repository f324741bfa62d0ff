// HTTP API, served by Ponder in the indexer's process (and by every `ponder serve` replica).
// Ponder itself serves /health, /ready, /status and /metrics. Reads: GraphQL at /graphql (and /),
// SQL over HTTP for @ponder/client at /sql/*, REST under /api (reads, quotes, sign-in, signing, write actions). OpenAPI at /openapi.json, docs at /docs,
// the pages' files at /assets (api/pages).
import { client, graphql } from "ponder";
import { db } from "ponder:api";
import schema from "ponder:schema";
import { keepConnectionUsable, limitBody } from "../../api/http/body.js";
import { exposeHeaders } from "../../api/http/cors.js";
import { longKeepAlive } from "../../api/http/keep-alive.js";
import { countRefusals } from "../../api/http/refusals.js";
import { repairPonderPools } from "../../api/ponder/pool-repair.js";
import { errorBody, onError, onNotFound } from "../../api/http/errors.js";
import { openApiConfig } from "../../api/http/openapi.js";
import { graphqlCostLimit, graphqlLimits } from "../../api/graphql/guard.js";
import { serveAssets } from "../../api/pages/assets.js";
import { docsPage, graphiqlPage } from "../../api/pages/pages.js";
import { newRouter } from "../../api/http/router.js";
import { requestClientIp } from "../../api/http/client-ip.js";
import { sqlConcurrencyLimit, sqlGuard, sqlMaxConcurrent, sqlMaxConcurrentPerClient } from "../../api/http/sql.js";
import { explainWith, sqlMaxRows, sqlPreflight } from "../../api/http/sql-preflight.js";
import { ponderReadPool, runSqlOnPostgres, sqlTimeoutMs } from "../../api/http/sql-run.js";
import { reconcileChainsFromEnv } from "../../api/reconcile/env.js";
import { readyMaxLagBlocks } from "../../api/lag/lag.js";
import { registerLagMetrics } from "../../api/lag/metrics.js";
import { observer } from "../../api/lag/observe.js";
import { readinessRouter } from "../../api/lag/route.js";
import { reconciliationRouter } from "../../api/reconcile/route.js";
import { readsRouter } from "../../api/rest/reads.js";
import { servedNetworks } from "../../config/networks.js";
import { authRouter } from "../../api/auth/routes.js";
import { authConfig, authRuntime } from "../../api/auth/runtime.js";
import { signingDepsFromEnv } from "../../api/signing/env.js";
import { signingRouter } from "../../api/signing/routes.js";
import { actionsRouter } from "../../api/actions/routes.js";
import { actionChains, startActionWorker } from "../../api/actions/runtime.js";
import { registerActionMetrics } from "../../api/actions/metrics.js";
import { quotesRouter } from "../../api/quotes/routes.js";
import { transactionsRouter } from "../../api/rest/transactions.js";

// Before anything connects again: Ponder's pools leak a slot per failed connection attempt, so a
// database outage would otherwise stall the indexer and hang the API for good (api/ponder/pool-repair.ts).
repairPonderPools();

// Sign-in and signing settings are read now: a bad AUTH_SECRET, role list or key stops the start.
authRuntime();
// Write actions: the sending keys are read now too (a malformed key stops the start), and the
// executor loops (one per chain) start in every process serving the API; leases share the work between replicas.
actionChains();
startActionWorker({ db, schema });
registerActionMetrics();

const app = newRouter();
app.onError(onError);
app.notFound(onNotFound);

// First: whatever answers before reading the whole body, the client's connection stays usable.
app.use("*", keepConnectionUsable());
app.use("*", longKeepAlive);
app.use("*", countRefusals());
app.use("*", exposeHeaders);

const tooLarge = (what: string, kib: number) => limitBody(kib * 1024, (c) => c.json(errorBody("body_too_large", `${what} are limited to ${kib} KiB`), 413));
// An offline gate's batch (up to 500 signed scans) is the one body allowed to be larger.
const batchBodyLimit = tooLarge("check-in batches", 512);
const defaultBodyLimit = tooLarge("request bodies", 64);
app.use("/api/*", (c, next) => (c.req.path === "/api/actions/check-ins/batch" ? batchBodyLimit(c, next) : defaultBodyLimit(c, next)));
// Ponder's GraphQL reads any body; a query document needs nowhere near this much.
const graphqlBodyLimit = tooLarge("GraphQL requests", 256);
app.use("/graphql", graphqlBodyLimit);
app.use("/", graphqlBodyLimit);
// Ponder's token, depth and alias limits do not bound work; the operation's cost does (GRAPHQL_MAX_COST).
const graphqlCost = graphqlCostLimit(graphqlLimits(process.env), (c) => requestClientIp(c, authConfig().trustedProxyHops));
app.use("/graphql", graphqlCost);
app.use("/", graphqlCost);

// Every served chain as reconciliation and readiness read it (resolved on first use, from Ponder's environment).
let chainReads: ReturnType<typeof reconcileChainsFromEnv> | undefined;
const chainReadsOnce = () => (chainReads ??= reconcileChainsFromEnv(db));
// Readiness that a stalled index cannot fake: within READY_MAX_LAG_BLOCKS of the head on every chain; the lag on /metrics.
const observeLag = observer(chainReadsOnce);
registerLagMetrics(observeLag);
app.route("/", readinessRouter(observeLag, readyMaxLagBlocks(process.env)));
app.route("/", reconciliationRouter(chainReadsOnce));
app.route("/", readsRouter({ db, schema }, servedNetworks().map((n) => n.chainId)));
app.route("/", transactionsRouter({ db, schema }, servedNetworks().map((n) => n.chainId)));
app.route("/", quotesRouter({ db, schema }, servedNetworks().map((n) => ({ chainId: n.chainId, name: n.name }))));
app.route("/", authRouter());
app.route("/", signingRouter(signingDepsFromEnv({ db, schema })));
app.route("/", actionsRouter({ db, schema }));

app.use("/sql/*", sqlGuard); // before Ponder's client(): its refusals are 500s otherwise (api/http/sql.ts)
// Per process, and per client (its IP, as the sign-in limit counts it) so one cannot hold every slot.
app.use("/sql/*", sqlConcurrencyLimit(sqlMaxConcurrent(process.env), sqlMaxConcurrentPerClient(process.env), (c) => requestClientIp(c, authConfig().trustedProxyHops)));
// Planned first: what cannot succeed, or would produce more than SQL_MAX_ROWS rows along the way,
// is a 400 before it runs.
app.use("/sql/*", sqlPreflight(explainWith(db), sqlMaxRows(process.env)));
// On PostgreSQL /sql/db runs here: once, under SQL_TIMEOUT_MS, cancelled when the client leaves.
// PGlite cannot be interrupted; Ponder runs it there (and /sql/live everywhere).
const sqlTimeout = sqlTimeoutMs(process.env); // read on PGlite too: a bad value stops every start
const readPool = ponderReadPool();
if (readPool) app.use("/sql/*", runSqlOnPostgres(readPool, sqlTimeout));
app.use("/sql/*", client({ db, schema }));
// Ponder answers every GET here with its GraphiQL page, which loads from a CDN: ours instead.
app.get("/graphql", graphiqlPage);
app.get("/", graphiqlPage);
app.use("/graphql", graphql({ db, schema }));
app.use("/", graphql({ db, schema }));

app.doc31("/openapi.json", openApiConfig);
app.get("/docs", docsPage);
app.get("/assets/*", serveAssets);

// Ponder mounts this app inside its own, whose not-found answer is plain text: unknown /api paths
// and methods get the standard error body here instead. Keep it after every /api route.
app.all("/api/*", (c) => onNotFound(c));

export default app;
