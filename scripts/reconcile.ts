// npm run reconcile -- [--url http://localhost:42069]: asks a running indexer to compare its figures
// with the contracts' views on every chain it serves (GET /api/reconciliation), prints each
// difference (`[chainId] …`) and a summary (one line per chain when several); exit 1 when any.
import { ReconciliationSchema } from "../api/reconcile/schema.js";
import { formatDifference, summaryLines } from "../api/reconcile/report.js";
import { intFlag, parseFlags, runCli, UsageError } from "../cli/flags.js";

const USAGE = `usage: npm run reconcile -- [options]
  --url URL          the indexer's HTTP address (default http://localhost:42069)
  --timeout-s N      give up after N seconds (default 300)
  --json             print the report as JSON instead of lines
exit status: 0 the index equals the chain, 1 differences or a failure, 2 bad flags`;

function baseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--url must be an http(s) URL, got "${raw}"`);
  return url;
}

runCli(async () => {
  const flags = parseFlags({ url: { type: "string" }, "timeout-s": { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } }, USAGE);
  if (flags.help) return console.log(USAGE);
  const base = baseUrl(flags.url ?? "http://localhost:42069");
  const timeoutMs = intFlag("timeout-s", flags["timeout-s"], 300, 1) * 1000;
  const endpoint = new URL("/api/reconciliation", base);

  let res: Response;
  try {
    res = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach the indexer at ${base.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${endpoint.href} answered ${res.status} with something that is not JSON: is ${base.origin} the indexer?`);
  }
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } }).error;
    throw new Error(`${endpoint.href} answered ${res.status}${error ? ` ${error.code}: ${error.message}` : ""}`);
  }
  const parsed = ReconciliationSchema.safeParse(body);
  if (!parsed.success) throw new Error(`${endpoint.href} did not answer with a reconciliation report: ${parsed.error.issues[0]?.message}`);
  const report = parsed.data;

  if (flags.json) console.log(JSON.stringify(report, null, 2));
  else for (const d of report.differences) console.log(formatDifference(d));
  for (const line of summaryLines(report)) console.log(line);
  if (report.differences.length > 0) {
    throw new Error(`the index differs from the chain in ${report.differences.length} figure${report.differences.length === 1 ? "" : "s"}`);
  }
});
