import { describe, expect, it } from "@effect/vitest"
import { startSandboxServer } from "../support/cli.js"

describe("publisher sandbox --serve", () => {
  it(
    "serves the admin API once it listens, printing the URL it got and the credentials from the environment",
    async () => {
      const server = startSandboxServer(["--images", "2"], { web_admin_pw: "given-password" })
      try {
        const { url, output } = await server.ready
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        expect(url).not.toBe("http://127.0.0.1:0")
        expect(output).toContain("given-password")
        const token = /WEB_AUTH_TOKEN, for scripts\): (\S+)/.exec(output)?.[1]
        expect(token).toBeDefined()
        // Printed only after the server is bound: the first request is answered.
        expect((await fetch(`${url}/health/ready`)).status).toBe(200)
        const random = await fetch(`${url}/api/images/random`, { headers: { authorization: `Bearer ${token}` } })
        expect(random.status).toBe(200)
        const anonymous = await fetch(`${url}/api/images/random`)
        expect(anonymous.status).toBe(401)
      } finally {
        server.stop()
      }
    },
    90_000
  )
})
