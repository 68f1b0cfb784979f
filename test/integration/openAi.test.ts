import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { type OpenAiEmulator, startOpenAi, type OpenAiOptions } from "../../src/sandbox/openai.js"
import { Ai } from "../../src/services/ai/Ai.js"
import { AiLive } from "../../src/services/ai/OpenAiLive.js"
import { configLayer } from "../support/config.js"
import { sampleAnalysis } from "../support/fakes.js"

const image = { name: "a.jpg", bytes: new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]), mimeType: "image/jpeg" }

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
        expect(openai.requests).toMatchObject([{ model: "gpt-4o", schemaName: "image_analysis", maxCompletionTokens: 800, hasImage: true }])
      })
    ))

  it.live("captionPair is one call to the caption model", () =>
    withAi({ config: { OPENAI_CAPTION_MODEL: "small-model" } }, (openai) =>
      Effect.gen(function*() {
        const pair = yield* (yield* Ai).captionPair(sampleAnalysis)
        expect(pair.caption.length).toBeGreaterThan(0)
        expect(pair.sd_caption.length).toBeGreaterThan(0)
        expect(openai.calls["chat/completions"]).toBe(1)
        expect(openai.requests[0]).toMatchObject({ model: "small-model", schemaName: "caption_pair", hasImage: false })
      })
    ))

  it.live("CAPTION_SYSTEM_PROMPT replaces the voice and CAPTION_ROLE_PROMPT leads the request; the output rules stay", () =>
    Effect.gen(function*() {
      const custom = yield* withAi({ config: { CAPTION_SYSTEM_PROMPT: "You are a film photographer's dry wit.", CAPTION_ROLE_PROMPT: "Caption this frame:" } }, (openai) =>
        Ai.pipe(Effect.flatMap((ai) => ai.captionPair(sampleAnalysis)), Effect.map(() => openai.requests[0]!.messages)))
      expect(custom[0]!.role).toBe("system")
      expect(custom[0]!.text).toMatch(/^You are a film photographer's dry wit\.\n\nFrom the analysis of a photo, write two things/)
      expect(custom[0]!.text).not.toContain("You write for an Instagram and Telegram photo account.")
      expect(custom[1]!.text).toMatch(/^Caption this frame:\n\nPhoto analysis:\n\{/)
      const plain = yield* withAi({ config: { CAPTION_SYSTEM_PROMPT: "  " } }, (openai) =>
        Ai.pipe(Effect.flatMap((ai) => ai.captionPair(sampleAnalysis)), Effect.map(() => openai.requests[0]!.messages)))
      expect(plain[0]!.text).toMatch(/^You write for an Instagram and Telegram photo account\.\n\nFrom the analysis/)
      expect(plain[1]!.text).toMatch(/^Photo analysis:\n/)
    }))

  it.live("a reply that fails the schema is a typed AiError, not a crash, and is not retried", () =>
    withAi({ replyOverride: () => "{\"description\": 42}" }, (openai) =>
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
      })
    ))

  it.live("a wrong key is a permanent AiError that never shows the key", () =>
    withAi({ config: { OPENAI_API_KEY: "sk-wrong-secret" } }, (openai) =>
      Effect.gen(function*() {
        const error = yield* (yield* Ai).captionPair(sampleAnalysis).pipe(Effect.flip)
        expect(error.status).toBe(401)
        expect(JSON.stringify(error)).not.toContain("sk-wrong-secret")
        expect(openai.calls["chat/completions"]).toBe(1)
      })
    ))

  it.effect("all calls share one rate limiter (AI_RATE_PER_MINUTE)", () =>
    withAi({ config: { AI_RATE_PER_MINUTE: "2" } }, (openai) =>
      Effect.gen(function*() {
        const ai = yield* Ai
        const fiber = yield* Effect.all([ai.captionPair(sampleAnalysis), ai.analyze(image), ai.captionPair(sampleAnalysis)], {
          concurrency: "unbounded"
        }).pipe(Effect.fork)
        yield* realSleep(300)
        expect(openai.calls["chat/completions"]).toBe(2)
        yield* TestClock.adjust("31 seconds")
        const results = yield* Fiber.join(fiber)
        expect(results).toHaveLength(3)
        expect(openai.calls["chat/completions"]).toBe(3)
      })
    ))
})
