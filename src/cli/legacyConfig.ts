import { FileSystem } from "@effect/platform"
import { Config, ConfigProvider, Context, Effect, Either, Layer, Option } from "effect"
import { ConfigurationError } from "../domain/Errors.js"
import { parseIni } from "../domain/Ini.js"
import { LEGACY_VARIABLES, type LegacyIni, type LegacyTranslation, translateLegacy } from "../domain/LegacyConfig.js"
import { type ConfigSource, layeredProvider, originOf } from "./envFile.js"

/** What publisher_v2's configuration gives, and which of it our own variables override. */
export interface LegacyConfigReport extends LegacyTranslation {
  readonly configFile: string | undefined
  /** Translated variables that are also set by name, where the named one wins. */
  readonly overridden: ReadonlyArray<string>
  /** Translated variables that are also set by name, where the translation wins (as in publisher_v2). */
  readonly winning: ReadonlyArray<string>
}

/** The report of the configuration read at start (for `publisher config`). */
export class LegacyConfig extends Context.Tag("publisher/LegacyConfig")<LegacyConfig, LegacyConfigReport>() {}

const readVariable = (provider: ConfigProvider.ConfigProvider, name: string) =>
  provider.load(Config.option(Config.string(name))).pipe(
    Effect.map(Option.getOrUndefined),
    Effect.orElseSucceed(() => undefined)
  )

/**
 * Reads publisher_v2's JSON variables from `base` and its INI file (`configFile`, else
 * `CONFIG_PATH`), and translates them (src/domain/LegacyConfig.ts).
 */
export const readLegacyConfig = (base: ConfigProvider.ConfigProvider, configFile: Option.Option<string>) =>
  Effect.gen(function*() {
    const env = new Map<string, string>()
    for (const name of [...LEGACY_VARIABLES, "CONFIG_PATH"]) {
      const value = yield* readVariable(base, name)
      if (value !== undefined) env.set(name, value)
    }
    const path = Option.getOrUndefined(configFile) ?? (env.get("CONFIG_PATH")?.trim() || undefined)
    let ini: LegacyIni | undefined
    if (path !== undefined) {
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs.readFileString(path).pipe(
        Effect.mapError((error) =>
          new ConfigurationError({
            message: error._tag === "SystemError" && error.reason === "NotFound"
              ? `config file not found: ${path}`
              : `cannot read the config file ${path}: ${error.message}`
          })
        )
      )
      const parsed = parseIni(text, path)
      if (Either.isLeft(parsed)) {
        return yield* new ConfigurationError({ message: `invalid config file: ${parsed.left.message}` })
      }
      ini = { file: path, ini: parsed.right }
    }
    const translation = yield* translateLegacy((name) => env.get(name), ini)
    const overridden: Array<string> = []
    const winning: Array<string> = []
    for (const [name, setting] of translation.values) {
      if ((yield* readVariable(base, name)) !== undefined) (setting.wins ? winning : overridden).push(name)
    }
    return { ...translation, configFile: path, overridden, winning } satisfies LegacyConfigReport
  })

/**
 * The env file given (`--env FILE`, else `ENV_PATH`) is already in the provider in place: the
 * entry point reads it instead of `./.env`, before any command (src/cli/main.ts). Here, one that
 * was named but does not exist is an error (the entry point would silently read nothing).
 */
const requireEnvFile = (envFile: Option.Option<string>) =>
  Effect.gen(function*() {
    const path = Option.getOrUndefined(envFile) ?? (process.env["ENV_PATH"]?.trim() || undefined)
    if (path === undefined) return
    const fs = yield* FileSystem.FileSystem
    if (!(yield* fs.exists(path).pipe(Effect.orElseSucceed(() => false)))) {
      return yield* new ConfigurationError({ message: `env file not found: ${path}` })
    }
  })

/**
 * The configuration every command reads: our variables (environment, then `.env` or the env
 * file, as the entry point set them up), then what publisher_v2's configuration gives for the
 * ones left unset. Notes (settings we
 * do not use) are logged as warnings.
 */
export const legacyConfigLayer = (configFile: Option.Option<string>, envFile: Option.Option<string> = Option.none()) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      yield* requireEnvFile(envFile)
      const base = yield* Effect.configProviderWith(Effect.succeed)
      const report = yield* readLegacyConfig(base, configFile)
      const reported = Layer.succeed(LegacyConfig, report)
      if (report.values.size === 0 && report.notes.length === 0) return reported
      yield* Effect.logInfo("publisher_v2 configuration read").pipe(
        Effect.annotateLogs({ sources: report.sources.join(", "), variables: [...report.values.keys()].join(", ") })
      )
      for (const note of report.notes) yield* Effect.logWarning(note)
      const of = (wins: boolean): ConfigSource => ({
        provider: ConfigProvider.fromMap(
          new Map([...report.values].filter(([, s]) => s.wins === wins).map(([name, s]) => [name, s.value]))
        ),
        from: (name) => {
          const setting = report.values.get(name)
          return setting === undefined ? undefined : `from publisher_v2's ${setting.from}`
        }
      })
      // What publisher_v2 let win over its own flat variables, then ours, then the rest of its
      // configuration: each variable from the first that sets it, so one of ours that is set
      // but invalid is an error, not replaced by publisher_v2's value.
      const provider = layeredProvider([of(true), { provider: base, from: (name) => originOf(base, name) }, of(false)])
      return Layer.merge(reported, Layer.setConfigProvider(provider))
    })
  )
