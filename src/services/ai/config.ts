import { Config } from "effect"

const positiveInt = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: "must be a positive whole number", validation: (n) => n > 0 }),
    Config.withDefault(fallback)
  )

export const AiConfig = Config.all({
  apiKey: Config.redacted("OPENAI_API_KEY"),
  baseUrl: Config.string("OPENAI_BASE_URL").pipe(Config.withDefault("https://api.openai.com/v1")),
  visionModel: Config.string("OPENAI_VISION_MODEL").pipe(Config.withDefault("gpt-4o")),
  captionModel: Config.string("OPENAI_CAPTION_MODEL").pipe(Config.withDefault("gpt-4o-mini")),
  ratePerMinute: positiveInt("AI_RATE_PER_MINUTE", 20),
  analysisMaxTokens: positiveInt("AI_ANALYSIS_MAX_TOKENS", 800),
  captionMaxTokens: positiveInt("AI_CAPTION_MAX_TOKENS", 400),
  timeoutSeconds: positiveInt("AI_TIMEOUT_SECONDS", 60)
})
