import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SANDBOX_CREDENTIALS, startSandbox } from "../../src/sandbox/sandbox.js"
import { cli } from "../support/cli.js"

/** Our variables that publisher_v2's configuration gives instead (left out of the environment). */
const GIVEN_BY_V2 = [
  "IMAGE_FOLDER",
  "ARCHIVE_FOLDER",
  "TELEGRAM_CHANNEL_ID",
  "EMAIL_SENDER",
  "EMAIL_RECIPIENT",
  "SMTP_HOST",
  "SMTP_PORT"
]
/**
 * Left over from publisher_v2's INI days: publisher_v2 ignored them once PUBLISHERS / EMAIL_SERVER said otherwise, and
 * so do we.
 */
const LEFT_OVER = { TELEGRAM_CHANNEL_ID: "@left_over_channel", SMTP_PORT: "2" }

describe("a publisher_v2 configuration, unchanged (INI file + .env with its JSON variables)", () => {
  it.live(
    "runs against the emulators: platforms, channel, mail settings, hashtags and archive = false come from it",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 2 })
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "publisher-v2-config-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const c = SANDBOX_CREDENTIALS
        const smtp = { host: sandbox.smtp.host, port: sandbox.smtp.port }
        yield* Effect.promise(() =>
          writeFile(
            join(dir, "publisher.ini"),
            [
              "[Dropbox]",
              `image_folder = ${sandbox.folder}`,
              "archive = archive",
              "",
              "[Content]",
              "; the JSON variables below replace this section's platform switches",
              "telegram = false",
              "",
              "[openAI]",
              "vision_model = gpt-4o",
              "caption_model = gpt-4o-mini",
              "system_prompt = You are a copywriter. 100%% honest."
            ].join("\n")
          )
        )
        // As publisher_v2 users write them: JSON in single quotes (a # in an unquoted value starts a comment).
        yield* Effect.promise(() =>
          writeFile(
            join(dir, ".env"),
            [
              `PUBLISHERS='[{"type": "telegram", "channel_id": "${c.telegramChannel}"}, {"type": "fetlife", "recipient": "${c.emailRecipient}", "caption_target": "subject"}]'`,
              `EMAIL_SERVER='{"sender": "${c.emailSender}", "smtp_server": "${smtp.host}", "smtp_port": ${smtp.port}}'`,
              `CONTENT_SETTINGS='{"hashtag_string": "#film #bw", "archive": false, "debug": false}'`,
              `CONFIRMATION_SETTINGS='{"confirmation_to_sender": false}'`,
              `CAPTIONFILE_SETTINGS='{"artist_alias": "Ana Light", "extended_metadata_enabled": true}'`
            ].join("\n")
          )
        )
        const env = {
          ...Object.fromEntries([...sandbox.config].filter(([name]) => !GIVEN_BY_V2.includes(name))),
          ...LEFT_OVER
        }

        const shown = yield* Effect.promise(() => cli(["--config", "publisher.ini", "config", "--json"], env, dir))
        expect(shown.code).toBe(0)
        const report = JSON.parse(shown.stdout) as {
          sources: Array<string>
          variables: Array<
            { name: string; value: string; from: string; overridden: boolean; wins_over_environment: boolean }
          >
          notes: Array<string>
        }
        expect(report.variables.filter((v) => v.wins_over_environment).map((v) => v.name).sort()).toEqual([
          "SMTP_PORT",
          "TELEGRAM_CHANNEL_ID"
        ])
        expect(report.sources).toEqual(
          expect.arrayContaining([
            "publisher.ini [Dropbox]",
            "PUBLISHERS",
            "EMAIL_SERVER",
            "CONTENT_SETTINGS",
            "publisher.ini [openAI]"
          ])
        )
        expect(Object.fromEntries(report.variables.map((v) => [v.name, v.value]))).toMatchObject({
          IMAGE_FOLDER: sandbox.folder,
          TELEGRAM_ENABLED: "true",
          INSTAGRAM_ENABLED: "false",
          CAPTION_HASHTAGS: "#film #bw",
          ARCHIVE_POSTED: "false",
          CAPTION_SYSTEM_PROMPT: "You are a copywriter. 100% honest."
        })
        expect(report.notes).toEqual([])
        // From elsewhere, naming both files (publisher_v2's --env), or the env file by ENV_PATH.
        const named = yield* Effect.promise(() =>
          cli(["--env", join(dir, ".env"), "--config", join(dir, "publisher.ini"), "config", "--json"], env)
        )
        expect(named.code).toBe(0)
        expect((JSON.parse(named.stdout) as typeof report).variables).toEqual(
          report.variables.map((v) => ({ ...v, from: v.from.replace(/^publisher\.ini/, join(dir, "publisher.ini")) }))
        )
        // The env file reaches what is read before the command too (logging).
        expect(named.stderr).toMatch(/publisher_v2 configuration read/)
        yield* Effect.promise(async () =>
          writeFile(join(dir, "quiet.env"), `${await readFile(join(dir, ".env"), "utf8")}\nLOG_LEVEL=Warning\n`)
        )
        const quiet = yield* Effect.promise(() =>
          cli(["--env", join(dir, "quiet.env"), "--config", join(dir, "publisher.ini"), "config", "--json"], env)
        )
        expect(quiet.code).toBe(0)
        expect(quiet.stderr).not.toMatch(/publisher_v2 configuration read/)
        const byVariable = yield* Effect.promise(() =>
          cli(["config", "--json"], { ...env, ENV_PATH: join(dir, ".env") })
        )
        expect((JSON.parse(byVariable.stdout) as typeof report).sources).toEqual([
          "PUBLISHERS",
          "EMAIL_SERVER",
          "CONFIRMATION_SETTINGS",
          "CONTENT_SETTINGS",
          "CAPTIONFILE_SETTINGS"
        ])

        const runs = []
        for (let i = 0; i < 2; i++) {
          const run = yield* Effect.promise(() => cli(["--config", "publisher.ini", "run", "--json"], env, dir))
          expect(run.stderr).not.toMatch(/"level":"ERROR"/)
          expect(run.code).toBe(0)
          runs.push(
            JSON.parse(run.stdout) as {
              image: string
              archived: boolean
              published: Record<string, { status: string }>
            }
          )
        }
        // Telegram and email (PUBLISHERS); not Instagram, although its token is in the environment.
        expect(runs.map((r) => Object.keys(r.published).sort())).toEqual([["email", "telegram"], ["email", "telegram"]])
        expect(sandbox.instagram.media).toHaveLength(0)
        // [openAI]: the caption call uses its models and its system prompt.
        const captionCalls = sandbox.openai.requests.filter((r) => r.schemaName === "caption_pair")
        expect(captionCalls).toHaveLength(2)
        for (const call of captionCalls) {
          expect(call.model).toBe("gpt-4o-mini")
          expect(call.messages[0]!.text).toMatch(/^You are a copywriter\. 100% honest\.\n\n/)
        }
        expect(sandbox.telegram.messages.map((m) => m.chat_id)).toEqual([c.telegramChannel, c.telegramChannel])
        for (const m of sandbox.telegram.messages) expect(m.caption).toMatch(/#film #bw$/)
        // One mail per post (no confirmation: CONFIRMATION_SETTINGS), from EMAIL_SERVER's sender to the recipient.
        expect(sandbox.smtp.messages.map((m) => [m.from, m.to])).toEqual([[c.emailSender, [c.emailRecipient]], [
          c.emailSender,
          [c.emailRecipient]
        ]])
        // archive = false: both photos stay in the folder, and the second run posted the other one.
        expect(runs.map((r) => r.archived)).toEqual([false, false])
        expect(new Set(runs.map((r) => r.image)).size).toBe(2)
        expect(sandbox.dropbox.files.list(sandbox.folder).map((f) => f.name).filter((n) => n.endsWith(".jpg")).sort())
          .toEqual(runs.map((r) => r.image).sort())
        expect(sandbox.dropbox.files.list(`${sandbox.folder}/archive`)).toEqual([])
        // Each sidecar carries the artist alias (CAPTIONFILE_SETTINGS).
        for (const r of runs) {
          const sidecar = sandbox.dropbox.files.get(`${sandbox.folder}/${r.image.replace(/\.jpg$/, ".txt")}`)
          expect(new TextDecoder().decode(sidecar!.bytes())).toContain("\n# artist_alias: Ana Light\n")
        }
        // And back: what was posted, as publisher_v2's posted.json.
        const exported = yield* Effect.promise(() => cli(["state", "export"], env, dir))
        const posted = JSON.parse(exported.stdout) as { hashes: Array<string>; dropbox_content_hashes: Array<string> }
        expect(posted.dropbox_content_hashes).toEqual(
          runs.map((r) => (r as unknown as { content_hash: string }).content_hash).sort()
        )
        expect(posted.hashes).toHaveLength(2)
      })),
    120_000
  )

  it.live(
    "publisher_v2's run --debug is --preview: captions for each platform, nothing posted, written or recorded",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 1 })
        const env = Object.fromEntries(sandbox.config)
        const [debug, preview] = yield* Effect.all([
          Effect.promise(() => cli(["run", "--debug", "--json"], env)),
          Effect.promise(() => cli(["run", "--preview", "--json"], env))
        ])
        for (const run of [debug, preview]) {
          expect(run.code).toBe(0)
          const result = JSON.parse(run.stdout) as {
            preview: boolean
            image: string
            platform_captions: Record<string, { caption: string; subject?: string }>
          }
          expect(result).toMatchObject({ preview: true, image: "photo-001.jpg" })
          expect(Object.keys(result.platform_captions).sort()).toEqual(["email", "instagram", "telegram"])
          expect(result.platform_captions["email"]!.subject).toBeDefined()
        }
        expect([sandbox.telegram.messages.length, sandbox.smtp.messages.length, sandbox.instagram.media.length])
          .toEqual([0, 0, 0])
        expect(sandbox.dropbox.files.list(sandbox.folder).map((f) => f.name)).toEqual(["photo-001.jpg"])
      })),
    60_000
  )

  it.live(
    "a missing config file, a broken JSON variable or a bad INI value stops the run with exit 2 before anything is read",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const sandbox = yield* startSandbox({ images: 1 })
        const env = Object.fromEntries(sandbox.config)
        const missing = yield* Effect.promise(() => cli(["--config", "/nonexistent/publisher.ini", "run"], env))
        expect(missing.code).toBe(2)
        expect(missing.stderr).toMatch(/config file not found: \/nonexistent\/publisher.ini/)
        const noEnvFile = yield* Effect.promise(() => cli(["--env", "/nonexistent/.env", "run"], env))
        expect(noEnvFile.code).toBe(2)
        expect(noEnvFile.stderr).toMatch(/env file not found: \/nonexistent\/.env/)
        const broken = yield* Effect.promise(() => cli(["run"], { ...env, PUBLISHERS: "[{\"type\": \"telegram\"" }))
        expect(broken.code).toBe(2)
        expect(broken.stderr).toMatch(/PUBLISHERS is not valid JSON/)
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "publisher-v2-config-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        yield* Effect.promise(() => writeFile(join(dir, "bad.ini"), "[Content]\ntelegram = sometimes\n"))
        const bad = yield* Effect.promise(() => cli(["run"], { ...env, CONFIG_PATH: join(dir, "bad.ini") }))
        expect(bad.code).toBe(2)
        expect(bad.stderr).toMatch(/\[Content\] telegram: "sometimes" is not a boolean/)
        expect(sandbox.dropbox.calls["files/list_folder"] ?? 0).toBe(0)
      })),
    60_000
  )
})
