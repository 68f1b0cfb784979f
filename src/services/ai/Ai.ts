import { Context, type Effect } from "effect"
import type { CaptionPair, ImageAnalysis } from "../../domain/Analysis.js"
import type { AiError } from "../../domain/Errors.js"

export interface ImageInput {
  readonly name: string
  readonly bytes: Uint8Array
  /** e.g. image/jpeg */
  readonly mimeType: string
}

/** The vision/caption model (any OpenAI-compatible server). */
export class Ai extends Context.Tag("publisher/Ai")<Ai, {
  readonly analyze: (image: ImageInput) => Effect.Effect<ImageAnalysis, AiError>
  /**
   * caption and sd_caption in one call; `recent`: the account's latest captions, not to be
   * repeated; `examples`: captions in its voice (else CAPTION_EXAMPLES).
   */
  readonly captionPair: (
    analysis: ImageAnalysis,
    context?: { readonly recent?: ReadonlyArray<string>; readonly examples?: ReadonlyArray<string> | undefined }
  ) => Effect.Effect<CaptionPair, AiError>
  /** The key is accepted and both models exist; answers what it found (`publisher check`). */
  readonly check: Effect.Effect<string, AiError>
  /** Model names, recorded in the sidecar. */
  readonly models: { readonly vision: string; readonly caption: string }
}>() {}
