import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSchema, OpenApi } from "@effect/platform"
import { Context, Schema } from "effect"
import {
  BadRequest,
  Conflict,
  Forbidden,
  NotFound,
  ServerError,
  TooManyRequests,
  Unauthorized,
  Unavailable
} from "./errors.js"

/**
 * Who may call an endpoint; every endpoint is annotated with one (the access-control test reads
 * them from this definition, so an endpoint cannot be added without its rule):
 * - `public`: anyone (health, login, the feature switches: nothing about a photo);
 * - `viewer`: the API credential or an admin session; anyone when `AUTO_VIEW` is on;
 * - `private`: the API credential or an admin session;
 * - `admin`: an admin session (and, for state changes, the same origin).
 */
export type AccessLevel = "public" | "viewer" | "private" | "admin"
export class Access extends Context.Tag("publisher/Access")<Access, AccessLevel>() {}

/** The API credential (WEB_AUTH_TOKEN bearer, WEB_AUTH_USER / WEB_AUTH_PASS basic) or an admin session. */
export class Authorization extends HttpApiMiddleware.Tag<Authorization>()("Authorization", { failure: Unauthorized }) {}

/** As {@link Authorization}, and anyone at all while `AUTO_VIEW` is on. */
export class Viewer extends HttpApiMiddleware.Tag<Viewer>()("Viewer", { failure: Unauthorized }) {}

/** The admin session cookie, and a same-origin check on state-changing requests (CSRF). */
export class AdminSession extends HttpApiMiddleware.Tag<AdminSession>()("AdminSession", {
  failure: Schema.Union(Forbidden, Unavailable)
}) {}

const Metadata = Schema.Record({ key: Schema.String, value: Schema.Unknown })

export const ImageResponse = Schema.Struct({
  filename: Schema.String,
  temp_url: Schema.String,
  content_hash: Schema.String,
  sha256: Schema.NullOr(Schema.String),
  caption: Schema.NullOr(Schema.String),
  sd_caption: Schema.NullOr(Schema.String),
  metadata: Schema.NullOr(Metadata),
  has_sidecar: Schema.Boolean
})

/** publisher_v2's `GET /api/images/list`: the folder's image names, sorted. */
export const ImageList = Schema.Struct({ filenames: Schema.Array(Schema.String), count: Schema.Number })

export const AnalysisResponse = Schema.Struct({
  filename: Schema.String,
  description: Schema.String,
  mood: Schema.String,
  tags: Schema.Array(Schema.String),
  nsfw: Schema.Boolean,
  caption: Schema.String,
  sd_caption: Schema.NullOr(Schema.String),
  sidecar_written: Schema.Boolean,
  from_sidecar: Schema.Boolean,
  /** Each enabled platform's caption after its own rules (email: without hashtags, ...). */
  platform_captions: Schema.Record({ key: Schema.String, value: Schema.String })
})

export const PlatformResult = Schema.Struct({
  success: Schema.Boolean,
  status: Schema.Literal("published", "already_published", "failed", "uncertain"),
  post_id: Schema.NullOr(Schema.String),
  error: Schema.NullOr(Schema.String)
})

export const PublishRequest = Schema.Struct({
  platforms: Schema.optional(Schema.Array(Schema.String)),
  /** publisher_v2's caption override: posted as given instead of the generated caption. */
  caption: Schema.optional(Schema.NullOr(Schema.String.pipe(Schema.maxLength(5000))))
})

export const PublishResponse = Schema.Struct({
  filename: Schema.String,
  results: Schema.Record({ key: Schema.String, value: PlatformResult }),
  archived: Schema.Boolean,
  any_success: Schema.Boolean
})

export const CurationResponse = Schema.Struct({
  filename: Schema.String,
  action: Schema.Literal("keep", "remove"),
  destination_folder: Schema.String,
  preview_only: Schema.Boolean
})

export const SimilarImage = Schema.Struct({
  filename: Schema.String,
  content_hash: Schema.String,
  phash: Schema.String,
  distance: Schema.Number,
  posted: Schema.Boolean,
  in_folder: Schema.Boolean
})

export const SimilarResponse = Schema.Struct({
  filename: Schema.String,
  content_hash: Schema.String,
  phash: Schema.String,
  algorithm: Schema.String,
  max_distance: Schema.Number,
  similar: Schema.Array(SimilarImage)
})

/** A query-string integer within [min, max]. */
const intParam = (min: number, max: number) => Schema.NumberFromString.pipe(Schema.int(), Schema.between(min, max))

export const AdminStatus = Schema.Struct({
  admin: Schema.Boolean,
  error: Schema.optional(Schema.NullOr(Schema.String))
})
export const LoginRequest = Schema.Struct({ password: Schema.String.pipe(Schema.maxLength(1024)) })

export const Features = Schema.Struct({
  analyze_caption_enabled: Schema.Boolean,
  publish_enabled: Schema.Boolean,
  keep_enabled: Schema.Boolean,
  remove_enabled: Schema.Boolean,
  auto_view_enabled: Schema.Boolean,
  /** `oidc`: single sign-on (`/auth/login`); `password`: the admin password; `none`: no admin login. */
  auth_mode: Schema.Literal("oidc", "password", "none"),
  /** Whether the password form is there (beside single sign-on too, while web_admin_pw is set). */
  password_login_enabled: Schema.Boolean
})

/** `GET /api/admin/check`: every service checked (as `publisher check`) and the posting schedule. */
export const CheckReport = Schema.Struct({
  ok: Schema.Boolean,
  checks: Schema.Array(
    Schema.Struct({
      name: Schema.String,
      status: Schema.Literal("ok", "failed", "off"),
      detail: Schema.String,
      ms: Schema.Number
    })
  ),
  schedule: Schema.NullOr(
    Schema.Struct({ expression: Schema.String, time_zone: Schema.String, next_run_at: Schema.String })
  )
})

/** publisher_v2's voice profile: captions in the account's voice, shown to the caption model (`CAPTION_EXAMPLES`). */
export const VoiceProfile = Schema.Struct({
  voice_profile: Schema.NullOr(Schema.Array(Schema.String)),
  enabled: Schema.Boolean
})
export const VoiceProfileUpdate = Schema.Struct({ voice_profile: Schema.Array(Schema.String) })

export const Publishers = Schema.Struct({ telegram: Schema.Boolean, instagram: Schema.Boolean, email: Schema.Boolean })
export const Health = Schema.Struct({
  status: Schema.String,
  checks: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
})

/** `{filename}`: a plain file name (no separators, no `..`, no control characters). */
export const FileName = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(255),
  Schema.filter((s) => !/[/\\\u0000-\u001f]/.test(s) && s !== "." && s !== ".." && !s.includes(".."), {
    message: () => "filename must be a plain file name"
  })
)
const filename = HttpApiSchema.param("filename", FileName)

/**
 * Login is guarded by the admin password itself (constant-time, throttled), not by
 * WEB_AUTH_*: a browser has no API token. A session then authorizes the rest.
 */
export const AdminApi = HttpApiGroup.make("admin")
  .add(
    HttpApiEndpoint.post("login", "/api/admin/login").setPayload(LoginRequest).addSuccess(AdminStatus)
      .addError(Unauthorized).addError(NotFound).addError(TooManyRequests).addError(Forbidden).annotate(
        Access,
        "public"
      )
  )
  .add(HttpApiEndpoint.get("status", "/api/admin/status").addSuccess(AdminStatus).annotate(Access, "public"))
  .add(
    HttpApiEndpoint.post("logout", "/api/admin/logout").addSuccess(AdminStatus).addError(Forbidden).annotate(
      Access,
      "public"
    )
  )
  .add(
    HttpApiEndpoint.get("check", "/api/admin/check").addSuccess(CheckReport).addError(Forbidden).addError(Unavailable)
      .middleware(AdminSession).annotate(Access, "admin")
  )

export const ImagesApi = HttpApiGroup.make("images")
  .add(
    HttpApiEndpoint.get("list", "/api/images/list").addSuccess(ImageList).addError(ServerError).middleware(Viewer)
      .annotate(Access, "viewer")
  )
  .add(
    HttpApiEndpoint.get("random", "/api/images/random").addSuccess(ImageResponse).addError(NotFound).addError(
      ServerError
    )
      .middleware(Viewer).annotate(Access, "viewer")
  )
  .add(
    HttpApiEndpoint.get("image")`/api/images/${filename}`.addSuccess(ImageResponse).addError(NotFound).addError(
      ServerError
    )
      .middleware(Viewer).annotate(Access, "viewer")
  )
  .add(
    HttpApiEndpoint.get("thumbnail")`/api/images/${filename}/thumbnail`
      .setUrlParams(
        Schema.Struct({
          size: Schema.optional(Schema.Literal("w256h256", "w480h320", "w640h480", "w960h640", "w1024h768"))
        })
      )
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "image/jpeg" }))
      .addError(NotFound).addError(ServerError).middleware(Viewer).annotate(Access, "viewer")
  )
  .add(
    // The original file (what a local folder's image URLs point to): ETag, Range, private caching.
    HttpApiEndpoint.get("original")`/api/images/${filename}/original`
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }))
      .addError(NotFound).addError(ServerError).middleware(Viewer).annotate(Access, "viewer")
  )
  .add(
    HttpApiEndpoint.post("analyze")`/api/images/${filename}/analyze`
      .setUrlParams(Schema.Struct({ force_refresh: Schema.optional(Schema.Literal("true", "false", "1", "0")) }))
      .addSuccess(AnalysisResponse).addError(NotFound).addError(Forbidden).addError(ServerError).middleware(
        AdminSession
      ).annotate(Access, "admin")
  )
  .add(
    HttpApiEndpoint.post("publish")`/api/images/${filename}/publish`.setPayload(PublishRequest)
      .addSuccess(PublishResponse).addError(NotFound).addError(Forbidden).addError(BadRequest).addError(Conflict)
      .addError(ServerError)
      .middleware(AdminSession).annotate(Access, "admin")
  )
  .add(
    HttpApiEndpoint.get("similar")`/api/images/${filename}/similar`
      .setUrlParams(
        Schema.Struct({ limit: Schema.optional(intParam(1, 100)), max_distance: Schema.optional(intParam(0, 32)) })
      )
      .addSuccess(SimilarResponse).addError(NotFound).addError(ServerError).middleware(Authorization).annotate(
        Access,
        "private"
      )
  )
  .add(
    HttpApiEndpoint.post("keep")`/api/images/${filename}/keep`.addSuccess(CurationResponse).addError(NotFound).addError(
      Forbidden
    ).addError(ServerError)
      .middleware(AdminSession).annotate(Access, "admin")
  )
  .add(
    HttpApiEndpoint.post("remove")`/api/images/${filename}/remove`.addSuccess(CurationResponse).addError(NotFound)
      .addError(Forbidden)
      .addError(ServerError).middleware(AdminSession).annotate(Access, "admin")
  )
  .addError(BadRequest)

export const ConfigApi = HttpApiGroup.make("config")
  .add(
    HttpApiEndpoint.get("publishers", "/api/config/publishers").addSuccess(Publishers).middleware(Authorization)
      .annotate(Access, "private")
  )
  .add(HttpApiEndpoint.get("features", "/api/config/features").addSuccess(Features).annotate(Access, "public"))
  .add(
    HttpApiEndpoint.get("getVoiceProfile", "/api/config/voice-profile").addSuccess(VoiceProfile).addError(Forbidden)
      .addError(Unavailable)
      .addError(ServerError).middleware(AdminSession).annotate(Access, "admin")
  )
  .add(
    HttpApiEndpoint.post("setVoiceProfile", "/api/config/voice-profile").setPayload(VoiceProfileUpdate)
      .addSuccess(VoiceProfile).addError(BadRequest).addError(Forbidden).addError(Unavailable).addError(ServerError)
      .middleware(AdminSession).annotate(Access, "admin")
  )

export const HealthApi = HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("live", "/health/live").addSuccess(Health).annotate(Access, "public"))
  // publisher_v2's plain health check (what its platform probed).
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(Health).annotate(Access, "public"))
  .add(
    HttpApiEndpoint.get("ready", "/health/ready").addSuccess(Health).addError(Unavailable).annotate(Access, "public")
  )

export class PublisherApi extends HttpApi.make("publisher")
  .add(AdminApi)
  .add(ImagesApi)
  .add(ConfigApi)
  .add(HealthApi)
  .annotate(OpenApi.Title, "Publisher admin API")
  .annotate(OpenApi.Description, "Curate and publish photos: the publisher_v2 endpoints, on Effect.")
{}
