// Free text from a request. PostgreSQL (and PGlite) cannot store U+0000 in `text` or `jsonb`, so
// a NUL is refused at the edge with a 400 that names the field, instead of failing the insert.
import { z } from "@hono/zod-openapi";

export const NUL_MESSAGE = "must not contain NUL characters (\\u0000)";

/** A string of at most `max` characters that the store can keep (a ZodString, so it chains). */
export const text = (max: number) => z.string().max(max).regex(/^[^\u0000]*$/, NUL_MESSAGE);

/**
 * True for the database errors a NUL (or another character the database cannot encode) causes:
 * 22021 character_not_in_repertoire (text), 22P05 untranslatable_character (jsonb "\u0000").
 * Drizzle wraps the driver's error, so the chain of causes is searched.
 */
export function isUnstorableText(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "22021" || code === "22P05") return true;
  }
  return false;
}

/**
 * `value` with every NUL in its strings (keys included) replaced by U+FFFD, for recording input
 * that was refused but must still be kept as received (a jsonb column rejects "\u0000").
 */
export function storable(value: unknown): unknown {
  if (typeof value === "string") return value.replaceAll("\u0000", "\uFFFD");
  if (Array.isArray(value)) return value.map(storable);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k) as string, storable(v)]));
  return value;
}
