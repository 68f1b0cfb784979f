import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { startSandbox } from "../../src/sandbox/sandbox.js"
import { root } from "../support/cli.js"
import { until } from "../support/wait.js"

describe("Procfile (Heroku-style platforms, where publisher_v2 ran)", () => {
  it.live(
    "its web process serves on $PORT on every interface, with the platform's environment",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const web = /^web: (.+)$/m.exec(readFileSync(join(root, "Procfile"), "utf8"))?.[1]
        expect(web).toBeDefined()
        const sandbox = yield* startSandbox({ images: 1 })
        let stderr = ""
        const child = yield* Effect.acquireRelease(
          Effect.sync(() =>
            spawn("sh", ["-c", web!], {
              cwd: root,
              env: {
                PATH: process.env["PATH"] ?? "",
                HOME: process.env["HOME"] ?? "/tmp",
                ...Object.fromEntries(sandbox.config),
                PORT: "0",
                web_admin_pw: "pw"
              },
              stdio: ["ignore", "ignore", "pipe"]
            })
          ),
          (c) => Effect.sync(() => c.kill("SIGINT"))
        )
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
        yield* until(
          () => /Listening on http:\/\/0\.0\.0\.0:\d+/.test(stderr) || child.exitCode !== null,
          "the server to listen"
        )
        const port = /Listening on http:\/\/0\.0\.0\.0:(\d+)/.exec(stderr)?.[1]
        expect(port, stderr).toBeDefined()
        const live = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/health/live`))
        expect(live.status).toBe(200)
        // On every interface with Secure cookies and no https PUBLIC_URL, and answering loopback names only: said at
        // start.
        expect(stderr).toMatch(/serve_secure_cookies_without_https/)
        expect(stderr).toMatch(/serve_loopback_hosts_only/)
        // A login from elsewhere is logged with the client's address.
        const login = yield* Effect.promise(() =>
          fetch(`http://127.0.0.1:${port}/api/admin/login`, {
            method: "POST",
            headers: { "content-type": "application/json", origin: `http://127.0.0.1:${port}` },
            body: JSON.stringify({ password: "wrong" })
          })
        )
        expect(login.status).toBe(401)
        yield* until(() => /web_admin_login_failed/.test(stderr), "the failed login to be logged")
        expect(stderr).toMatch(/web_admin_login_failed[^\n]*"client":"127\.0\.0\.1"/)
      })),
    60_000
  )
})
