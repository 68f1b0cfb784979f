import { describe, expect, it } from "@effect/vitest"
import { Cause, Config, ConfigProvider, Effect, Exit } from "effect"
import { UsageError } from "../../src/domain/Errors.js"
import { explainFailure } from "../../src/cli/failure.js"

const failureOf = <A, E>(effect: Effect.Effect<A, E>) => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return exit.cause
}

describe("explainFailure", () => {
  it("names each missing variable and exits 2", () => {
    const cause = failureOf(
      Config.all([Config.string("IMAGE_FOLDER"), Config.redacted("OPENAI_API_KEY")]).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
      )
    )
    const explained = explainFailure(cause)
    expect(explained.code).toBe(2)
    expect(explained.lines.join("\n")).toContain("IMAGE_FOLDER")
    expect(explained.lines.join("\n")).toContain("OPENAI_API_KEY")
  })

  it("names an invalid variable", () => {
    const cause = failureOf(
      Config.integer("AI_RATE_PER_MINUTE").pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["AI_RATE_PER_MINUTE", "lots"]]))))
    )
    expect(explainFailure(cause)).toEqual({
      code: 2,
      lines: [expect.stringMatching(/^error: invalid configuration variable AI_RATE_PER_MINUTE/)]
    })
  })

  it("usage errors exit 2, run failures exit 1, with one line and no stack", () => {
    expect(explainFailure(Cause.fail(new UsageError({ message: "bad" })))).toEqual({ code: 2, lines: ["error: bad"] })
    const failed = explainFailure(Cause.fail({ _tag: "StorageError", message: "list failed" }))
    expect(failed.code).toBe(1)
    expect(failed.lines).toEqual(["error: StorageError: list failed"])
  })
})
