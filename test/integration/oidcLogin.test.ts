import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer } from "effect"
import { createServer } from "node:net"
import { explainFailure } from "../../src/cli/failure.js"
import { makeWebContext } from "../../src/http/WebContext.js"
import { startOidcProvider, type TestProvider } from "../support/oidcProvider.js"
import { startWebSandbox } from "../support/webServer.js"

/** A port nothing listens on now (the web server takes it next: the provider must know its callback first). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const cookieOf = (response: Response, name: string) =>
  response.headers.getSetCookie().map((c) => c.split(";")[0]!).find((c) =>
    c.startsWith(`${name}=`) && c.length > name.length + 1
  )

/** The server and the provider, with single sign-on only (no admin password). */
const startBoth = Effect.gen(function*() {
  const port = yield* Effect.promise(freePort)
  const url = `http://127.0.0.1:${port}`
  const provider = yield* Effect.acquireRelease(
    Effect.promise(() => startOidcProvider({ redirectUrl: `${url}/auth/callback`, postLogoutRedirectUrl: `${url}/` })),
    (p: TestProvider) => Effect.promise(() => p.close())
  )
  yield* startWebSandbox({
    images: 1,
    port,
    config: {
      web_admin_pw: "",
      PUBLIC_URL: url,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_REDIRECT_URL: `${url}/auth/callback`,
      OIDC_ALLOWED_EMAILS: "admin@example.com"
    }
  })
  /** /auth/login, the provider's pages, and the callback URL it sends the browser back to. */
  const signIn = Effect.promise(async () => {
    const start = await fetch(`${url}/auth/login`, { redirect: "manual" })
    expect(start.status).toBe(302)
    const flow = cookieOf(start, "publisher_oidc")!
    const callback = await provider.login(start.headers.get("location")!)
    return { flow, callback }
  })
  const visit = (target: URL | string, cookie = "") =>
    Effect.promise(() => fetch(target, { redirect: "manual", headers: { cookie } }))
  const isAdmin = (cookie: string) =>
    Effect.promise(async () =>
      ((await (await fetch(`${url}/api/admin/status`, { headers: { cookie } })).json()) as { admin: boolean }).admin
    )
  return { provider, url, signIn, visit, isAdmin }
})

describe("admin login with OpenID Connect (the server against oidc-provider on loopback)", () => {
  it.live(
    "sign in, the admin session, features say oidc, logout ends it; a replayed callback gets nothing",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { isAdmin, signIn, url, visit } = yield* startBoth
        const features = yield* Effect.promise(() => fetch(`${url}/api/config/features`).then((r) => r.json()))
        expect(features).toMatchObject({ auth_mode: "oidc", password_login_enabled: false })
        const { callback, flow } = yield* signIn
        const back = yield* visit(callback, flow)
        expect(back.status).toBe(302)
        expect(back.headers.get("location")).toBe("/")
        const session = cookieOf(back, "publisher_admin")!
        expect(yield* isAdmin(session)).toBe(true)
        // The same callback again (a replayed code): no second session.
        const replay = yield* visit(callback, flow)
        expect(replay.headers.get("location")).toBe("/?login_error=expired")
        expect(cookieOf(replay, "publisher_admin")).toBeUndefined()
        const out = yield* visit(`${url}/auth/logout`, session)
        expect(out.status).toBe(302)
        expect(out.headers.get("location")).toMatch(/\/session\/end\?|end_session|logout/)
        expect(yield* isAdmin(session)).toBe(false)
      })),
    60_000
  )

  it.live(
    "refused: a wrong state, an email not on the list, an expired ID token; none gets a session",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { provider, signIn, visit } = yield* startBoth
        const tampered = yield* signIn
        tampered.callback.searchParams.set("state", "not-the-state")
        const wrong = yield* visit(tampered.callback, tampered.flow)
        expect(wrong.headers.get("location")).toBe("/?login_error=state_mismatch")
        expect(cookieOf(wrong, "publisher_admin")).toBeUndefined()

        provider.loginAs = "stranger"
        const stranger = yield* signIn
        const refused = yield* visit(stranger.callback, stranger.flow)
        expect(refused.headers.get("location")).toBe("/?login_error=email_not_allowed")
        expect(cookieOf(refused, "publisher_admin")).toBeUndefined()

        provider.loginAs = "admin"
        provider.tokenClockOffsetSeconds = -600
        const late = yield* signIn
        const expired = yield* visit(late.callback, late.flow)
        expect(expired.headers.get("location")).toBe("/?login_error=invalid_token")
        expect(cookieOf(expired, "publisher_admin")).toBeUndefined()
        // A callback from a login this browser never started.
        provider.tokenClockOffsetSeconds = 0
        const foreign = yield* signIn
        expect((yield* visit(foreign.callback)).headers.get("location")).toBe("/?login_error=expired")
      })),
    60_000
  )

  it.effect("an issuer that does not answer stops the server at start with exit 2, naming it", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freePort)
      const config = ConfigProvider.fromMap(
        new Map(Object.entries({
          OIDC_ISSUER: `http://127.0.0.1:${port}/`,
          OIDC_CLIENT_ID: "publisher",
          OIDC_REDIRECT_URL: "http://127.0.0.1:8000/auth/callback",
          OIDC_ALLOWED_EMAILS: "admin@example.com"
        }))
      )
      const exit = yield* Layer.build(makeWebContext({ folder: "/photos", archiveFolder: null, maxAttempts: 3 })).pipe(
        Effect.scoped,
        Effect.withConfigProvider(config),
        Effect.exit
      )
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const explained = explainFailure(exit.cause)
        expect(explained.code).toBe(2)
        expect(explained.lines.join("\n")).toContain(`127.0.0.1:${port}`)
      }
    }))
})
