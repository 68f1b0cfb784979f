import { describe, expect, it } from "@effect/vitest"
import { Cause, Config, ConfigProvider, Effect, Exit } from "effect"
import { explainFailure } from "../../src/cli/failure.js"
import { UsageError } from "../../src/domain/Errors.js"
import { WebConfig } from "../../src/http/config.js"
import { CaptionHistoryConfig } from "../../src/programs/prepare.js"
import { FolderConfig } from "../../src/programs/RunOptions.js"
import { AiConfig } from "../../src/services/ai/config.js"
import { NearDuplicateConfig } from "../../src/services/dedup/config.js"
import { HashWorkersConfig } from "../../src/services/phash/ImageHasher.js"

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
      Config.integer("AI_RATE_PER_MINUTE").pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["AI_RATE_PER_MINUTE", "lots"]])))
      )
    )
    expect(explainFailure(cause)).toEqual({
      code: 2,
      lines: [expect.stringMatching(/^error: invalid configuration variable AI_RATE_PER_MINUTE/)]
    })
  })

  it("a value out of range names its variable (checked before the default applies)", () => {
    const cases: ReadonlyArray<readonly [Config.Config<unknown>, string, string]> = [
      [WebConfig, "PORT", "70000"],
      [WebConfig, "WEB_ADMIN_COOKIE_TTL_SECONDS", "5"],
      [WebConfig, "WEB_ADMIN_COOKIE_TTL_SECONDS", "2592001"],
      [WebConfig, "WEB_IMAGE_LIST_TTL_SECONDS", "-1"],
      [FolderConfig, "PUBLISH_MAX_ATTEMPTS", "0"],
      [FolderConfig, "IMAGE_FOLDER", " "],
      [AiConfig, "AI_RATE_PER_MINUTE", "0"],
      [AiConfig, "VISION_MAX_DIMENSION", "100"],
      [AiConfig, "VISION_DETAIL", "ultra"],
      [AiConfig, "CAPTION_EXAMPLES", "one, two"],
      [AiConfig, "CAPTION_EXAMPLES", JSON.stringify(Array.from({ length: 21 }, (_, i) => `caption ${i}`))],
      [NearDuplicateConfig, "NEAR_DUPLICATE_DISTANCE", "33"],
      [NearDuplicateConfig, "NEAR_DUPLICATE_MAX_SKIPS", "-1"],
      [HashWorkersConfig, "PHASH_WORKERS", "0"],
      [CaptionHistoryConfig, "CAPTION_HISTORY", "51"]
    ]
    const base = new Map([["IMAGE_FOLDER", "/Photos"], ["OPENAI_API_KEY", "k"]])
    for (const [config, name, value] of cases) {
      const provider = ConfigProvider.fromMap(new Map([...base, [name, value]]))
      expect(Exit.isSuccess(Effect.runSyncExit(config.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(base))))))
        .toBe(true)
      const explained = explainFailure(failureOf(config.pipe(Effect.withConfigProvider(provider))))
      expect(explained.code).toBe(2)
      expect(explained.lines[0]).toMatch(new RegExp(`^error: invalid configuration variable ${name}: `))
    }
  })

  it("usage errors exit 2, run failures exit 1, with one line and no stack", () => {
    expect(explainFailure(Cause.fail(new UsageError({ message: "bad" })))).toEqual({ code: 2, lines: ["error: bad"] })
    const failed = explainFailure(Cause.fail({ _tag: "StorageError", message: "list failed" }))
    expect(failed.code).toBe(1)
    expect(failed.lines).toEqual(["error: StorageError: list failed"])
  })
})
