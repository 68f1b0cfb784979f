import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execSync } from "node:child_process"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { type Browser, chromium } from "playwright-core"
import sharp from "sharp"
import { ADMIN_PASSWORD, startWebSandbox } from "../support/webServer.js"

const executablePath = execSync("command -v chromium || command -v chromium-browser", { encoding: "utf8" }).trim()
  .split("\n")[0]!

const launch = Effect.acquireRelease(
  Effect.promise(() =>
    chromium.launch({
      executablePath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    })
  ),
  (browser: Browser) => Effect.promise(() => browser.close())
)

/** Another origin on this machine (another port of 127.0.0.1) serving `html`. */
const otherOrigin = (html: string) =>
  Effect.acquireRelease(
    Effect.async<ReturnType<typeof createServer>>((resume) => {
      const server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html))
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`))

type Flags = { __xss?: number; __inline?: number; __handler?: number }

describe("admin page hardening in headless Chromium", () => {
  it.live(
    "a page on another origin cannot frame it; injected inline scripts and handlers do not run; hostile names and sidecars stay text",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { sandbox, url } = yield* startWebSandbox({ images: 1 })
        // A file name and a sidecar that would run script if they were ever put into HTML.
        const hostile = "\"><img src=x onerror=window.__xss=1>.jpg"
        const jpeg = yield* Effect.promise(() =>
          sharp({ create: { width: 64, height: 48, channels: 3, background: "#884422" } }).jpeg().toBuffer()
        )
        sandbox.dropbox.files.put(`${sandbox.folder}/${hostile}`, jpeg)
        sandbox.dropbox.files.put(
          `${sandbox.folder}/${hostile.replace(/\.jpg$/, ".txt")}`,
          Buffer.from(
            "<script>window.__xss=2</script>\n\n# ---\n# caption: <img src=x onerror=window.__xss=3> <script>window.__xss=4</script>\n"
          )
        )
        const browser = yield* launch
        const framer = yield* otherOrigin(`<!doctype html><iframe id="f" src="${url}/"></iframe>`)
        const page = yield* Effect.promise(() => browser.newPage())
        const violations: Array<string> = []
        page.on("console", (m) => {
          if (/Content Security Policy/.test(m.text())) violations.push(m.text())
        })
        yield* Effect.promise(async () => {
          // Framing: the admin page refuses to be shown inside another origin's page.
          await page.goto(framer)
          const child = await (await page.waitForSelector("#f")).contentFrame()
          await new Promise((r) => setTimeout(r, 500))
          expect(await child!.$("#login-form")).toBeNull()

          await page.goto(url)
          await page.fill("#password", ADMIN_PASSWORD)
          await page.click("#login-button")
          await page.waitForSelector("#filename:not(:empty)")
          for (let i = 0; i < 3 && (await page.textContent("#filename")) !== hostile; i++) {
            await page.click("#next")
            await page.waitForSelector("#next:not([disabled])")
          }
          expect(await page.textContent("#filename")).toBe(hostile)
          expect(await page.inputValue("#caption")).toContain("<script>window.__xss=4</script>")
          expect(await page.textContent("#sd_caption")).toBe("<script>window.__xss=2</script>")

          // Script put into the page later (as an injection would): blocked by the CSP.
          await page.$eval("body", (body) => {
            const doc = (body as unknown as {
              ownerDocument: {
                createElement: (
                  t: string
                ) => Record<string, unknown> & { setAttribute: (k: string, v: string) => void }
              }
            }).ownerDocument
            const script = doc.createElement("script")
            script["textContent"] = "window.__inline = 1"
            ;(body as unknown as { append: (n: unknown) => void }).append(script)
            const img = doc.createElement("img")
            img.setAttribute("onerror", "window.__handler = 1")
            img.setAttribute("src", "/no-such-image")
            ;(body as unknown as { append: (n: unknown) => void }).append(img)
          })
          await new Promise((r) => setTimeout(r, 500))
          const flags = await page.$eval("body", () => {
            const w = globalThis as unknown as Flags
            return { xss: w.__xss ?? null, inline: w.__inline ?? null, handler: w.__handler ?? null }
          })
          expect(flags).toEqual({ xss: null, inline: null, handler: null })
          expect(violations.length).toBeGreaterThan(0)
        })
      })),
    90_000
  )

  it.live(
    "a Secure session cookie over plain http (a name that is not loopback) is dropped by the browser: the page says why and what to set",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { url } = yield* startWebSandbox({
          images: 1,
          config: { WEB_SECURE_COOKIES: "true", WEB_ALLOWED_HOSTS: "photos.lan" }
        })
        const port = new URL(url).port
        // photos.lan resolves to this machine, but is not a secure context as 127.0.0.1 is.
        const browser = yield* Effect.acquireRelease(
          Effect.promise(() =>
            chromium.launch({
              executablePath,
              args: [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--host-resolver-rules=MAP photos.lan 127.0.0.1"
              ]
            })
          ),
          (b: Browser) => Effect.promise(() => b.close())
        )
        const page = yield* Effect.promise(() => browser.newPage())
        yield* Effect.promise(async () => {
          await page.goto(`http://photos.lan:${port}/`)
          await page.fill("#password", ADMIN_PASSWORD)
          await page.click("#login-button")
          await page.waitForSelector("#error:has-text('did not keep the session cookie')")
          expect(await page.textContent("#error")).toMatch(
            /Secure and this page is plain http.*PUBLIC_URL.*WEB_SECURE_COOKIES=false/
          )
          expect(await page.isVisible("#login-form")).toBe(true)
        })
      })),
    90_000
  )

  it.live(
    "AUTO_VIEW: photos without a login, admin buttons only after one",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { url } = yield* startWebSandbox({ images: 2, config: { AUTO_VIEW: "true" } })
        const browser = yield* launch
        const page = yield* Effect.promise(() => browser.newPage())
        yield* Effect.promise(async () => {
          await page.goto(url)
          await page.waitForSelector("#filename:not(:empty)")
          expect(await page.isVisible("#login-form")).toBe(true)
          for (const id of ["#publish", "#analyze", "#keep", "#remove", "#similar", "#logout"]) {
            expect(await page.isHidden(id), id).toBe(true)
          }
          await page.fill("#password", ADMIN_PASSWORD)
          await page.click("#login-button")
          await page.waitForSelector("#publish:not([hidden])")
          expect(await page.isHidden("#login")).toBe(true)
        })
      })),
    90_000
  )
})
