import { HttpServer } from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import { OperationsLive } from "../../src/cli/commands/check.js"
import { appLayer } from "../../src/cli/layers.js"
import { serveLayer } from "../../src/http/server.js"
import { FolderConfig } from "../../src/programs/RunOptions.js"
import { sandboxConfigProvider, type SandboxOptions, startSandbox } from "../../src/sandbox/sandbox.js"

export const ADMIN_PASSWORD = "sandbox admin password"
export const API_TOKEN = "sandbox-api-token"

/**
 * A sandbox plus the real HTTP server (real layers, a real socket on a random port) for the
 * scope's lifetime.
 */
export const startWebSandbox = (
  options: SandboxOptions & { readonly config?: Record<string, string>; readonly port?: number }
) =>
  Effect.gen(function*() {
    const sandbox = yield* startSandbox(options)
    const config = sandbox.config as Map<string, string>
    config.set("web_admin_pw", ADMIN_PASSWORD)
    config.set("WEB_AUTH_TOKEN", API_TOKEN)
    config.set("WEB_SECURE_COOKIES", "false")
    for (const [k, v] of Object.entries(options.config ?? {})) config.set(k, v)
    const provider = Layer.setConfigProvider(sandboxConfigProvider(sandbox))
    const folders = yield* FolderConfig.pipe(Effect.provide(provider))
    const context = yield* Layer.build(
      serveLayer(folders, { host: "127.0.0.1", port: options.port ?? 0 }).pipe(
        Layer.provide(OperationsLive),
        Layer.provide(appLayer({ publish: true })),
        Layer.provide(provider)
      )
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    return { sandbox, url: `http://127.0.0.1:${address.port}` }
  })
