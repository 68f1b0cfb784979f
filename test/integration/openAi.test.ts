import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Metric, TestClock } from "effect"
import sharp from "sharp"
import { type OpenAiEmulator, type OpenAiOptions, startOpenAi } from "../../src/sandbox/openai.js"
import { Ai } from "../../src/services/ai/Ai.js"
import { AiLive } from "../../src/services/ai/OpenAiLive.js"
import { visionFallbacks } from "../../src/services/telemetry/metrics.js"
import { configLayer } from "../support/config.js"
import { sampleAnalysis } from "../support/fakes.js"

const photo = (width: number, height: number, orientation?: number) => {
  const image = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } }).jpeg({
    quality: 90
  })
  return (orientation === undefined ? image : image.withMetadata({ orientation })).toBuffer().then((b) =>
    new Uint8Array(b)
  )
}
/** A 3000x2000 photo: larger than VISION_MAX_DIMENSION. */
const large = await photo(3000, 2000)
const image = { name: "a.jpg", bytes: large, mimeType: "image/jpeg" }
const sizeOf = async (bytes: Uint8Array) => {
  const meta = await sharp(bytes).metadata()
  return { format: meta.format, width: meta.width, height: meta.height }
}

const withAi = <A, E>(
  options: Partial<OpenAiOptions> & { config?: Record<string, string> },
  body: (openai: OpenAiEmulator) => Effect.Effect<A, E, Ai>
) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startOpenAi({ apiKey: "sk-test", ...options })),
    (openai) =>
      body(openai).pipe(Effect.provide(AiLive.pipe(Layer.provide(configLayer({
        OPENAI_API_KEY: "sk-test",
        OPENAI_BASE_URL: `${openai.url}/v1`,
        ...options.config
      }))))),
    (openai) => Effect.promise(() => openai.close())
  )

const realSleep = (ms: number) => Effect.promise(() => new Promise((r) => setTimeout(r, ms)))

describe("Ai on the openai SDK (against the emulator)", () => {
  it.live("analyze sends the image with a strict json_schema and decodes the reply", () =>
    withAi({}, (openai) =>
      Effect.gen(function*() {
        const analysis = yield* (yield* Ai).analyze(image)
        expect(typeof analysis.description).toBe("string")
        expect(Array.isArray(analysis.tags)).toBe(true)
        expect(openai.requests).toMatchObject([{
          model: "gpt-4o",
          schemaName: "image_analysis",
          maxCompletionTokens: 800,
          hasImage: true
        }])
      })))

  it.live("captionPair is one call to the caption model", () =>
    withAi({ config: { OPENAI_CAPTION_MODEL: "small-model" } }, (openai) =>
      Effect.gen(function*() {
        const pair = yield* (yield* Ai).captionPair(sampleAnalysis)
        expect(pair.caption.length).toBeGreaterThan(0)
        expect(pair.sd_caption.length).toBeGreaterThan(0)
        expect(openai.calls["chat/completions"]).toBe(1)
        expect(openai.requests[0]).toMatchObject({ model: "small-model", schemaName: "caption_pair", hasImage: false })
      })))

  it.live("CAPTION_SYSTEM_PROMPT replaces the voice and CAPTION_ROLE_PROMPT leads the request; the output rules stay", () =>
    Effect.gen(function*() {
      const custom = yield* withAi(
        {
          config: {
            CAPTION_SYSTEM_PROMPT: "You are a film photographer's dry wit.",
            CAPTION_ROLE_PROMPT: "Caption this frame:"
          }
        },
        (openai) =>
          Ai.pipe(
            Effect.flatMap((ai) => ai.captionPair(sampleAnalysis)),
            Effect.map(() => openai.requests[0]!.messages)
          )
      )
      expect(custom[0]!.role).toBe("system")
      expect(custom[0]!.text).toMatch(
        /^You are a film photographer's dry wit\.\n\nFrom the analysis of a photo, write two things/
      )
      expect(custom[0]!.text).not.toContain("You write for an Instagram and Telegram photo account.")
      expect(custom[1]!.text).toMatch(/^Caption this frame:\n\nPhoto analysis:\n\{/)
      const plain = yield* withAi(
        { config: { CAPTION_SYSTEM_PROMPT: "  " } },
        (openai) =>
          Ai.pipe(
            Effect.flatMap((ai) => ai.captionPair(sampleAnalysis)),
            Effect.map(() => openai.requests[0]!.messages)
          )
      )
      expect(plain[0]!.text).toMatch(/^You write for an Instagram and Telegram photo account\.\n\nFrom the analysis/)
      expect(plain[1]!.text).toMatch(/^Photo analysis:\n/)
    }))

  it.live("the photo goes as a JPEG at most VISION_MAX_DIMENSION (1024) on its long side, detail low; 0 sends the original", () =>
    Effect.gen(function*() {
      const sent = yield* withAi(
        {},
        (openai) => Ai.pipe(Effect.flatMap((ai) => ai.analyze(image)), Effect.map(() => openai.requests[0]!.image!))
      )
      expect(sent.mimeType).toBe("image/jpeg")
      expect(sent.detail).toBe("low")
      expect(yield* Effect.promise(() => sizeOf(sent.bytes))).toEqual({ format: "jpeg", width: 1024, height: 683 })
      expect(sent.bytes.length).toBeLessThan(large.length)
      const original = yield* withAi(
        { config: { VISION_MAX_DIMENSION: "0", VISION_DETAIL: "high" } },
        (openai) => Ai.pipe(Effect.flatMap((ai) => ai.analyze(image)), Effect.map(() => openai.requests[0]!.image!))
      )
      expect(Buffer.compare(original.bytes, Buffer.from(large))).toBe(0)
      expect(original.detail).toBe("high")
    }))

  it.live("a small upright photo is sent as it is; a small one with an EXIF rotation is turned upright", () =>
    Effect.gen(function*() {
      const small = yield* Effect.promise(() => photo(800, 600))
      const rotated = yield* Effect.promise(() => photo(800, 600, 6))
      const sent = yield* withAi({}, (openai) =>
        Ai.pipe(
          Effect.flatMap((ai) =>
            Effect.all([ai.analyze({ ...image, bytes: small }), ai.analyze({ ...image, bytes: rotated })])
          ),
          Effect.map(() => openai.requests.map((r) => r.image!))
        ))
      expect(Buffer.compare(sent[0]!.bytes, Buffer.from(small))).toBe(0)
      expect(yield* Effect.promise(() => sizeOf(sent[1]!.bytes))).toEqual({ format: "jpeg", width: 600, height: 800 })
    }))

  it.live("bytes that are not an image are a typed AiError before any call", () =>
    withAi({}, (openai) =>
      Effect.gen(function*() {
        const error = yield* (yield* Ai).analyze({ ...image, bytes: new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]) }).pipe(
          Effect.flip
        )
        expect(error).toMatchObject({ _tag: "AiError", operation: "prepare_image" })
        expect(error.message).toMatch(/a\.jpg cannot be decoded for the vision model/)
        expect(openai.calls["chat/completions"] ?? 0).toBe(0)
      })))

  it.live("an analysis the model could not give at low detail is asked once more with a 2048 px image at high detail (VISION_FALLBACK)", () =>
    Effect.gen(function*() {
      // The model answers off the schema for the low-detail image only.
      const replyOverride = (body: Record<string, unknown>) =>
        JSON.stringify(body["messages"]).includes("\"detail\":\"low\"") ? "{\"description\": 42}" : undefined
      const fallbacks = (yield* Metric.value(visionFallbacks)).count
      const requests = yield* withAi(
        { replyOverride },
        (openai) =>
          Ai.pipe(Effect.flatMap((ai) => ai.analyze(image)), Effect.map(() => openai.requests.map((r) => r.image!)))
      )
      expect(requests.map((r) => r.detail)).toEqual(["low", "high"])
      expect(yield* Effect.promise(() => sizeOf(requests[1]!.bytes))).toEqual({
        format: "jpeg",
        width: 2048,
        height: 1365
      })
      expect((yield* Metric.value(visionFallbacks)).count).toBe(fallbacks + 1)
      // Off: the first failure is the answer.
      const off = yield* withAi(
        { replyOverride, config: { VISION_FALLBACK: "false" } },
        (openai) =>
          Ai.pipe(
            Effect.flatMap((ai) => ai.analyze(image)),
            Effect.flip,
            Effect.map((e) => [e.message, openai.calls["chat/completions"]] as const)
          )
      )
      expect(off).toEqual(["AI analyze: the reply did not match the schema", 1])
    }))

  it.live("no second try for what a larger image cannot cure: a wrong key", () =>
    withAi({ config: { OPENAI_API_KEY: "sk-wrong" } }, (openai) =>
      Effect.gen(function*() {
        const error = yield* (yield* Ai).analyze(image).pipe(Effect.flip)
        expect(error.status).toBe(401)
        expect(openai.calls["chat/completions"]).toBe(1)
      })))

  it.live("check looks both models up (no completion); an unknown model or a wrong key fails it", () =>
    Effect.gen(function*() {
      const ok = yield* withAi(
        { models: ["gpt-4o", "gpt-4o-mini"] },
        (openai) =>
          Ai.pipe(Effect.flatMap((ai) => ai.check), Effect.map((detail) => [detail, { ...openai.calls }] as const))
      )
      expect(ok[0]).toMatch(/accepts the key; models gpt-4o \(vision\) and gpt-4o-mini \(captions\) exist/)
      expect(ok[1]).toEqual({ models: 2 })
      const missing = yield* withAi(
        { models: ["gpt-4o"] },
        () => Ai.pipe(Effect.flatMap((ai) => ai.check), Effect.flip)
      )
      expect(missing.message).toMatch(/^AI check: the model gpt-4o-mini does not exist on http:/)
      const wrongKey = yield* withAi(
        { config: { OPENAI_API_KEY: "sk-wrong" } },
        () => Ai.pipe(Effect.flatMap((ai) => ai.check), Effect.flip)
      )
      expect(wrongKey.status).toBe(401)
    }))

  it.live("CAPTION_EXAMPLES (publisher_v2's voice_profile) go into the caption prompt between the voice and the rules", () =>
    Effect.gen(function*() {
      const messages = yield* withAi(
        { config: { CAPTION_EXAMPLES: JSON.stringify(["Quiet light on the harbour.", "Salt air, slow morning."]) } },
        (openai) =>
          Ai.pipe(
            Effect.flatMap((ai) => ai.captionPair(sampleAnalysis)),
            Effect.map(() => openai.requests[0]!.messages)
          )
      )
      expect(messages[0]!.text).toMatch(
        /^You write for an Instagram and Telegram photo account\.\n\nCaptions this account has written \(match their voice and length; do not copy them\):\n- Quiet light on the harbour\.\n- Salt air, slow morning\.\n\nFrom the analysis/
      )
    }))

  it.live("the latest captions go into the caption prompt, newest first, on one line each", () =>
    Effect.gen(function*() {
      const messages = yield* withAi(
        {},
        (openai) =>
          Ai.pipe(
            Effect.flatMap((ai) =>
              ai.captionPair(sampleAnalysis, { recent: ["Harbour at dawn.\n#sea", "Old town rain."] })
            ),
            Effect.map(() => openai.requests[0]!.messages)
          )
      )
      expect(messages[0]!.text).toContain(
        "The account's latest captions, newest first (write something different: no repeated opening, phrase or set of hashtags):\n- Harbour at dawn. #sea\n- Old town rain.\n\nFrom the analysis"
      )
    }))

  it.live("a reply that fails the schema is a typed AiError, not a crash, and is not retried as transient", () =>
    withAi(
      { replyOverride: () => "{\"description\": 42}", config: { VISION_FALLBACK: "false" } },
      (openai) =>
        Effect.gen(function*() {
          const error = yield* (yield* Ai).analyze(image).pipe(Effect.flip)
          expect(error._tag).toBe("AiError")
          expect(error.message).toMatch(/did not match the schema/)
          expect(openai.calls["chat/completions"]).toBe(1)
        })
    ))

  it.live("a 429 is retried after Retry-After", () =>
    withAi({}, (openai) =>
      Effect.gen(function*() {
        openai.inject("chat/completions", { status: 429, retryAfterSeconds: 1, times: 1 })
        yield* (yield* Ai).captionPair(sampleAnalysis)
        expect(openai.calls["chat/completions"]).toBe(2)
      })))

  it.live("a wrong key is a permanent AiError that never shows the key", () =>
    withAi({ config: { OPENAI_API_KEY: "sk-wrong-secret" } }, (openai) =>
      Effect.gen(function*() {
        const error = yield* (yield* Ai).captionPair(sampleAnalysis).pipe(Effect.flip)
        expect(error.status).toBe(401)
        expect(JSON.stringify(error)).not.toContain("sk-wrong-secret")
        expect(openai.calls["chat/completions"]).toBe(1)
      })))

  it.effect("all calls share one rate limiter (AI_RATE_PER_MINUTE)", () =>
    withAi({ config: { AI_RATE_PER_MINUTE: "2" } }, (openai) =>
      Effect.gen(function*() {
        const ai = yield* Ai
        const fiber = yield* Effect.all([
          ai.captionPair(sampleAnalysis),
          ai.analyze(image),
          ai.captionPair(sampleAnalysis)
        ], {
          concurrency: "unbounded"
        }).pipe(Effect.fork)
        yield* realSleep(300)
        expect(openai.calls["chat/completions"]).toBe(2)
        yield* TestClock.adjust("31 seconds")
        const results = yield* Fiber.join(fiber)
        expect(results).toHaveLength(3)
        expect(openai.calls["chat/completions"]).toBe(3)
      })))
})
