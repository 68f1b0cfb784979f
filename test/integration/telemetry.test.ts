import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startOtlpCollector } from "../../src/sandbox/otlp.js"
import { SANDBOX_CREDENTIALS, startSandbox } from "../../src/sandbox/sandbox.js"
import { parseResourceAttributes } from "../../src/services/telemetry/Telemetry.js"
import { cli, startSandboxServer } from "../support/cli.js"

describe("OpenTelemetry export (OTLP/HTTP) from the real CLI", () => {
  it.live(
    "one trace per run, a span per stage and external call, correlation_id everywhere, flushed before exit",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 2 })
        const collector = yield* Effect.acquireRelease(
          Effect.promise(startOtlpCollector),
          (c) => Effect.promise(c.close)
        )
        const env = {
          ...Object.fromEntries(sandbox.config),
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_SERVICE_NAME: "publisher-test",
          OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=ci,team=photos"
        }
        sandbox.openai.inject("chat/completions", { status: 429, retryAfterSeconds: 1, times: 1 })
        const run = yield* Effect.promise(() => cli(["run", "--json"], env))
        expect(run.code).toBe(0)
        const result = JSON.parse(run.stdout) as { correlation_id: string }

        const spans = collector.spans
        const names = new Set(spans.map((s) => s.name))
        for (
          const name of [
            "workflow.publishOne",
            "storage.list_images",
            "storage.download",
            "ai.analyze",
            "ai.caption_pair",
            "sidecar.write",
            "publish.telegram",
            "publish.email",
            "publish.instagram",
            "archive"
          ]
        ) {
          expect(names, name).toContain(name)
        }
        expect(new Set(spans.map((s) => s.traceId)).size).toBe(1)
        expect(spans.every((s) => s.attributes["correlation_id"] === result.correlation_id)).toBe(true)
        const ids = new Set(spans.map((s) => s.spanId))
        const roots = spans.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId))
        expect(roots.map((s) => s.name)).toEqual(["cli.run"])
        const byId = new Map(spans.map((s) => [s.spanId, s]))
        expect(byId.get(spans.find((s) => s.name === "workflow.publishOne")!.parentSpanId!)?.name).toBe("cli.run")
        expect(spans.find((s) => s.name === "publish.telegram")?.attributes["platform"]).toBe("telegram")
        // The 429 was retried once: the AI span says so; calls that went through at once say 0.
        expect(spans.find((s) => s.name === "ai.analyze")?.attributes["retry_count"]).toBe(1)
        expect(spans.find((s) => s.name === "ai.caption_pair")?.attributes["retry_count"]).toBe(0)
        expect(spans.find((s) => s.name === "storage.download")?.attributes["retry_count"]).toBe(0)
        expect(spans[0]!.resource).toMatchObject({
          "service.name": "publisher-test",
          "deployment.environment": "ci",
          team: "photos"
        })
        // No secret in anything exported.
        const exported = Object.values(collector.bodies).flat().join("\n")
        for (
          const secret of [
            SANDBOX_CREDENTIALS.openAiKey,
            SANDBOX_CREDENTIALS.telegramToken,
            SANDBOX_CREDENTIALS.dropboxAppSecret,
            SANDBOX_CREDENTIALS.dropboxRefreshToken,
            SANDBOX_CREDENTIALS.emailPassword,
            SANDBOX_CREDENTIALS.instagramToken
          ]
        ) {
          expect(exported).not.toContain(secret)
        }
      })),
    90_000
  )

  it.live(
    "the HTTP server: one trace per request, correlation_id on the request's spans",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const collector = yield* Effect.acquireRelease(
          Effect.promise(startOtlpCollector),
          (c) => Effect.promise(c.close)
        )
        const server = startSandboxServer(["--images", "2"], {
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          WEB_AUTH_TOKEN: "t0ken"
        })
        yield* Effect.addFinalizer(() => Effect.sync(server.stop))
        const { url } = yield* Effect.promise(() => server.ready)
        const get = (id: string) =>
          Effect.promise(() =>
            fetch(`${url}/api/images/random`, { headers: { authorization: "Bearer t0ken", "x-request-id": id } }).then((
              r
            ) => r.status)
          )
        expect(yield* get("req-a")).toBe(200)
        expect(yield* get("req-b")).toBe(200)
        for (
          let i = 0;
          i < 100 &&
          !["req-a", "req-b"].every((id) => collector.spans.some((s) => s.attributes["correlation_id"] === id));
          i++
        ) {
          yield* Effect.sleep("100 millis")
        }
        const traceOf = (id: string) =>
          new Set(collector.spans.filter((s) => s.attributes["correlation_id"] === id).map((s) => s.traceId))
        expect(traceOf("req-a").size).toBe(1)
        expect(traceOf("req-b").size).toBe(1)
        expect([...traceOf("req-a")][0]).not.toBe([...traceOf("req-b")][0])
        const names = collector.spans.filter((s) => s.traceId === [...traceOf("req-a")][0]).map((s) => s.name)
        expect(names).toEqual(expect.arrayContaining(["http.web_random_image", "storage.temporary_link"]))
      })),
    90_000
  )

  it("parses OTEL_RESOURCE_ATTRIBUTES", () => {
    expect(parseResourceAttributes("a=1, b = two ,bad,c=%20x%2C")).toEqual({ a: "1", b: "two", c: " x," })
  })
})
