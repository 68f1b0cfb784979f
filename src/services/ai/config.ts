import { Config, ConfigError, Either, Option } from "effect"
import { parseCaptionExamples } from "../../domain/CaptionExamples.js"

/** An optional text; set but blank counts as unset. */
const optionalText = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((v) => v.trim() !== "")))

const positiveInt = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: "must be a positive whole number", validation: (n) => n > 0 }),
    Config.withDefault(fallback)
  )

/** A long-side limit in pixels; 0: images are sent as they are. */
const dimension = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({
      message: "must be 0 (send as it is) or a size in pixels from 256 to 8192",
      validation: (n) => n === 0 || (n >= 256 && n <= 8192)
    }),
    Config.withDefault(fallback)
  )

const detail = (name: string, fallback: "low" | "high" | "auto") =>
  Config.literal("low", "high", "auto")(name).pipe(Config.withDefault(fallback))

/**
 * `CAPTION_EXAMPLES`: captions in the account's voice (publisher_v2's `voice_profile`), a JSON list of at most 20
 * strings.
 */
export const CaptionExamplesConfig: Config.Config<ReadonlyArray<string>> = Config.string("CAPTION_EXAMPLES").pipe(
  Config.mapOrFail((text) =>
    parseCaptionExamples(text).pipe(Either.mapLeft((message) => ConfigError.InvalidData([], message)))
  ),
  Config.withDefault([] as ReadonlyArray<string>)
)

export const AiConfig = Config.all({
  apiKey: Config.redacted("OPENAI_API_KEY"),
  baseUrl: Config.string("OPENAI_BASE_URL").pipe(Config.withDefault("https://api.openai.com/v1")),
  visionModel: Config.string("OPENAI_VISION_MODEL").pipe(Config.withDefault("gpt-4o")),
  captionModel: Config.string("OPENAI_CAPTION_MODEL").pipe(Config.withDefault("gpt-4o-mini")),
  ratePerMinute: positiveInt("AI_RATE_PER_MINUTE", 20),
  analysisMaxTokens: positiveInt("AI_ANALYSIS_MAX_TOKENS", 800),
  captionMaxTokens: positiveInt("AI_CAPTION_MAX_TOKENS", 400),
  timeoutSeconds: positiveInt("AI_TIMEOUT_SECONDS", 60),
  /** The account's voice for captions (publisher_v2's `system_prompt`); the output format stays ours. */
  captionSystemPrompt: optionalText("CAPTION_SYSTEM_PROMPT"),
  /** Text before the photo analysis in the caption request (publisher_v2's `role_prompt`). */
  captionRolePrompt: optionalText("CAPTION_ROLE_PROMPT"),
  /** Captions in the account's voice (publisher_v2's `voice_profile`): a JSON list of at most 20 strings. */
  captionExamples: CaptionExamplesConfig,

  /** The analysis is sent a copy of the photo at most this long on its long side (publisher_v2: 1024). */
  visionMaxDimension: dimension("VISION_MAX_DIMENSION", 1024),
  visionDetail: detail("VISION_DETAIL", "low"),
  /**
   * After an analysis the model could not give (a refusal, a reply off the schema, a 400), one more try with a larger
   * image.
   */
  visionFallback: Config.boolean("VISION_FALLBACK").pipe(Config.withDefault(true)),
  visionFallbackMaxDimension: dimension("VISION_FALLBACK_MAX_DIMENSION", 2048),
  visionFallbackDetail: detail("VISION_FALLBACK_DETAIL", "high")
})
