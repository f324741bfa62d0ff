// Whole-number settings from the environment: a bad value stops the start with a message naming
// the variable and the range it takes.
export type EnvVars = Record<string, string | undefined>;

/** `env[name]` as an integer in [min, max]; unset or blank means `fallback`. */
export function envInteger(env: EnvVars, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}
