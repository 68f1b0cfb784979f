import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/** Every API error body is `{ error, detail? }` (publisher_v2's shape). */
const body = { error: Schema.String, detail: Schema.optional(Schema.String) }

export class BadRequest
  extends Schema.TaggedError<BadRequest>()("BadRequest", body, HttpApiSchema.annotations({ status: 400 }))
{}
export class Unauthorized
  extends Schema.TaggedError<Unauthorized>()("Unauthorized", body, HttpApiSchema.annotations({ status: 401 }))
{}
export class Forbidden
  extends Schema.TaggedError<Forbidden>()("Forbidden", body, HttpApiSchema.annotations({ status: 403 }))
{}
export class NotFound
  extends Schema.TaggedError<NotFound>()("NotFound", body, HttpApiSchema.annotations({ status: 404 }))
{}
export class Conflict
  extends Schema.TaggedError<Conflict>()("Conflict", body, HttpApiSchema.annotations({ status: 409 }))
{}
export class TooManyRequests
  extends Schema.TaggedError<TooManyRequests>()("TooManyRequests", body, HttpApiSchema.annotations({ status: 429 }))
{}
export class ServerError
  extends Schema.TaggedError<ServerError>()("ServerError", body, HttpApiSchema.annotations({ status: 500 }))
{}
export class Unavailable
  extends Schema.TaggedError<Unavailable>()("Unavailable", body, HttpApiSchema.annotations({ status: 503 }))
{}
