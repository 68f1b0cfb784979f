import { ConfigProvider, Effect } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type DropboxEmulator, startDropbox } from "./dropbox.js"
import { type InstagramEmulator, startInstagram } from "./instagram.js"
import { type OpenAiEmulator, startOpenAi } from "./openai.js"
import { generateSamplePhotos } from "./photos.js"
import { type SmtpCapture, startSmtp } from "./smtp.js"
import { startTelegram, type TelegramEmulator } from "./telegram.js"

/** Per-route latencies (ms) of each emulator. */
export interface SandboxLatency {
  readonly dropbox?: Partial<Record<string, number>>
  readonly openai?: Partial<Record<string, number>>
  readonly telegram?: Partial<Record<string, number>>
  readonly instagram?: Partial<Record<string, number>>
}

export interface SandboxOptions {
  /** Sample photos generated into the folder. */
  readonly images: number
  readonly latency?: SandboxLatency
  readonly pageSize?: number
}

/** The made-up credentials the emulators accept. Not secrets: they open nothing real. */
export const SANDBOX_CREDENTIALS = {
  dropboxAppKey: "sandbox-app-key",
  dropboxAppSecret: "sandbox-app-secret",
  dropboxRefreshToken: "sandbox-refresh-token",
  openAiKey: "sk-sandbox",
  telegramToken: "123456:sandbox-bot-token",
  telegramChannel: "@publisher_sandbox",
  emailSender: "publisher@sandbox.test",
  emailRecipient: "uploads@sandbox.test",
  emailPassword: "sandbox-smtp-password",
  instagramUserId: "17841400000000000",
  instagramToken: "sandbox-instagram-token"
} as const

export const SANDBOX_FOLDER = "/Photos"

export interface Sandbox {
  readonly dropbox: DropboxEmulator
  readonly openai: OpenAiEmulator
  readonly telegram: TelegramEmulator
  readonly smtp: SmtpCapture
  readonly instagram: InstagramEmulator
  readonly folder: string
  readonly stateDir: string
  /** The configuration that points the real Live layers at the emulators. */
  readonly config: ReadonlyMap<string, string>
  /** Calls per route of all emulators, as `dropbox:files/download`. */
  readonly calls: () => Record<string, number>
}

const prefixed = (name: string, calls: Record<string, number>) =>
  Object.fromEntries(Object.entries(calls).map(([route, n]) => [`${name}:${route}`, n]))

/**
 * Starts the emulators on loopback with sample photos in the Dropbox folder, and a temporary
 * state database; everything is stopped and removed when the scope closes.
 */
export const startSandbox = (options: SandboxOptions) =>
  Effect.acquireRelease(
    Effect.promise(async (): Promise<Sandbox> => {
      const stateDir = await mkdtemp(join(tmpdir(), "publisher-sandbox-"))
      const c = SANDBOX_CREDENTIALS
      const [dropbox, openai, telegram, smtp, instagram, photos] = await Promise.all([
        startDropbox({
          appKey: c.dropboxAppKey,
          appSecret: c.dropboxAppSecret,
          refreshToken: c.dropboxRefreshToken,
          ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
          ...(options.latency?.dropbox ? { latency: options.latency.dropbox } : {})
        }),
        startOpenAi({ apiKey: c.openAiKey, ...(options.latency?.openai ? { latency: options.latency.openai } : {}) }),
        startTelegram({
          token: c.telegramToken,
          ...(options.latency?.telegram ? { latency: options.latency.telegram } : {})
        }),
        startSmtp({ user: c.emailSender, password: c.emailPassword }),
        startInstagram({
          userId: c.instagramUserId,
          token: c.instagramToken,
          ...(options.latency?.instagram ? { latency: options.latency.instagram } : {})
        }),
        generateSamplePhotos(options.images)
      ])
      for (const photo of photos) dropbox.files.put(`${SANDBOX_FOLDER}/${photo.name}`, photo.bytes)
      const config = emulatorConfig({ dropbox, openai, telegram, smtp, instagram }, join(stateDir, "state.db"))
      return {
        dropbox,
        openai,
        telegram,
        smtp,
        instagram,
        folder: SANDBOX_FOLDER,
        stateDir,
        config,
        calls: () => ({
          ...prefixed("dropbox", dropbox.calls),
          ...prefixed("openai", openai.calls),
          ...prefixed("telegram", telegram.calls),
          ...prefixed("instagram", instagram.calls),
          ...(smtp.messages.length > 0 ? { "smtp:messages": smtp.messages.length } : {})
        })
      }
    }),
    (sandbox) =>
      Effect.promise(async () => {
        await Promise.all([
          sandbox.dropbox.close(),
          sandbox.openai.close(),
          sandbox.telegram.close(),
          sandbox.smtp.close(),
          sandbox.instagram.close()
        ])
        await rm(sandbox.stateDir, { recursive: true, force: true })
      })
  )

/** The configuration that points the real Live layers at running emulators. */
export const emulatorConfig = (
  emulators: {
    readonly dropbox: { readonly url: string }
    readonly openai: { readonly url: string }
    readonly telegram: { readonly url: string }
    readonly smtp: { readonly host: string; readonly port: number }
    readonly instagram: { readonly url: string }
  },
  stateFile: string
): Map<string, string> => {
  const c = SANDBOX_CREDENTIALS
  const { dropbox, instagram, openai, smtp, telegram } = emulators
  return new Map<string, string>([
    ["STORAGE", "dropbox"],
    ["IMAGE_FOLDER", SANDBOX_FOLDER],
    ["ARCHIVE_FOLDER", "archive"],
    ["DROPBOX_API_URL", dropbox.url],
    ["DROPBOX_CONTENT_URL", dropbox.url],
    ["DROPBOX_APP_KEY", c.dropboxAppKey],
    ["DROPBOX_APP_SECRET", c.dropboxAppSecret],
    ["DROPBOX_REFRESH_TOKEN", c.dropboxRefreshToken],
    ["OPENAI_API_KEY", c.openAiKey],
    ["OPENAI_BASE_URL", `${openai.url}/v1`],
    ["AI_RATE_PER_MINUTE", "600"],
    ["TELEGRAM_BOT_TOKEN", c.telegramToken],
    ["TELEGRAM_CHANNEL_ID", c.telegramChannel],
    ["TELEGRAM_API_URL", telegram.url],
    ["EMAIL_SENDER", c.emailSender],
    ["EMAIL_RECIPIENT", c.emailRecipient],
    ["EMAIL_PASSWORD", c.emailPassword],
    ["SMTP_HOST", smtp.host],
    ["SMTP_PORT", String(smtp.port)],
    ["SMTP_REQUIRE_TLS", "false"],
    ["INSTAGRAM_USER_ID", c.instagramUserId],
    ["INSTAGRAM_ACCESS_TOKEN", c.instagramToken],
    ["INSTAGRAM_GRAPH_URL", `${instagram.url}/v21.0`],
    ["PUBLISHER_STATE_DB", stateFile]
  ])
}

/** The sandbox's settings first; the environment fills in the rest (LOG_LEVEL, ...). */
export const sandboxConfigProvider = (sandbox: Sandbox): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(new Map(sandbox.config)).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))

/** How the calls per route grew between two readings (routes that did not grow are left out). */
export const callsSince = (before: Record<string, number>, after: Record<string, number>): Record<string, number> =>
  Object.fromEntries(
    Object.entries(after)
      .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
      .filter(([, n]) => n > 0)
  )
