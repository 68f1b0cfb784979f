import { Effect, Either, ParseResult, Schema } from "effect"

/** posted.json could not be used: says which shape was expected or which entry is bad. */
export class PostedJsonError extends Schema.TaggedError<PostedJsonError>()("PostedJsonError", {
  message: Schema.String
}) {}

export interface PostedHashes {
  /** SHA-256 of image bytes (lower-case hex, each once). */
  readonly sha256s: ReadonlyArray<string>
  /** Dropbox content_hash values (lower-case hex, each once). */
  readonly contentHashes: ReadonlyArray<string>
}

const EXPECTED =
  `a JSON list of SHA-256 hex strings, {"hashes": [...]}, or {"hashes": [...], "dropbox_content_hashes": [...]}`

/** 64 hex digits, any case, surrounding blanks ignored; decodes to lower case. */
const Hex64 = Schema.transform(
  Schema.String,
  Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)),
  { strict: true, decode: (s) => s.trim().toLowerCase(), encode: (s) => s }
)
const HashList = Schema.Array(Hex64)

/** The three shapes publisher_v2 wrote over its versions. */
const BareList = HashList
const HashesObject = Schema.Struct({
  hashes: HashList,
  dropbox_content_hashes: Schema.optional(HashList)
})

const isList = Schema.is(Schema.Array(Schema.Unknown))
const isHashesObject = Schema.is(Schema.Struct({ hashes: Schema.Unknown }))

const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

const kindOf = (value: unknown) =>
  value === null
    ? "null"
    : Array.isArray(value)
    ? "a list"
    : typeof value === "object"
    ? `an object with keys ${Object.keys(value).map((k) => JSON.stringify(k)).join(", ") || "(none)"}`
    : `a ${typeof value} (${show(value)})`

const valueAt = (json: unknown, path: ReadonlyArray<PropertyKey>) =>
  path.reduce<unknown>(
    (
      node,
      key
    ) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined),
    json
  )

/** `hashes[3]`, `[0]`, `dropbox_content_hashes`. */
const pathName = (path: ReadonlyArray<PropertyKey>) =>
  path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("")

/** Names the first bad entry (or list) with its value. */
const describeIssue = (json: unknown, error: ParseResult.ParseError) => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const path = issue?.path ?? []
  const value = valueAt(json, path)
  const last = path[path.length - 1]
  if (typeof last === "number") {
    return `posted.json: entry ${pathName(path)} is ${show(value)}, not a SHA-256 (64 hex digits)`
  }
  if (path.length > 0) {
    return `posted.json: "${pathName(path)}" must be a list of SHA-256 hex strings, not ${kindOf(value)}`
  }
  return `posted.json must be ${EXPECTED}; ${issue?.message ?? "unknown shape"}`
}

const decodeWith = <A, I>(schema: Schema.Schema<A, I>, json: unknown) =>
  Either.mapLeft(
    Schema.decodeUnknownEither(schema, { errors: "first" })(json),
    (error) => new PostedJsonError({ message: describeIssue(json, error) })
  )

const unique = (values: ReadonlyArray<string>) => [...new Set(values)]

/** Decodes an already parsed posted.json value. */
export const decodePostedJson = (json: unknown): Either.Either<PostedHashes, PostedJsonError> => {
  if (isList(json)) {
    return Either.map(decodeWith(BareList, json), (sha256s) => ({ sha256s: unique(sha256s), contentHashes: [] }))
  }
  if (isHashesObject(json)) {
    return Either.map(decodeWith(HashesObject, json), (file) => ({
      sha256s: unique(file.hashes),
      contentHashes: unique(file.dropbox_content_hashes ?? [])
    }))
  }
  return Either.left(new PostedJsonError({ message: `posted.json must be ${EXPECTED}, not ${kindOf(json)}` }))
}

/**
 * Parses publisher_v2's posted.json: a bare list of SHA-256 hex strings, `{"hashes": [...]}`, or
 * `{"hashes": [...], "dropbox_content_hashes": [...]}`. Other keys of the object are ignored.
 */
export const parsePostedJson = (text: string): Effect.Effect<PostedHashes, PostedJsonError> =>
  Effect.try({
    try: () => JSON.parse(text.replace(/^\uFEFF/, "")) as unknown,
    catch: (e) =>
      new PostedJsonError({
        message: `posted.json is not valid JSON (${e instanceof Error ? e.message : String(e)}); expected ${EXPECTED}`
      })
  }).pipe(Effect.flatMap((json) => decodePostedJson(json)))

/**
 * posted.json as publisher_v2 writes it (`{"dropbox_content_hashes": [...], "hashes": [...]}`,
 * keys and hashes sorted), so publisher_v2 run again never reposts what Publisher posted.
 */
export const renderPostedJson = (hashes: PostedHashes): string =>
  JSON.stringify({
    dropbox_content_hashes: [...new Set(hashes.contentHashes.map((h) => h.toLowerCase()))].sort(),
    hashes: [...new Set(hashes.sha256s.map((h) => h.toLowerCase()))].sort()
  })
