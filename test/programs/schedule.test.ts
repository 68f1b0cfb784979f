import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Either, Fiber, Metric, TestClock } from "effect"
import type { RunResult } from "../../src/domain/RunResult.js"
import { parseSchedule, runOnSchedule } from "../../src/programs/schedule.js"
import { scheduledRuns } from "../../src/services/telemetry/metrics.js"

const cronOf = (expression: string, zone = "UTC") => Either.getOrThrow(parseSchedule(expression, zone)).cron
const result = { image: "a.jpg", ok: true, message: "Posted a.jpg" } as RunResult
const iso = (ms: number) => new Date(ms).toISOString()

describe("runOnSchedule (PUBLISH_SCHEDULE)", () => {
  it.effect("runs at each time the cron matches, never before; a failed run is logged and the schedule goes on", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-12-01T08:59:00Z"))
      const counted = (outcome: string) =>
        Metric.value(Metric.tagged(scheduledRuns, "outcome", outcome)).pipe(Effect.map((c) => c.count))
      const [posted, failed] = [yield* counted("posted"), yield* counted("failed")]
      const runs: Array<string> = []
      const run = Effect.gen(function*() {
        runs.push(iso(yield* Clock.currentTimeMillis))
        return runs.length === 2 ? yield* Effect.fail("storage down") : result
      })
      const fiber = yield* Effect.fork(runOnSchedule(cronOf("0 9 * * *"), run))
      yield* TestClock.adjust("59 seconds")
      expect(runs).toEqual([])
      yield* TestClock.adjust("1 second")
      expect(runs).toEqual(["2026-12-01T09:00:00.000Z"])
      yield* TestClock.adjust("1 days")
      yield* TestClock.adjust("1 days")
      expect(runs).toEqual(["2026-12-01T09:00:00.000Z", "2026-12-02T09:00:00.000Z", "2026-12-03T09:00:00.000Z"])
      expect([(yield* counted("posted")) - posted, (yield* counted("failed")) - failed]).toEqual([2, 1])
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("a run that overruns the next time is followed by the first time after it ends: runs never overlap", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-12-01T08:30:00Z"))
      const spans: Array<[string, string]> = []
      const run = Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        yield* Effect.sleep(spans.length === 0 ? "90 minutes" : "1 minute")
        spans.push([iso(start), iso(yield* Clock.currentTimeMillis)])
        return result
      })
      const fiber = yield* Effect.fork(runOnSchedule(cronOf("0 * * * *"), run))
      yield* TestClock.adjust("4 hours")
      expect(spans.slice(0, 3)).toEqual([
        ["2026-12-01T09:00:00.000Z", "2026-12-01T10:30:00.000Z"],
        ["2026-12-01T11:00:00.000Z", "2026-12-01T11:01:00.000Z"],
        ["2026-12-01T12:00:00.000Z", "2026-12-01T12:01:00.000Z"]
      ])
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("the time zone is the schedule's (PUBLISH_SCHEDULE_TZ): 9:00 in Zurich is 8:00 UTC in winter", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-12-01T07:00:00Z"))
      const runs: Array<string> = []
      const fiber = yield* Effect.fork(
        runOnSchedule(
          cronOf("0 9 * * *", "Europe/Zurich"),
          Clock.currentTimeMillis.pipe(Effect.map((t) => void runs.push(iso(t))), Effect.as(result))
        )
      )
      yield* TestClock.adjust("2 hours")
      expect(runs).toEqual(["2026-12-01T08:00:00.000Z"])
      yield* Fiber.interrupt(fiber)
    }))

  it("parseSchedule: 5 or 6 fields; a bad expression or time zone says which and why", () => {
    expect(Either.isRight(parseSchedule("*/15 * * * *", "UTC"))).toBe(true)
    expect(Either.isRight(parseSchedule("30 0 9 * * 1-5", "America/New_York"))).toBe(true)
    expect(parseSchedule("every day", "UTC")).toMatchObject({ _tag: "Left", left: { field: "cron" } })
    expect(parseSchedule("0 9 * * *", "Mars/Olympus")).toMatchObject({
      _tag: "Left",
      left: { field: "timeZone", message: expect.stringMatching(/unknown time zone "Mars\/Olympus"/) }
    })
  })
})
