// Shared CLI plumbing: strict flags, and a clear one-line message with a non-zero exit instead of a stack trace.
import { parseArgs, type ParseArgsConfig } from "node:util";

export class UsageError extends Error {}

export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(options: T, usage: string, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv.filter((a) => a !== "--"), options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

export function intFlag(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  }
  return Number(value);
}

export function runCli(main: () => Promise<void>): void {
  main().then(
    // exit() ends what would keep the process alive (anvil clients' sockets); keep an exitCode main set.
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`error: ${message}`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
