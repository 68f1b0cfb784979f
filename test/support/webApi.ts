import { HttpApiBuilder, HttpServer } from "@effect/platform"
import { afterEach, expect } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { correlationMiddleware } from "../../src/http/correlation.js"
import { Operations } from "../../src/http/Operations.js"
import { webLayer } from "../../src/http/server.js"
import { type FakeOptions, makeFakes } from "./fakes.js"

export const PASSWORD = "correct horse battery staple"
export const TOKEN = "api-token-value"
export const ORIGIN = "http://publisher.test"

const baseConfig: Record<string, string> = {
  web_admin_pw: PASSWORD,
  WEB_AUTH_TOKEN: TOKEN,
  TELEGRAM_BOT_TOKEN: "x",
  PUBLIC_URL: ORIGIN
}
const folders = { folder: "/photos", archiveFolder: "/photos/archive", maxAttempts: 3 }

/** No service checked, no schedule (tests of the check endpoint pass their own). */
const noOperations: Operations["Type"] = { checks: Effect.succeed([]), schedule: undefined }

let disposers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(disposers.map((d) => d()))
  disposers = []
})

/** The whole API (real handlers, middleware, security) over recording fake services. */
export const makeApi = (
  fakes: FakeOptions,
  config: Record<string, string> = {},
  operations: Operations["Type"] = noOperations
) => {
  const { layer, rec } = makeFakes(fakes)
  const { dispose, handler } = HttpApiBuilder.toWebHandler(
    Layer.mergeAll(webLayer(folders), HttpServer.layerContext).pipe(
      Layer.provide(Layer.succeed(Operations, operations)),
      Layer.provide(layer),
      Layer.provide(
        Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ ...baseConfig, ...config }))))
      )
    ),
    { middleware: correlationMiddleware }
  )
  disposers.push(dispose)
  const call = (
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: unknown; raw?: string } = {}
  ) =>
    handler(
      new Request(`${ORIGIN}${path}`, {
        method,
        // An empty value leaves the header out (`authorization: ""`: an anonymous caller).
        headers: Object.entries({
          authorization: `Bearer ${TOKEN}`,
          ...(init.body !== undefined || init.raw !== undefined ? { "content-type": "application/json" } : {}),
          ...init.headers
        }).filter(([, v]) => v !== ""),
        ...(init.body !== undefined
          ? { body: JSON.stringify(init.body) }
          : init.raw !== undefined
          ? { body: init.raw }
          : {})
      })
    )
  const login = async () => {
    const response = await call("POST", "/api/admin/login", {
      body: { password: PASSWORD },
      headers: { origin: ORIGIN }
    })
    expect(response.status).toBe(200)
    const cookie = response.headers.get("set-cookie") ?? ""
    return cookie.split(";")[0]!
  }
  const admin = async (method: string, path: string, body?: unknown) => {
    const cookie = await login()
    return call(method, path, { headers: { cookie, origin: ORIGIN }, ...(body !== undefined ? { body } : {}) })
  }
  return { call, login, admin, rec }
}
