import { Clock, Duration, Effect, Layer, Metric, Option, RateLimiter, Redacted, Schema } from "effect"
import OpenAI from "openai"
import { analysisJsonSchema, CaptionPair, captionPairJsonSchema, ImageAnalysis } from "../../domain/Analysis.js"
import { AiError } from "../../domain/Errors.js"
import { isTransientStatus, parseRetryAfter, retryTransient } from "../retry.js"
import { aiCalls, aiTokens, rateLimiterWait, visionFallbacks } from "../telemetry/metrics.js"
import { Ai, type ImageInput } from "./Ai.js"
import { AiConfig } from "./config.js"
import { ANALYSIS_INSTRUCTIONS, captionMessages } from "./prompts.js"
import { prepareVisionImage } from "./visionImage.js"

/** An SDK failure as an AiError: status, transient or not, the server's Retry-After. */
export const toAiError = (operation: string) => (cause: unknown): AiError => {
  if (cause instanceof OpenAI.APIError && cause.status !== undefined) {
    const headers = cause.headers
    const retryAfterMs = headers?.get("retry-after-ms")
    return new AiError({
      operation,
      status: cause.status,
      message: `AI ${operation}: HTTP ${cause.status} ${
        cause.error && typeof cause.error === "object" && "message" in cause.error ? String(cause.error.message) : ""
      }`.trim(),
      transient: isTransientStatus(cause.status),
      retryAfterMs: retryAfterMs ? Number(retryAfterMs) : parseRetryAfter(headers?.get("retry-after"))
    })
  }
  const name = cause instanceof Error ? cause.name : "error"
  return new AiError({ operation, message: `AI ${operation}: ${name} (connection failed)`, transient: true })
}

type Completion = OpenAI.Chat.Completions.ChatCompletion

/** The JSON reply of a completion decoded with `schema`; anything else is a typed, permanent error. */
const decodeReply = <A, I>(operation: string, schema: Schema.Schema<A, I>, completion: Completion) => {
  const message = completion.choices[0]?.message
  if (message?.refusal) {
    return Effect.fail(new AiError({ operation, message: `AI ${operation}: the model refused: ${message.refusal}` }))
  }
  const content = message?.content
  if (!content) return Effect.fail(new AiError({ operation, message: `AI ${operation}: empty reply` }))
  return Schema.decodeUnknown(Schema.parseJson(schema))(content).pipe(
    Effect.mapError(() => new AiError({ operation, message: `AI ${operation}: the reply did not match the schema` }))
  )
}

/**
 * A failure a larger, sharper image may cure: the model refused or answered off the schema, or
 * the API turned the request down (400). Not: transient failures (already retried), credentials,
 * rate limits, an unknown model, an image that cannot be decoded.
 */
const escalates = (error: AiError) =>
  error.operation === "analyze" && !error.transient &&
  (error.status === undefined || error.status === 400 || error.status === 422)

const toDataUrl = (bytes: Uint8Array, mimeType: string) =>
  `data:${mimeType};base64,${Buffer.from(bytes).toString("base64")}`

/** The Ai service on the `openai` SDK: one client and one rate limiter for the whole process. */
export const AiLive = Layer.scoped(
  Ai,
  Effect.gen(function*() {
    const config = yield* AiConfig
    const client = new OpenAI({
      apiKey: Redacted.value(config.apiKey),
      baseURL: config.baseUrl,
      maxRetries: 0, // our retry policy (with Retry-After) applies instead
      timeout: (config.timeoutSeconds + 5) * 1000
    })
    const limit = yield* RateLimiter.make({
      limit: config.ratePerMinute,
      interval: "1 minutes",
      algorithm: "token-bucket"
    })

    /**
     * One completion: waits for the shared rate limiter (the wait is measured, and is not part
     * of the call's timeout), then calls with a timeout; transient failures are retried, each
     * retry waiting for the limiter again.
     */
    const complete = (operation: string, body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming) => {
      const call = Effect.tryPromise({
        try: (signal) => client.chat.completions.create(body, { signal }),
        catch: toAiError(operation)
      }).pipe(
        Effect.timeoutFail({
          duration: Duration.seconds(config.timeoutSeconds),
          onTimeout: () => new AiError({ operation, message: `AI ${operation}: timed out`, transient: true })
        }),
        Effect.tapBoth({
          onFailure: () =>
            Metric.increment(Metric.tagged(Metric.tagged(aiCalls, "operation", operation), "outcome", "failure")),
          onSuccess: () =>
            Metric.increment(Metric.tagged(Metric.tagged(aiCalls, "operation", operation), "outcome", "success"))
        })
      )
      return Effect.gen(function*() {
        const requested = yield* Clock.currentTimeMillis
        return yield* limit(Effect.gen(function*() {
          yield* Metric.update(rateLimiterWait, (yield* Clock.currentTimeMillis) - requested)
          return yield* call
        }))
      }).pipe(
        retryTransient(),
        Effect.tap((c) =>
          Effect.all([
            Effect.annotateCurrentSpan({
              "ai.prompt_tokens": c.usage?.prompt_tokens ?? 0,
              "ai.completion_tokens": c.usage?.completion_tokens ?? 0
            }),
            Metric.incrementBy(
              Metric.tagged(Metric.tagged(aiTokens, "operation", operation), "kind", "prompt"),
              c.usage?.prompt_tokens ?? 0
            ),
            Metric.incrementBy(
              Metric.tagged(Metric.tagged(aiTokens, "operation", operation), "kind", "completion"),
              c.usage?.completion_tokens ?? 0
            )
          ], { discard: true })
        )
      )
    }

    /** One analysis of the image scaled to `maxDimension`, sent at `detail`. */
    const analyzeAt = (image: ImageInput, maxDimension: number, detail: "low" | "high" | "auto") =>
      prepareVisionImage(image, maxDimension).pipe(
        Effect.flatMap((sent) =>
          complete("analyze", {
            model: config.visionModel,
            max_completion_tokens: config.analysisMaxTokens,
            response_format: {
              type: "json_schema",
              json_schema: { name: "image_analysis", strict: true, schema: analysisJsonSchema }
            },
            messages: [
              { role: "system", content: ANALYSIS_INSTRUCTIONS },
              {
                role: "user",
                content: [{ type: "image_url", image_url: { url: toDataUrl(sent.bytes, sent.mimeType), detail } }]
              }
            ]
          }).pipe(
            Effect.flatMap((c) => decodeReply("analyze", ImageAnalysis, c)),
            Effect.withSpan("ai.analyze", {
              attributes: {
                model: config.visionModel,
                image: image.name,
                "ai.image_bytes": sent.bytes.length,
                "ai.image_prepared": sent.prepared,
                "ai.detail": detail
              }
            })
          )
        )
      )

    const analyze: Ai["Type"]["analyze"] = (image) =>
      analyzeAt(image, config.visionMaxDimension, config.visionDetail).pipe(
        Effect.catchIf(
          (error) => config.visionFallback && escalates(error),
          (error) =>
            Effect.logWarning("vision_fallback").pipe(
              Effect.zipRight(Metric.increment(visionFallbacks)),
              Effect.annotateLogs({
                image: image.name,
                error: error.message,
                fallback_max_dimension: config.visionFallbackMaxDimension,
                fallback_detail: config.visionFallbackDetail
              }),
              Effect.zipRight(analyzeAt(image, config.visionFallbackMaxDimension, config.visionFallbackDetail))
            )
        )
      )

    const captionPair: Ai["Type"]["captionPair"] = (analysis, context = {}) =>
      complete("caption_pair", {
        model: config.captionModel,
        max_completion_tokens: config.captionMaxTokens,
        response_format: {
          type: "json_schema",
          json_schema: { name: "caption_pair", strict: true, schema: captionPairJsonSchema }
        },
        messages: captionMessages(analysis, {
          systemPrompt: Option.getOrUndefined(config.captionSystemPrompt),
          rolePrompt: Option.getOrUndefined(config.captionRolePrompt),
          examples: context.examples ?? config.captionExamples,
          recent: context.recent ?? []
        })
      }).pipe(
        Effect.flatMap((c) => decodeReply("caption_pair", CaptionPair, c)),
        Effect.withSpan("ai.caption_pair", { attributes: { model: config.captionModel } })
      )

    /** One model lookup per model (GET /models/{id}): no completion, no tokens spent. */
    const check = Effect.forEach(
      [...new Set([config.visionModel, config.captionModel])],
      (model) =>
        Effect.tryPromise({ try: (signal) => client.models.retrieve(model, { signal }), catch: toAiError("check") })
          .pipe(
            Effect.timeoutFail({
              duration: Duration.seconds(config.timeoutSeconds),
              onTimeout: () => new AiError({ operation: "check", message: "AI check: timed out", transient: true })
            }),
            retryTransient(),
            Effect.mapError((e) =>
              e.status === 404
                ? new AiError({ ...e, message: `AI check: the model ${model} does not exist on ${config.baseUrl}` })
                : e
            )
          )
    ).pipe(
      Effect.as(
        `${config.baseUrl} accepts the key; models ${config.visionModel} (vision) and ${config.captionModel} (captions) exist`
      )
    )

    return Ai.of({ analyze, captionPair, check, models: { vision: config.visionModel, caption: config.captionModel } })
  })
)
