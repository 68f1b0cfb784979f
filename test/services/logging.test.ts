import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { jsonLineLogger } from "../../src/services/logging/Logging.js"

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
      expect(line).toMatchObject({ level: "INFO", message: "workflow_timing", correlation_id: "abc", dropbox_list_images_ms: 12, publish_parallel_ms: 400 })
      expect(typeof line["timestamp"]).toBe("string")
    }))
})
