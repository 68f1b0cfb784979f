import { describe, expect, it } from "@effect/vitest"
import { freePort, spawnCli } from "../support/cli.js"

describe("publisher sandbox --serve", () => {
  it("serves the admin API on PORT, printing the URL and the credentials from the environment", async () => {
    const port = await freePort()
    const child = spawnCli(["sandbox", "--serve", "--images", "2"], { PORT: String(port), web_admin_pw: "given-password" }, "pipe")
    try {
      let output = ""
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8")
      })
      const deadline = Date.now() + 60_000
      while (!output.includes("Press Ctrl-C") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(output).toContain(`http://127.0.0.1:${port}/`)
      expect(output).toContain("given-password")
      const token = /WEB_AUTH_TOKEN, for scripts\): (\S+)/.exec(output)?.[1]
      expect(token).toBeDefined()
      let health: Response | undefined
      while (health === undefined && Date.now() < deadline) {
        health = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined)
        if (health === undefined) await new Promise((r) => setTimeout(r, 100))
      }
      expect(health?.status).toBe(200)
      const random = await fetch(`http://127.0.0.1:${port}/api/images/random`, { headers: { authorization: `Bearer ${token}` } })
      expect(random.status).toBe(200)
      const anonymous = await fetch(`http://127.0.0.1:${port}/api/images/random`)
      expect(anonymous.status).toBe(401)
    } finally {
      child.kill("SIGINT")
    }
  }, 90_000)
})
