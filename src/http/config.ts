import { Config, ConfigError, Either, Option, Redacted } from "effect"
import { StorageKindConfig } from "../services/storage/config.js"
import { DropboxUrlsConfig } from "../services/storage/dropboxConfig.js"

const flag = (name: string, fallback: boolean) => Config.boolean(name).pipe(Config.withDefault(fallback))

/** An optional secret; set but empty counts as unset. */
const secret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(Config.map(Option.filter((v) => Redacted.value(v) !== "")))

/** A comma-separated list; lower-cased, blanks dropped. */
const list = (name: string) =>
  Config.string(name).pipe(
    Config.map((raw) => raw.split(",").map((v) => v.trim().toLowerCase()).filter((v) => v !== "")),
    Config.withDefault([] as ReadonlyArray<string>)
  )

/** The web server's settings (publisher_v2's variable names). */
export const WebConfig = Config.all({
  // 0 lets the system pick a free port (the bound address is logged, and printed by `sandbox --serve`).
  port: Config.integer("PORT").pipe(
    Config.validate({
      message: "must be a port number (0 to 65535; 0: any free port)",
      validation: (n) => n >= 0 && n <= 65535
    }),
    Config.withDefault(8000)
  ),
  host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")),
  /** The address people open (behind a proxy: its https URL): its host is allowed, its origin is the CSRF check's. */
  publicUrl: Config.option(Config.string("PUBLIC_URL")).pipe(Config.mapOrFail((given) => {
    if (Option.isNone(given) || given.value.trim() === "") return Either.right(Option.none<URL>())
    try {
      const url = new URL(given.value)
      if (url.protocol === "http:" || url.protocol === "https:") return Either.right(Option.some(url))
    } catch {
      // reported below
    }
    return Either.left(
      ConfigError.InvalidData(
        ["PUBLIC_URL"],
        `must be an http(s) URL such as https://photos.example.org, not "${given.value}"`
      )
    )
  })),
  /** Host names the server answers besides loopback and PUBLIC_URL's (DNS rebinding: any other Host is 421). */
  allowedHosts: list("WEB_ALLOWED_HOSTS"),
  /** Proxies whose X-Forwarded-For names the client (for the login throttle and logs). */
  trustedProxies: list("TRUSTED_PROXIES"),
  authToken: secret("WEB_AUTH_TOKEN"),
  authUser: Config.option(Config.string("WEB_AUTH_USER")).pipe(Config.map(Option.filter((v) => v !== ""))),
  authPass: secret("WEB_AUTH_PASS"),
  adminPassword: secret("web_admin_pw"),
  /** A bearer token for Prometheus scrapers: `/metrics` only. */
  metricsToken: secret("METRICS_TOKEN"),
  storageKind: StorageKindConfig,
  secureCookies: flag("WEB_SECURE_COOKIES", true),
  cookieTtlSeconds: Config.integer("WEB_ADMIN_COOKIE_TTL_SECONDS").pipe(
    // publisher_v2's bounds (60 s to 30 days), so its settings keep working; the default is an hour.
    Config.validate({
      message: "must be between 60 and 2592000 (30 days)",
      validation: (n) => n >= 60 && n <= 2_592_000
    }),
    Config.withDefault(3600)
  ),
  /** A session unused this long ends (beside the absolute lifetime above). */
  idleSeconds: Config.integer("WEB_ADMIN_IDLE_SECONDS").pipe(
    Config.validate({
      message: "must be between 60 and 2592000 (30 days)",
      validation: (n) => n >= 60 && n <= 2_592_000
    }),
    Config.withDefault(1800)
  ),
  storageLinks: DropboxUrlsConfig,
  imageListTtlSeconds: Config.integer("WEB_IMAGE_LIST_TTL_SECONDS").pipe(
    Config.validate({ message: "must be 0 or more", validation: (n) => n >= 0 }),
    Config.withDefault(30)
  ),
  folderKeep: Config.string("FOLDER_KEEP").pipe(
    Config.orElse(() => Config.string("folder_keep")),
    Config.withDefault("keep")
  ),
  folderRemove: Config.string("FOLDER_REMOVE").pipe(
    Config.orElse(() => Config.string("folder_remove")),
    Config.withDefault("reject")
  ),
  features: Config.all({
    analyze: flag("FEATURE_ANALYZE_CAPTION", true),
    publish: flag("FEATURE_PUBLISH", true),
    keep: flag("FEATURE_KEEP_CURATE", true),
    remove: flag("FEATURE_REMOVE_CURATE", true),
    // Anonymous visitors may view (list, random, one image, thumbnail, original): publisher_v2's FEATURE_AUTO_VIEW,
    // mapped by the legacy reader.
    autoView: flag("AUTO_VIEW", false)
  })
})
export type WebSettings = Config.Config.Success<typeof WebConfig>
