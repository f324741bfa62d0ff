// Every REST router is an OpenAPIHono, so /openapi.json is generated from the same zod schemas
// that validate requests; a request that fails validation gets the standard 400 error body.
import { OpenAPIHono, z, type Hook } from "@hono/zod-openapi";
import type { Env } from "hono";
import { describeZodError, errorBody } from "./errors.js";

// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route's schema.
const validationHook: Hook<any, any, any, any> = (result, c) => {
  if (!result.success) {
    const { message, details } = describeZodError(result.error);
    return c.json(errorBody("invalid_request", message, details), 400);
  }
};

export function newRouter<E extends Env = Env>() {
  return new OpenAPIHono<E>({ defaultHook: validationHook });
}

/** The error body, for routes' documented error responses. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "not_found" }),
      message: z.string(),
      details: z.unknown(),
    }),
  })
  .openapi("Error");

export const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});
