import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { startSandbox } from "../../src/sandbox/sandbox.js"
import { cli } from "../support/cli.js"

interface Report {
  readonly ok: boolean
  readonly checks: ReadonlyArray<{ readonly name: string; readonly status: string; readonly detail: string }>
}

describe("publisher check (the real CLI against the emulators)", () => {
  it.live(
    "every service answers: exit 0, and nothing is posted, moved or spent",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 3 })
        const run = yield* Effect.promise(() => cli(["check", "--json"], Object.fromEntries(sandbox.config)))
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        const report = JSON.parse(run.stdout) as Report
        expect(report.ok).toBe(true)
        expect(Object.fromEntries(report.checks.map((c) => [c.name, [c.status, c.detail]]))).toEqual({
          state: ["ok", expect.stringMatching(/^SQLite .*state\.db: 0 images posted$/)],
          storage: ["ok", "dropbox /Photos: 3 images"],
          openai: [
            "ok",
            expect.stringMatching(/accepts the key; models gpt-4o \(vision\) and gpt-4o-mini \(captions\) exist$/)
          ],
          telegram: ["ok", "bot @publisher_sandbox_bot posts to \"Sandbox channel\" (channel, administrator)"],
          instagram: ["ok", "@publisher_sandbox: 0 of 100 posts used in the last 24 hours"],
          email: [
            "ok",
            expect.stringMatching(
              /^127\.0\.0\.1:\d+ accepted the login of publisher@sandbox\.test; mail goes to uploads@sandbox\.test$/
            )
          ],
          settings: ["ok", "every setting run, schedule and serve read is valid"]
        })
        expect([sandbox.telegram.messages.length, sandbox.smtp.messages.length, sandbox.instagram.media.length])
          .toEqual([0, 0, 0])
        expect(sandbox.openai.calls["chat/completions"] ?? 0).toBe(0)
        expect(sandbox.dropbox.calls["files/download"] ?? 0).toBe(0)
        expect(sandbox.dropbox.calls["files/move_batch_v2"] ?? 0).toBe(0)

        const text = yield* Effect.promise(() => cli(["check"], Object.fromEntries(sandbox.config)))
        expect(text.stdout.split("\n")[0]).toMatch(/^state +ok +SQLite .* \(\d+ ms\)$/)
      })),
    60_000
  )

  it.live(
    "each failure is reported on its own line, the others still checked; exit 1; a platform left off is not a failure",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 1 })
        const env = {
          ...Object.fromEntries([...sandbox.config].filter(([name]) => name !== "IMAGE_FOLDER")),
          TELEGRAM_BOT_TOKEN: "1:wrong-token",
          EMAIL_PASSWORD: "wrong-password",
          OPENAI_API_KEY: "sk-wrong",
          INSTAGRAM_ENABLED: "false"
        }
        const run = yield* Effect.promise(() => cli(["check", "--json"], env))
        expect(run.code).toBe(1)
        const report = JSON.parse(run.stdout) as Report
        expect(report.ok).toBe(false)
        expect(Object.fromEntries(report.checks.map((c) => [c.name, [c.status, c.detail]]))).toEqual({
          state: ["ok", expect.any(String)],
          storage: ["failed", "missing configuration variable IMAGE_FOLDER"],
          openai: ["failed", expect.stringMatching(/HTTP 401/)],
          telegram: ["failed", "Telegram getMe: Unauthorized"],
          instagram: ["off", "set INSTAGRAM_ACCESS_TOKEN (or INSTAGRAM_ENABLED=true) to publish here"],
          email: ["failed", expect.stringMatching(/SMTP login failed/)],
          settings: ["failed", "missing configuration variable IMAGE_FOLDER"]
        })
        for (const secret of ["sk-wrong", "wrong-password", "wrong-token"]) {
          expect(run.stdout + run.stderr).not.toContain(secret)
        }
      })),
    60_000
  )

  it.live(
    "check refuses what run would refuse (a bad NEAR_DUPLICATE_DISTANCE, PUBLISH_SCHEDULE), and a silent service fails within CHECK_TIMEOUT_SECONDS",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 1 })
        // Accepts connections and never answers.
        const silent = yield* Effect.acquireRelease(
          Effect.async<Server>((resume) => {
            const server = createServer(() => {})
            server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
          }),
          (server) => Effect.sync(() => server.close())
        )
        const env = {
          ...Object.fromEntries(sandbox.config),
          NEAR_DUPLICATE_DISTANCE: "abc",
          PUBLISH_SCHEDULE: "every morning",
          OPENAI_BASE_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`,
          CHECK_TIMEOUT_SECONDS: "2"
        }
        const started = Date.now()
        const run = yield* Effect.promise(() => cli(["check", "--json"], env))
        expect(Date.now() - started).toBeLessThan(30_000)
        expect(run.code).toBe(1)
        const checks = Object.fromEntries((JSON.parse(run.stdout) as Report).checks.map((c) => [c.name, c]))
        expect(checks["settings"]).toMatchObject({
          status: "failed",
          detail: expect.stringMatching(/NEAR_DUPLICATE_DISTANCE/)
        })
        expect(checks["openai"]).toMatchObject({
          status: "failed",
          detail: "no answer within 2 s (CHECK_TIMEOUT_SECONDS)"
        })
        const refused = yield* Effect.promise(() => cli(["run", "--preview"], env))
        expect(refused.code).toBe(2)
        expect(refused.stderr).toMatch(/NEAR_DUPLICATE_DISTANCE/)
      })),
    60_000
  )

  it.live(
    "FEATURE_PUBLISH=false: every platform is off, saying why; exit 0",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 1 })
        const run = yield* Effect.promise(() =>
          cli(["check", "--json"], { ...Object.fromEntries(sandbox.config), FEATURE_PUBLISH: "false" })
        )
        expect(run.code).toBe(0)
        const report = JSON.parse(run.stdout) as Report
        expect(
          report.checks.filter((c) => ["telegram", "instagram", "email"].includes(c.name)).map((
            c
          ) => [c.status, c.detail])
        ).toEqual([
          ["off", "FEATURE_PUBLISH=false: nothing is published"],
          ["off", "FEATURE_PUBLISH=false: nothing is published"],
          ["off", "FEATURE_PUBLISH=false: nothing is published"]
        ])
      })),
    60_000
  )
})
