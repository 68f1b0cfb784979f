import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execSync } from "node:child_process"
import { type Browser, chromium, type Page } from "playwright-core"
import sharp from "sharp"
import { ADMIN_PASSWORD, startWebSandbox } from "../support/webServer.js"

/** Debian's Chromium (installed by .ci/run); never a downloaded browser. */
const executablePath = (() => {
  try {
    return execSync("command -v chromium || command -v chromium-browser", { encoding: "utf8" }).trim().split("\n")[0]!
  } catch {
    throw new Error("Chromium is required for the browser tests: apt-get install -y chromium")
  }
})()

const launch = Effect.acquireRelease(
  Effect.promise(() =>
    chromium.launch({
      executablePath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
  ),
  (browser: Browser) => Effect.promise(() => browser.close())
)

/** Opens the page and logs in with the admin password. */
const logIn = async (page: Page, url: string) => {
  await page.goto(url)
  await page.fill("#password", ADMIN_PASSWORD)
  await page.click("#login-button")
}

describe("admin page in headless Chromium", () => {
  it.live(
    "log in, load an image, analyze, analyze again from the sidecar, publish, see the result",
    () =>
      Effect.scoped(Effect.gen(function*() {
        // WEB_AUTH_TOKEN stays set: the browser holds no token, its admin session authorizes it.
        const { sandbox, url } = yield* startWebSandbox({ images: 2 })
        const browser = yield* launch
        const page = yield* Effect.promise(() => browser.newPage({ viewport: { width: 390, height: 844 } }))
        yield* Effect.promise(async () => {
          await page.goto(url)
          await page.fill("#password", "wrong password")
          await page.click("#login-button")
          await page.waitForSelector("#error:has-text('Invalid password')")

          await page.fill("#password", ADMIN_PASSWORD)
          await page.click("#login-button")
          await page.waitForSelector("#viewer:not([hidden])")
          await page.waitForSelector("#filename:not(:empty)")
          // Polled with $eval (a CDP call): waitForFunction evaluates a string, which the page's CSP forbids.
          for (
            let i = 0;
            i < 200 &&
            (await page.$eval("#photo", (img) => (img as unknown as { naturalWidth: number }).naturalWidth)) === 0;
            i++
          ) {
            await new Promise((r) => setTimeout(r, 50))
          }
          expect(await page.$eval("#photo", (img) => (img as unknown as { naturalWidth: number }).naturalWidth))
            .toBeGreaterThan(0)

          await page.click("#analyze")
          await page.waitForSelector("#message:has-text('Analyzed; sidecar written')")
          const caption = await page.inputValue("#caption")
          expect(caption.length).toBeGreaterThan(5)
          // Each enabled platform's caption by its rules (email without hashtags).
          const platforms = await page.$$eval(
            "#platforms div",
            (divs) => divs.map((d) => (d as unknown as { textContent: string }).textContent)
          )
          expect(platforms.map((p) => p.split(":")[0])).toEqual(["telegram", "instagram", "email"])
          expect(platforms[2]).not.toContain("#")

          await page.click("#analyze")
          await page.waitForSelector("#message:has-text('Caption from the sidecar')")

          await page.click("#publish")
          await page.waitForSelector("#message:has-text('Published')")
          // For review, in the checkout (ignored by git), not left in /tmp.
          await page.screenshot({ path: "test-output/screenshots/admin-published.png", fullPage: true })
        })
        const message = yield* Effect.promise(() => page.textContent("#message"))
        expect(message).toMatch(/telegram published/)
        expect(message).toMatch(/archived/)
        expect(sandbox.telegram.messages).toHaveLength(1)
        expect(sandbox.instagram.media).toHaveLength(1)
        expect(sandbox.smtp.messages).toHaveLength(1)
      })),
    90_000
  )

  it.live(
    "Similar lists the resized copy of the photo shown, with its distance",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { sandbox, url } = yield* startWebSandbox({ images: 2 })
        // A half-size copy of each photo: whichever the page shows has a near-duplicate.
        for (const file of sandbox.dropbox.files.list(sandbox.folder).filter((f) => f.name.endsWith(".jpg"))) {
          const bytes = yield* Effect.promise(() => sharp(file.bytes()).resize(600).jpeg({ quality: 75 }).toBuffer())
          sandbox.dropbox.files.put(`${sandbox.folder}/small-${file.name}`, bytes)
        }
        const browser = yield* launch
        const page = yield* Effect.promise(() => browser.newPage())
        const [shown, listed] = yield* Effect.promise(async () => {
          await logIn(page, url)
          await page.waitForSelector("#filename:not(:empty)")
          await page.click("#similar")
          await page.waitForSelector("#similar-list li")
          return [await page.textContent("#filename"), await page.textContent("#similar-list li")] as const
        })
        const partner = shown!.startsWith("small-") ? shown!.slice("small-".length) : `small-${shown}`
        expect(listed).toMatch(new RegExp(`^${partner.replace(".", "\\.")} — (identical|\\d+ bits)$`))
      })),
    60_000
  )

  it.live("hides what the feature toggles turn off", () =>
    Effect.scoped(Effect.gen(function*() {
      const { url } = yield* startWebSandbox({
        images: 1,
        config: { FEATURE_PUBLISH: "false", FEATURE_REMOVE_CURATE: "no" }
      })
      const browser = yield* launch
      const page = yield* Effect.promise(() => browser.newPage())
      const visible = yield* Effect.promise(async () => {
        await logIn(page, url)
        await page.waitForSelector("#viewer:not([hidden])")
        return Object.fromEntries(
          await Promise.all(
            ["analyze", "publish", "keep", "remove"].map(async (id) => [id, await page.isVisible(`#${id}`)] as const)
          )
        )
      })
      expect(visible).toEqual({ analyze: true, publish: false, keep: true, remove: false })
    })), 60_000)

  it.live(
    "Check services lists each service's state and the posting schedule, posting nothing",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { sandbox, url } = yield* startWebSandbox({
          images: 1,
          config: { EMAIL_PASSWORD: "wrong", PUBLISH_SCHEDULE: "30 8 * * *", PUBLISH_SCHEDULE_TZ: "Europe/Zurich" }
        })
        const browser = yield* launch
        const page = yield* Effect.promise(() => browser.newPage())
        const [rows, schedule, message] = yield* Effect.promise(async () => {
          await logIn(page, url)
          await page.waitForSelector("#service:not([hidden])")
          await page.click("#check")
          await page.waitForSelector("#checks:not([hidden]) tr")
          const rows = await page.$$eval("#checks tr", (trs) =>
            trs.map((tr) =>
              Array.from(
                (tr as unknown as { children: ArrayLike<{ textContent: string | null }> }).children,
                (td) => td.textContent ?? ""
              )
            ))
          return [rows, await page.textContent("#schedule"), await page.textContent("#message")] as const
        })
        expect(Object.fromEntries(rows.map(([name, status]) => [name, status]))).toEqual({
          state: "ok",
          storage: "ok",
          openai: "ok",
          telegram: "ok",
          instagram: "ok",
          email: "FAILED",
          settings: "ok"
        })
        expect(rows.find(([name]) => name === "email")![2]).toMatch(/SMTP login failed/)
        expect(schedule).toMatch(/^Posts on the schedule 30 8 \* \* \* \(Europe\/Zurich\); next at /)
        expect(message).toBe("Some services failed")
        expect([sandbox.telegram.messages.length, sandbox.smtp.messages.length, sandbox.instagram.media.length])
          .toEqual([0, 0, 0])
      })),
    60_000
  )

  it.live(
    "an edited caption is posted as written, and the sidecar records it",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { sandbox, url } = yield* startWebSandbox({ images: 1 })
        const browser = yield* launch
        const page = yield* Effect.promise(() => browser.newPage())
        yield* Effect.promise(async () => {
          await logIn(page, url)
          await page.waitForSelector("#filename:not(:empty)")
          await page.click("#analyze")
          await page.waitForSelector("#message:has-text('Analyzed; sidecar written')")
          await page.fill("#caption", "In my own words. #mine")
          await page.click("#publish")
          await page.waitForSelector("#message:has-text('Published')")
        })
        expect(sandbox.telegram.messages.map((m) => m.caption)).toEqual(["In my own words. #mine"])
        expect(sandbox.instagram.media.map((m) => m.caption)).toEqual(["In my own words. #mine"])
        // Email drops hashtags by its rules.
        expect(sandbox.smtp.messages[0]!.subject).toBe("In my own words.")
        const sidecar = sandbox.dropbox.files.list(`${sandbox.folder}/archive`).find((f) => f.name.endsWith(".txt"))!
        expect(new TextDecoder().decode(sidecar.bytes())).toContain("\n# caption: In my own words. #mine\n")
      })),
    60_000
  )
})
