import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startOtlpCollector } from "../../src/sandbox/otlp.js"
import { SANDBOX_CREDENTIALS, startSandbox } from "../../src/sandbox/sandbox.js"
import { cli } from "../support/cli.js"
import { ADMIN_PASSWORD, API_TOKEN, startWebSandbox } from "../support/webServer.js"

const WRONG = {
  openAiKey: "sk-wrong-openai-key-0123456789",
  emailPassword: "wrong-smtp-password-0123456789",
  instagramToken: "wrong-instagram-token-0123456789",
  telegramToken: "999999:wrong-telegram-token-0123456789",
  dropboxSecret: "wrong-dropbox-secret-0123456789"
}
const SECRETS = [
  ...Object.values(SANDBOX_CREDENTIALS).filter((v) => /secret|token|password|sk-/.test(v)),
  ...Object.values(WRONG),
  ADMIN_PASSWORD,
  API_TOKEN
]

const leaks = (text: string) => SECRETS.filter((secret) => text.includes(secret))

describe("no configured secret ever leaves the process", () => {
  it.live(
    "CLI runs through successes and injected failures: logs, results, spans, metrics",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 4 })
        const collector = yield* Effect.acquireRelease(
          Effect.promise(startOtlpCollector),
          (c) => Effect.promise(c.close)
        )
        const env = {
          ...Object.fromEntries(sandbox.config),
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          LOG_LEVEL: "All"
        }
        const outputs: Array<string> = []
        const run = (overrides: Record<string, string> = {}, args: ReadonlyArray<string> = ["run", "--json"]) =>
          Effect.promise(() => cli(args, { ...env, ...overrides })).pipe(
            Effect.tap((r) => Effect.sync(() => outputs.push(r.stdout, r.stderr)))
          )

        expect((yield* run()).code).toBe(0)
        sandbox.openai.inject("chat/completions", { status: 429, retryAfterSeconds: 1, times: 1 })
        sandbox.dropbox.inject("files/download", { status: 500, times: 1 })
        sandbox.telegram.inject("sendPhoto", { status: 502, times: 1 })
        sandbox.instagram.inject("media", { status: 400, times: 1 })
        sandbox.smtp.rejectNext(554)
        yield* run()
        expect(
          (yield* run({
            OPENAI_API_KEY: WRONG.openAiKey,
            EMAIL_PASSWORD: WRONG.emailPassword,
            INSTAGRAM_ACCESS_TOKEN: WRONG.instagramToken,
            TELEGRAM_BOT_TOKEN: WRONG.telegramToken
          })).code
        ).not.toBe(0)
        expect((yield* run({ DROPBOX_APP_SECRET: WRONG.dropboxSecret })).code).toBe(1)
        yield* run({ TELEGRAM_BOT_TOKEN: WRONG.telegramToken, OPENAI_API_KEY: WRONG.openAiKey }, [
          "sandbox",
          "--images",
          "1",
          "--json"
        ])

        expect(outputs.join("").length).toBeGreaterThan(1000)
        expect(leaks(outputs.join("\n"))).toEqual([])
        expect(Object.values(collector.bodies).flat().length).toBeGreaterThan(0)
        expect(leaks(Object.values(collector.bodies).flat().join("\n"))).toEqual([])
      })),
    180_000
  )

  it.live(
    "HTTP responses and /metrics never carry a secret, whatever the request",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { sandbox, url } = yield* startWebSandbox({ images: 2 })
        const bodies: Array<string> = []
        const send = (path: string, init: RequestInit = {}) =>
          Effect.promise(async () => {
            const response = await fetch(`${url}${path}`, init)
            bodies.push(JSON.stringify([...response.headers]), await response.text())
          })
        yield* send("/api/images/random")
        yield* send("/api/images/random", { headers: { authorization: `Bearer ${WRONG.openAiKey}` } })
        yield* send("/api/admin/login", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ password: WRONG.emailPassword })
        })
        yield* send("/api/admin/login", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{not json"
        })
        sandbox.dropbox.inject("files/list_folder", { status: 500 })
        yield* send("/api/images/random", { headers: { authorization: `Bearer ${API_TOKEN}` } })
        yield* send("/metrics")
        yield* send("/openapi.json")
        expect(leaks(bodies.join("\n"))).toEqual([])
      })),
    60_000
  )
})
