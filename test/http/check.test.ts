import { describe, expect, it } from "@effect/vitest"
import { Cron, Effect, Either } from "effect"
import type { CheckResult } from "../../src/domain/Check.js"
import { image } from "../support/fakes.js"
import { makeApi } from "../support/webApi.js"

const results: ReadonlyArray<CheckResult> = [
  { name: "state", status: "ok", detail: "SQLite x: 3 images posted", ms: 2 },
  { name: "telegram", status: "failed", detail: "Telegram getMe: Unauthorized", ms: 0 },
  { name: "instagram", status: "off", detail: "set INSTAGRAM_ACCESS_TOKEN", ms: 0 }
]

describe("GET /api/admin/check", () => {
  it("needs an admin session (an API token is not enough)", async () => {
    let runs = 0
    const { call } = makeApi({ images: [image("a.jpg")] }, {}, {
      checks: Effect.sync(() => runs++).pipe(Effect.as(results)),
      schedule: undefined
    })
    expect((await call("GET", "/api/admin/check")).status).toBe(403)
    expect(runs).toBe(0)
  })

  it("answers every check, ok false when one failed (off is not a failure), and the schedule's next time", async () => {
    const cron = Either.getOrThrow(Cron.parse("0 9 * * *", "UTC"))
    const { admin } = makeApi({ images: [image("a.jpg")] }, {}, {
      checks: Effect.succeed(results),
      schedule: { expression: "0 9 * * *", timeZone: "UTC", next: (now) => Cron.next(cron, now) }
    })
    const response = await admin("GET", "/api/admin/check")
    expect(response.status).toBe(200)
    const body = await response.json() as {
      ok: boolean
      checks: Array<CheckResult>
      schedule: { expression: string; time_zone: string; next_run_at: string }
    }
    expect(body.ok).toBe(false)
    expect(body.checks).toEqual(results)
    expect(body.schedule).toMatchObject({ expression: "0 9 * * *", time_zone: "UTC" })
    expect(body.schedule.next_run_at).toMatch(/T09:00:00\.000Z$/)
    expect(Date.parse(body.schedule.next_run_at)).toBeGreaterThan(Date.now())
    expect(Date.parse(body.schedule.next_run_at) - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000)
  })

  it("without a schedule: null; all ok: ok true", async () => {
    const { admin } = makeApi({ images: [image("a.jpg")] }, {}, {
      checks: Effect.succeed([results[0]!, results[2]!]),
      schedule: undefined
    })
    const body = await (await admin("GET", "/api/admin/check")).json() as { ok: boolean; schedule: unknown }
    expect(body).toMatchObject({ ok: true, schedule: null })
  })
})
