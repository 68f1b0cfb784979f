import { generateKeyPairSync } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import Provider, { type Adapter, type AdapterPayload, type Configuration } from "oidc-provider"

/**
 * A real OpenID provider (panva's certified oidc-provider) on 127.0.0.1. Its login and consent are done by a
 * small interaction route that signs in as `loginAs` at once, so a test drives the whole authorization code
 * flow with plain fetch (`login`).
 */
export interface TestProvider {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUrl: string
  /** The account the next login signs in as (a key of ACCOUNTS). */
  loginAs: keyof typeof ACCOUNTS
  /** Seconds added to the provider's clock while it answers the token endpoint (to issue expired ID tokens). */
  tokenClockOffsetSeconds: number
  /** Requests received per path ("/token", "/me" (userinfo), ...). */
  readonly requests: Map<string, number>
  /** Follows the authorization URL through the provider's redirects to the callback URL it sends the browser to. */
  readonly login: (authorizationUrl: string) => Promise<URL>
  readonly close: () => Promise<void>
}

export const ACCOUNTS = {
  admin: { email: "Admin@Example.com", email_verified: true },
  stranger: { email: "stranger@example.com", email_verified: true },
  unverified: { email: "admin@example.com", email_verified: false }
} as const

/** In-memory storage with the single-use semantics (consume) that replay detection relies on. */
const memoryAdapter = () => {
  const store = new Map<string, AdapterPayload>()
  return (model: string): Adapter => ({
    upsert: async (id, payload) => void store.set(`${model}:${id}`, payload),
    find: async (id) => store.get(`${model}:${id}`),
    findByUid: async (uid) => [...store.entries()].find(([k, p]) => k.startsWith(`${model}:`) && p.uid === uid)?.[1],
    findByUserCode: async (code) =>
      [...store.entries()].find(([k, p]) => k.startsWith(`${model}:`) && p.userCode === code)?.[1],
    consume: async (id) => {
      const payload = store.get(`${model}:${id}`)
      if (payload) payload.consumed = Math.floor(Date.now() / 1000)
    },
    destroy: async (id) => void store.delete(`${model}:${id}`),
    revokeByGrantId: async (grantId) => {
      for (const [key, payload] of store) if (payload.grantId === grantId) store.delete(key)
    }
  })
}

export const startOidcProvider = async (
  options: {
    readonly idTokenClaimsInIdToken?: boolean
    readonly redirectUrl?: string
    readonly postLogoutRedirectUrl?: string
  } = {}
): Promise<TestProvider> => {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end()
  const server = createServer((req, res) => handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const redirectUrl = options.redirectUrl ?? "http://127.0.0.1:1/auth/callback"
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" })

  const configuration: Configuration = {
    adapter: memoryAdapter(),
    clients: [{
      client_id: "publisher-admin",
      client_secret: "test-client-secret-0123456789",
      redirect_uris: [redirectUrl],
      post_logout_redirect_uris: [options.postLogoutRedirectUrl ?? redirectUrl],
      token_endpoint_auth_method: "client_secret_basic"
    }],
    jwks: { keys: [{ ...signingKey, kid: "test-key", alg: "RS256", use: "sig" }] as never },
    cookies: { keys: ["test-cookie-key-0123456789"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // false: email in the ID token even beside an access token (as Auth0 and Google do); true: userinfo only.
    conformIdTokenClaims: !(options.idTokenClaimsInIdToken ?? true),
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Numbers, not the defaults' functions, which print a notice when first called.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 60,
      Interaction: 600,
      Session: 600,
      Grant: 600,
      RefreshToken: 600
    },
    renderError: (ctx, out) => {
      ctx.type = "json"
      ctx.body = out
    },
    findAccount: (_ctx, id) => {
      const account = ACCOUNTS[id as keyof typeof ACCOUNTS]
      return account && { accountId: id, claims: () => ({ sub: id, name: id, ...account }) }
    }
  }
  const provider = new Provider(issuer, configuration)
  provider.app.silent = true

  const test: TestProvider = {
    issuer,
    clientId: "publisher-admin",
    clientSecret: "test-client-secret-0123456789",
    redirectUrl,
    loginAs: "admin",
    tokenClockOffsetSeconds: 0,
    requests: new Map(),
    login: async (authorizationUrl) => {
      const cookies = new Map<string, string>()
      let url = new URL(authorizationUrl)
      for (let hop = 0; hop < 10; hop++) {
        if (url.href.startsWith(redirectUrl)) return url
        const response = await fetch(url, {
          redirect: "manual",
          headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") }
        })
        for (const line of response.headers.getSetCookie()) {
          const [pair = ""] = line.split(";")
          const eq = pair.indexOf("=")
          cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
        }
        const location = response.headers.get("location")
        if (location === null) {
          throw new Error(`provider answered ${response.status} at ${url.pathname}: ${await response.text()}`)
        }
        url = new URL(location, url)
      }
      throw new Error("too many redirects")
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()))
        server.closeAllConnections()
      })
  }

  provider.use(async (ctx, next) => {
    test.requests.set(ctx.path, (test.requests.get(ctx.path) ?? 0) + 1)
    const interaction = /^\/interaction\/([^/]+)$/.exec(ctx.path)
    if (interaction) {
      const details = await provider.interactionDetails(ctx.req, ctx.res)
      const grant = new provider.Grant({ accountId: test.loginAs, clientId: String(details.params.client_id) })
      grant.addOIDCScope(String(details.params.scope))
      const result = { login: { accountId: test.loginAs }, consent: { grantId: await grant.save() } }
      ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }))
      return
    }
    if (ctx.path !== "/token") return next()
    const realNow = Date.now
    if (test.tokenClockOffsetSeconds !== 0) Date.now = () => realNow() + test.tokenClockOffsetSeconds * 1000
    try {
      await next()
    } finally {
      Date.now = realNow
    }
  })
  handler = provider.callback()
  return test
}
