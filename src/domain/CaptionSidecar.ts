import { Option, Schema } from "effect"
import { CaptionPair, ImageAnalysis } from "./Analysis.js"
import type { ImageRef } from "./Image.js"
import { formatSidecar, parseSidecar, type Sidecar, sidecarRecord, type SidecarValue } from "./Sidecar.js"

export const SD_CAPTION_VERSION = "v1.0"

export interface SidecarInput {
  readonly image: ImageRef
  readonly sha256: string
  readonly analysis: ImageAnalysis
  readonly captions: CaptionPair
  readonly models: { readonly vision: string; readonly caption: string }
  /** ISO-8601 timestamp. */
  readonly created: string
  /** `SIDECAR_ARTIST_ALIAS` (publisher_v2's `artist_alias`), written after `model_version` when set. */
  readonly artistAlias?: string | undefined
}

/**
 * The sidecar we write: publisher_v2's keys first, in its order (so its readers keep working),
 * then ours. `art_style` and `moderation` are publisher_v2's names for `style` and
 * `safety_labels`.
 */
export const buildSidecar = (input: SidecarInput): Sidecar => {
  const a = input.analysis
  const metadata: Array<readonly [string, SidecarValue]> = [
    ["image_file", input.image.name],
    ["dropbox_file_id", input.image.id],
    ["dropbox_rev", input.image.rev],
    ["sha256", input.sha256],
    ["created", input.created],
    ["sd_caption_version", SD_CAPTION_VERSION],
    ["model_version", input.models.caption],
    ...(input.artistAlias === undefined ? [] : [["artist_alias", input.artistAlias] as const]),
    ["subject", a.subject],
    ["lighting", a.lighting],
    ["art_style", a.style],
    ["tags", a.tags],
    ["moderation", a.safety_labels],
    ["content_hash", input.image.contentHash],
    ["vision_model", input.models.vision],
    ["caption", input.captions.caption],
    ["description", a.description],
    ["mood", a.mood],
    ["nsfw", a.nsfw],
    ["camera", a.camera],
    ["clothing_or_accessories", a.clothing_or_accessories],
    ["aesthetic_terms", a.aesthetic_terms],
    ["pose", a.pose],
    ["composition", a.composition],
    ["background", a.background],
    ["color_palette", a.color_palette]
  ]
  return { sdCaption: input.captions.sd_caption, metadata }
}

export const renderSidecar = (input: SidecarInput): string => formatSidecar(buildSidecar(input))

/** Sidecar keys -> analysis fields, where the names differ. */
const RENAMED: Readonly<Record<string, string>> = { art_style: "style", moderation: "safety_labels" }

const CachedFields = Schema.Struct({
  ...ImageAnalysis.fields,
  caption: Schema.String.pipe(Schema.minLength(1))
})
const decodeCached = Schema.decodeUnknownOption(CachedFields)

export interface CachedCaptions {
  readonly analysis: ImageAnalysis
  readonly captions: CaptionPair
}

/**
 * The analysis and captions a sidecar holds, when it holds all of them (one we wrote, or a
 * complete one). `None` means "ask the model": a partial sidecar is never half-trusted.
 */
export const cachedFromSidecar = (text: string): Option.Option<CachedCaptions> => {
  const sidecar = parseSidecar(text)
  if (sidecar.sdCaption === "") return Option.none()
  const record: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(sidecarRecord(sidecar))) record[RENAMED[key] ?? key] = value
  // publisher_v2 wrote Python booleans (`True`/`False`).
  if (typeof record["nsfw"] === "string") record["nsfw"] = record["nsfw"].toLowerCase() === "true"
  return decodeCached(record).pipe(
    Option.map((fields) => {
      const { caption, ...analysis } = fields
      return {
        analysis: new ImageAnalysis(analysis),
        captions: new CaptionPair({ caption, sd_caption: sidecar.sdCaption })
      }
    })
  )
}
