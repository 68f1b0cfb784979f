import { ConfigProvider, Effect, Layer, Logger, LogLevel } from "effect"
import { createHash } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { appLayer } from "../src/cli/layers.js"
import { publishOne } from "../src/programs/publishOne.js"
import { FolderConfig, type RunOptions } from "../src/programs/RunOptions.js"
import { type DropboxEmulator, startDropbox } from "../src/sandbox/dropbox.js"
import { type InstagramEmulator, startInstagram } from "../src/sandbox/instagram.js"
import { type OpenAiEmulator, startOpenAi } from "../src/sandbox/openai.js"
import { emulatorConfig, SANDBOX_CREDENTIALS as C } from "../src/sandbox/sandbox.js"
import { type SmtpCapture, startSmtp } from "../src/sandbox/smtp.js"
import { startTelegram, type TelegramEmulator } from "../src/sandbox/telegram.js"

export interface Rig {
  readonly dropbox: DropboxEmulator
  readonly openai: OpenAiEmulator
  readonly telegram: TelegramEmulator
  readonly instagram: InstagramEmulator
  readonly smtp: SmtpCapture
  readonly config: Map<string, string>
  readonly close: () => Promise<void>
}

export interface RigLatency {
  readonly dropbox?: Partial<Record<string, number>>
  readonly openai?: Partial<Record<string, number>>
  /** Latency by json_schema name (`image_analysis`, `caption_pair`). */
  readonly openaiSchemas?: Partial<Record<string, number>>
  readonly telegram?: Partial<Record<string, number>>
  readonly instagram?: Partial<Record<string, number>>
  readonly smtpMs?: number
  /** IN_PROGRESS answers before a container is FINISHED. */
  readonly instagramPolls?: number
}

/** Emulators plus the configuration pointing the real layers at them. */
export const startRig = async (latency: RigLatency = {}): Promise<Rig> => {
  const dir = await mkdtemp(join(tmpdir(), "publisher-bench-"))
  const dropbox = await startDropbox({
    appKey: C.dropboxAppKey,
    appSecret: C.dropboxAppSecret,
    refreshToken: C.dropboxRefreshToken,
    latency: latency.dropbox
  })
  const openai = await startOpenAi({
    apiKey: C.openAiKey,
    latency: latency.openai,
    ...(latency.openaiSchemas ? { schemaLatency: latency.openaiSchemas } : {})
  })
  const telegram = await startTelegram({ token: C.telegramToken, latency: latency.telegram })
  const instagram = await startInstagram({
    userId: C.instagramUserId,
    token: C.instagramToken,
    latency: latency.instagram,
    inProgressPolls: latency.instagramPolls ?? 1
  })
  const smtp = await startSmtp({
    user: C.emailSender,
    password: C.emailPassword,
    ...(latency.smtpMs ? { latencyMs: latency.smtpMs } : {})
  })
  const config = emulatorConfig({ dropbox, openai, telegram, smtp, instagram }, join(dir, "state.db"))
  config.set("AI_RATE_PER_MINUTE", "6000")
  return {
    dropbox,
    openai,
    telegram,
    instagram,
    smtp,
    config,
    close: async () => {
      await Promise.all([dropbox.close(), openai.close(), telegram.close(), instagram.close(), smtp.close()])
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** Runs `body` with the real Live layers configured against the rig. */
export const withLayers = <A, E>(
  rig: Rig,
  body: Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof appLayer>>>
) =>
  Effect.runPromise(
    body.pipe(
      Effect.provide(appLayer({ publish: true })),
      Effect.provide(Layer.setConfigProvider(ConfigProvider.fromMap(rig.config))),
      Logger.withMinimumLogLevel(LogLevel.None),
      Effect.scoped
    ) as Effect.Effect<A, E, never>
  )

export const runWorkflow = (overrides: Partial<RunOptions> = {}) =>
  Effect.gen(function*() {
    const folders = yield* FolderConfig
    return yield* publishOne({
      correlationId: crypto.randomUUID(),
      ...folders,
      dryPublish: false,
      preview: false,
      ...overrides
    })
  })

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

export const sum = (calls: Record<string, number>, ...routes: Array<string>) =>
  routes.reduce((n, r) => n + (calls[r] ?? 0), 0)
