import { Schema } from "effect"

/** A Storage operation failed (after retries); names the operation and the path. */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  operation: Schema.String,
  path: Schema.String,
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  /** Worth retrying: 429, 5xx, timeouts, dropped connections. */
  transient: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  retryAfterMs: Schema.optional(Schema.Number),
  /** The path does not exist. */
  notFound: Schema.optionalWith(Schema.Boolean, { default: () => false })
}) {}

/** The AI provider failed, or its reply did not match the schema. */
export class AiError extends Schema.TaggedError<AiError>()("AiError", {
  operation: Schema.String,
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  transient: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  retryAfterMs: Schema.optional(Schema.Number)
}) {}

/** State (the posted-images database) failed. */
export class StateError extends Schema.TaggedError<StateError>()("StateError", {
  operation: Schema.String,
  message: Schema.String
}) {}

/** One platform refused or failed a post. `transient` says whether a retry may help. */
export class PublishError extends Schema.TaggedError<PublishError>()("PublishError", {
  platform: Schema.String,
  message: Schema.String,
  status: Schema.optional(Schema.Number),
  transient: Schema.Boolean,
  retryAfterMs: Schema.optional(Schema.Number),
  /** The request may have reached the platform: the post may be live despite the failure. */
  uncertain: Schema.optionalWith(Schema.Boolean, { default: () => false })
}) {}

/** A user asked for something that cannot be (unknown --select name, bad file, ...). */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {}

/** The configuration is missing or invalid: exit code 2. */
export class ConfigurationError extends Schema.TaggedError<ConfigurationError>()("ConfigurationError", {
  message: Schema.String
}) {}

/** An image could not be decoded (not an image, truncated, unsupported format). */
export class ImageDecodeError extends Schema.TaggedError<ImageDecodeError>()("ImageDecodeError", {
  image: Schema.String,
  message: Schema.String
}) {}

/**
 * Another run holds the publishing lease (a cron run, `publisher retry`, or the admin page):
 * runs that publish take turns, so two of them never choose and post the same photo.
 */
export class PublishingBusy extends Schema.TaggedError<PublishingBusy>()("PublishingBusy", {
  message: Schema.String,
  /** The holder's run (correlation) id, host and process id, and since when it holds it (ISO). */
  owner: Schema.String,
  host: Schema.String,
  pid: Schema.Number,
  since: Schema.String
}) {}
