import { Either } from "effect"

/** At most this many captions in the account's voice (publisher_v2's voice_profile limit). */
export const MAX_CAPTION_EXAMPLES = 20

/** A list of caption examples, or why it is not one: at most 20 strings, none blank. */
export const checkCaptionExamples = (value: unknown): Either.Either<ReadonlyArray<string>, string> =>
  Array.isArray(value) && value.length <= MAX_CAPTION_EXAMPLES &&
    value.every((x) => typeof x === "string" && x.trim() !== "")
    ? Either.right(value as ReadonlyArray<string>)
    : Either.left(`must be a JSON list of at most ${MAX_CAPTION_EXAMPLES} non-blank strings`)

/** The same, from JSON text. */
export const parseCaptionExamples = (text: string): Either.Either<ReadonlyArray<string>, string> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return Either.left(`must be a JSON list of at most ${MAX_CAPTION_EXAMPLES} non-blank strings`)
  }
  return checkCaptionExamples(value)
}
