import { HttpServer } from "@effect/platform"
import autocannon from "autocannon"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { OperationsLive } from "../src/cli/commands/check.js"
import { appLayer } from "../src/cli/layers.js"
import { serveLayer } from "../src/http/server.js"
import { FolderConfig } from "../src/programs/RunOptions.js"
import { sandboxConfigProvider, startSandbox } from "../src/sandbox/sandbox.js"
import { Storage } from "../src/services/storage/Storage.js"

/** The foundation issue's Dropbox latencies (ms); a temporary link costs an API round trip. */
export const WEB_LATENCY = { list: 150, temporaryLink: 150, download: 250 } as const

export interface WebRow {
  readonly scenario: string
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly requests: number
  readonly dropboxCallsPerRequest: number
  readonly openAiCallsPerRequest: number
}

const TOKEN = "bench-token"
const sum = (calls: Record<string, number>, prefix: string) =>
  Object.entries(calls).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0)

/**
 * `/api/images/random` (warm and cold list cache) and `/api/images/{f}/analyze` with a sidecar,
 * under load on loopback (autocannon), beside publisher_v2's call sequence for the same request
 * (list, temporary link, sidecar download, image download: four sequential round trips) run
 * against the same emulator through the same Storage layer.
 */
export const webBench = async (seconds: number): Promise<Array<WebRow>> => {
  const rows: Array<WebRow> = []
  for (
    const scenario of [
      "random (warm list cache)",
      "random (cold: no list cache)",
      "analyze (sidecar present)",
      "publisher_v2 sequence (random)"
    ] as const
  ) {
    const scope = Effect.runSync(Scope.make())
    try {
      const started = await Effect.runPromise(
        Effect.gen(function*() {
          const sandbox = yield* startSandbox({
            images: 8,
            latency: {
              dropbox: {
                "files/list_folder": WEB_LATENCY.list,
                "files/get_temporary_link": WEB_LATENCY.temporaryLink,
                "files/download": WEB_LATENCY.download
              }
            }
          })
          const config = sandbox.config as Map<string, string>
          config.set("web_admin_pw", "bench")
          config.set("WEB_AUTH_TOKEN", TOKEN)
          config.set("WEB_IMAGE_LIST_TTL_SECONDS", scenario.includes("cold") ? "0" : "30")
          config.set("LOG_LEVEL", "None")
          const provider = Layer.setConfigProvider(sandboxConfigProvider(sandbox))
          const folders = yield* FolderConfig.pipe(Effect.provide(provider))
          // Sidecars for every image (written through the real layer), so analyze can use them.
          const context = yield* Layer.build(
            serveLayer(folders, { host: "127.0.0.1", port: 0 }).pipe(
              Layer.provide(OperationsLive),
              Layer.provideMerge(appLayer({ publish: true })),
              Layer.provide(provider)
            )
          )
          const storage = Context.get(context, Storage)
          const images = yield* storage.listImages(folders.folder)
          for (const image of images) {
            yield* storage.writeSidecar(
              image.path,
              `an sd caption for ${image.name}\n\n# ---\n# caption: A caption #photo\n`
            )
          }
          const address = Context.get(context, HttpServer.HttpServer).address
          return {
            sandbox,
            storage,
            folder: folders.folder,
            names: images.map((i) => i.name),
            url: address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : ""
          }
        }).pipe(Scope.extend(scope))
      )
      const { names, sandbox, storage, url } = started
      const before = { ...sandbox.calls() }
      let requests = 0
      let rps = 0
      let p50 = 0
      let p99 = 0
      if (scenario.startsWith("publisher_v2")) {
        // Ten workers, each doing the four sequential round trips, for the same duration.
        const latencies: Array<number> = []
        const until = Date.now() + seconds * 1000
        await Promise.all(Array.from({ length: 10 }, async () => {
          while (Date.now() < until) {
            const t = performance.now()
            await Effect.runPromise(Effect.gen(function*() {
              const list = yield* storage.listImages(started.folder)
              const image = list[Math.floor(Math.random() * list.length)]!
              yield* storage.temporaryLink(image.path)
              yield* storage.readSidecar(image.path)
              yield* storage.download(image.path)
            }))
            latencies.push(performance.now() - t)
          }
        }))
        latencies.sort((a, b) => a - b)
        requests = latencies.length
        rps = requests / seconds
        p50 = latencies[Math.floor(requests * 0.5)] ?? 0
        p99 = latencies[Math.floor(requests * 0.99)] ?? 0
      } else {
        const analyze = scenario.startsWith("analyze")
        // Analyze needs the admin session; log in once.
        const cookie = analyze
          ? ((await fetch(`${url}/api/admin/login`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ password: "bench" })
          })).headers.get("set-cookie") ?? "").split(";")[0]!
          : ""
        let i = 0
        const result = await autocannon({
          url,
          connections: 10,
          duration: seconds,
          requests: [{
            method: analyze ? "POST" : "GET",
            setupRequest: (req) => ({
              ...req,
              path: analyze
                ? `/api/images/${encodeURIComponent(names[i++ % names.length]!)}/analyze`
                : "/api/images/random",
              headers: { ...req.headers, authorization: `Bearer ${TOKEN}`, ...(cookie ? { cookie } : {}) }
            })
          }]
        })
        if (result.non2xx > 0) throw new Error(`${scenario}: ${result.non2xx} non-2xx answers`)
        requests = result.requests.total
        rps = result.requests.average
        p50 = result.latency.p50
        p99 = result.latency.p99
      }
      const after = sandbox.calls()
      const delta = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]))
      rows.push({
        scenario,
        rps,
        p50,
        p99,
        requests,
        dropboxCallsPerRequest: sum(delta, "dropbox:") / Math.max(1, requests),
        openAiCallsPerRequest: sum(delta, "openai:") / Math.max(1, requests)
      })
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }
  return rows
}
