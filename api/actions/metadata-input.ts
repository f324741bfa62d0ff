// Event metadata the chain does not carry (name, description, venue, dates, image). Pure schema
// and rules, shared by POST /api/actions/events and PUT /api/events/{eventId}/metadata.
import { z } from "@hono/zod-openapi";
import { text } from "../http/text.js";

const isoInstant = z
  .string()
  .datetime({ offset: true, message: "must be an ISO 8601 date-time with a time zone, e.g. 2026-05-01T19:30:00Z" });

export const EventMetadataInput = z
  .object({
    name: text(200).trim().min(1),
    description: text(5000).optional(),
    venue: text(300).optional(),
    startsAt: isoInstant.optional(),
    endsAt: isoInstant.optional(),
    imageUrl: text(2000)
      .url()
      .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL")
      .optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.startsAt && m.endsAt && Date.parse(m.endsAt) < Date.parse(m.startsAt)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["endsAt"], message: "must not be before startsAt" });
    }
  })
  .openapi("EventMetadataInput");

export type EventMetadataInput = z.infer<typeof EventMetadataInput>;

export const EventMetadataJson = z
  .object({
    chainId: z.number().int(),
    eventId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    venue: z.string().nullable(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    imageUrl: z.string().nullable(),
    updatedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("EventMetadata");

/** The event_metadata columns a validated input sets (the row's key and createdAt aside). */
export function metadataColumns(m: EventMetadataInput, updatedBy: string, now: Date) {
  return {
    name: m.name,
    description: m.description ?? null,
    venue: m.venue ?? null,
    startsAt: m.startsAt ? new Date(m.startsAt) : null,
    endsAt: m.endsAt ? new Date(m.endsAt) : null,
    imageUrl: m.imageUrl ?? null,
    updatedBy,
    updatedAt: now,
  };
}
