import { Effect, Either, ParseResult, Schema } from "effect"

/** posted.json could not be used: says which shape was expected or which entry is bad. */
export class PostedJsonError extends Schema.TaggedError<PostedJsonError>()("PostedJsonError", {
  message: Schema.String
}) {}

const Hex64 = Schema.String.pipe(
  Schema.transform(Schema.String, { strict: true, decode: (s) => s.trim().toLowerCase(), encode: (s) => s }),
  Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "a 64-digit hex SHA-256" })
)

/** The three shapes publisher_v2 wrote over its versions. */
const PostedFile = Schema.Union(
  Schema.Array(Hex64),
  Schema.Struct({
    hashes: Schema.Array(Hex64),
    dropbox_content_hashes: Schema.optional(Schema.Array(Hex64))
  })
)

export interface PostedHashes {
  /** SHA-256 of image bytes. */
  readonly sha256s: ReadonlyArray<string>
  /** Dropbox content_hash values. */
  readonly contentHashes: ReadonlyArray<string>
}

const unique = (values: ReadonlyArray<string>) => [...new Set(values)]

/**
 * Parses publisher_v2's posted.json: a bare list of SHA-256 hex strings, `{"hashes": [...]}`, or
 * `{"hashes": [...], "dropbox_content_hashes": [...]}`.
 */
export const parsePostedJson = (text: string): Effect.Effect<PostedHashes, PostedJsonError> =>
  Effect.gen(function*() {
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (e) => new PostedJsonError({ message: `posted.json is not valid JSON (${e instanceof Error ? e.message : String(e)})` })
    })
    const decoded = Schema.decodeUnknownEither(PostedFile, { errors: "first" })(json)
    if (Either.isLeft(decoded)) {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : ""
      return yield* new PostedJsonError({
        message: `posted.json must be a list of SHA-256 hashes or {"hashes": [...], "dropbox_content_hashes": [...]}; bad entry${where}: ${issue?.message ?? "unknown shape"}`
      })
    }
    const value = decoded.right
    return Array.isArray(value)
      ? { sha256s: unique(value as ReadonlyArray<string>), contentHashes: [] }
      : {
        sha256s: unique((value as { hashes: ReadonlyArray<string> }).hashes),
        contentHashes: unique((value as { dropbox_content_hashes?: ReadonlyArray<string> }).dropbox_content_hashes ?? [])
      }
  })
