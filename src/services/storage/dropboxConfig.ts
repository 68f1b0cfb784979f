import { Config, ConfigError, Either, Option, type Redacted } from "effect"

export type DropboxAuth =
  | {
    readonly _tag: "Refresh"
    readonly appKey: string
    readonly appSecret: Redacted.Redacted
    readonly refreshToken: Redacted.Redacted
  }
  | { readonly _tag: "AccessToken"; readonly accessToken: Redacted.Redacted }

const optional = (name: string) => Config.option(Config.string(name))
const optionalSecret = (name: string) => Config.option(Config.redacted(name))

/**
 * Refresh-token auth (`DROPBOX_APP_KEY`, `DROPBOX_APP_SECRET`, `DROPBOX_REFRESH_TOKEN`), or a
 * fixed `DROPBOX_ACCESS_TOKEN`. When neither is complete, every missing variable is named.
 */
export const DropboxAuthConfig: Config.Config<DropboxAuth> = Config.all({
  appKey: optional("DROPBOX_APP_KEY"),
  appSecret: optionalSecret("DROPBOX_APP_SECRET"),
  refreshToken: optionalSecret("DROPBOX_REFRESH_TOKEN"),
  accessToken: optionalSecret("DROPBOX_ACCESS_TOKEN")
}).pipe(
  Config.mapOrFail(
    ({ accessToken, appKey, appSecret, refreshToken }): Either.Either<DropboxAuth, ConfigError.ConfigError> => {
      if (Option.isSome(appKey) && Option.isSome(appSecret) && Option.isSome(refreshToken)) {
        return Either.right({
          _tag: "Refresh",
          appKey: appKey.value,
          appSecret: appSecret.value,
          refreshToken: refreshToken.value
        })
      }
      if (Option.isSome(accessToken)) return Either.right({ _tag: "AccessToken", accessToken: accessToken.value })
      const missing = [
        ["DROPBOX_APP_KEY", appKey],
        ["DROPBOX_APP_SECRET", appSecret],
        ["DROPBOX_REFRESH_TOKEN", refreshToken]
      ].filter(([, v]) => Option.isNone(v as Option.Option<unknown>)).map(([name]) =>
        ConfigError.MissingData([name as string], `Expected ${name as string} to exist (or DROPBOX_ACCESS_TOKEN)`)
      )
      return Either.left(missing.reduce((a, b) => ConfigError.And(a, b)))
    }
  )
)

/** Where Dropbox's API and content hosts are (the emulators' addresses in the sandbox). */
export const DropboxUrlsConfig = Config.all({
  apiUrl: Config.string("DROPBOX_API_URL").pipe(Config.withDefault("https://api.dropboxapi.com")),
  contentUrl: Config.string("DROPBOX_CONTENT_URL").pipe(Config.withDefault("https://content.dropboxapi.com"))
})

export const DropboxConfig = Config.all({
  auth: DropboxAuthConfig,
  urls: DropboxUrlsConfig,
  timeoutSeconds: Config.integer("DROPBOX_TIMEOUT_SECONDS").pipe(Config.withDefault(30)),
  downloadTimeoutSeconds: Config.integer("DROPBOX_DOWNLOAD_TIMEOUT_SECONDS").pipe(Config.withDefault(120))
})
