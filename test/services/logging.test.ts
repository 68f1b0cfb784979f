import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Logger, LogLevel } from "effect"
import { jsonLineLogger, LogConfig } from "../../src/services/logging/Logging.js"

describe("JSON log lines", () => {
  it.effect("put timestamp, level, message, correlation_id and the *_ms fields at the top level", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.map(jsonLineLogger, (line) => void lines.push(line))
      yield* Effect.logInfo("workflow_timing").pipe(
        Effect.annotateLogs({ dropbox_list_images_ms: 12, publish_parallel_ms: 400 }),
        Effect.annotateLogs("correlation_id", "abc"),
        Effect.provide(Logger.replace(Logger.defaultLogger, capture))
      )
      expect(lines).toHaveLength(1)
      const line = JSON.parse(lines[0]!) as Record<string, unknown>
      expect(line).toMatchObject({
        level: "INFO",
        message: "workflow_timing",
        correlation_id: "abc",
        dropbox_list_images_ms: 12,
        publish_parallel_ms: 400
      })
      expect(typeof line["timestamp"]).toBe("string")
    }))
})

describe("LOG_LEVEL", () => {
  const levelOf = (value: string) =>
    Effect.runSync(
      Effect.either(LogConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["LOG_LEVEL", value]])))))
    ).pipe(
      Either.map((c) => c.level)
    )
  it("takes the names the README lists and Effect's, in any case", () => {
    expect(levelOf("Warning")).toEqual(Either.right(LogLevel.Warning))
    expect(levelOf("WARN")).toEqual(Either.right(LogLevel.Warning))
    expect(levelOf("none")).toEqual(Either.right(LogLevel.None))
    expect(levelOf("OFF")).toEqual(Either.right(LogLevel.None))
    expect(levelOf(" debug ")).toEqual(Either.right(LogLevel.Debug))
    expect(levelOf("All")).toEqual(Either.right(LogLevel.All))
  })

  it("anything else is a configuration error", () => {
    expect(Either.isLeft(levelOf("loud"))).toBe(true)
  })
})
