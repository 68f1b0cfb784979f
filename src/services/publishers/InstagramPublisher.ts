import { Config, Duration, Effect, Schedule } from "effect"
import { formatCaption } from "../../domain/Caption.js"
import { PublishError } from "../../domain/Errors.js"
import { retryTransient } from "../retry.js"
import { Storage } from "../storage/Storage.js"
import { makeGraphClient } from "./graphApi.js"
import { instagramPlanFor, prepareInstagramCopy } from "./instagramImage.js"
import type { PlatformPublisher, Post } from "./Publisher.js"

export const InstagramConfig = Config.all({
  userId: Config.string("INSTAGRAM_USER_ID"),
  token: Config.redacted("INSTAGRAM_ACCESS_TOKEN"),
  graphUrl: Config.string("INSTAGRAM_GRAPH_URL").pipe(Config.withDefault("https://graph.facebook.com/v21.0")),
  fit: Config.literal("crop", "pad")("INSTAGRAM_IMAGE_FIT").pipe(Config.withDefault("crop" as const)),
  pollSeconds: Config.integer("INSTAGRAM_POLL_SECONDS").pipe(Config.withDefault(120)),
  timeoutSeconds: Config.integer("INSTAGRAM_TIMEOUT_SECONDS").pipe(Config.withDefault(30))
})

const PLATFORM = "instagram"
const permanent = (message: string) =>
  new PublishError({ platform: PLATFORM, message: `instagram: ${message}`, transient: false })

/** `folder/photo.jpg` -> `folder/.photo.instagram.jpg`: hidden, so no listing ever picks it up. */
export const preparedCopyPath = (imagePath: string) => {
  const slash = imagePath.lastIndexOf("/")
  const name = imagePath.slice(slash + 1)
  const stem = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : name
  return `${imagePath.slice(0, slash + 1)}.${stem}.instagram.jpg`
}

/**
 * Instagram content publishing (Graph API): check the daily limit, make sure the photo is one
 * Instagram accepts (else publish a prepared copy, removed afterwards), create a media container
 * from its temporary link, wait until it is FINISHED, publish it. A failed publish call is
 * checked against the container's status before anything is retried, so it never posts twice.
 */
export const makeInstagramPublisher = Effect.gen(function*() {
  const config = yield* InstagramConfig
  const storage = yield* Storage
  const graph = makeGraphClient(config.graphUrl, config.token, config.timeoutSeconds)
  const user = config.userId

  const quota = graph.call(
    "GET",
    `${user}/content_publishing_limit`,
    { fields: "quota_usage,config" },
    "content_publishing_limit"
  ).pipe(
    retryTransient(),
    Effect.map((body) => {
      const entry = (body["data"] as Array<{ quota_usage?: number; config?: { quota_total?: number } }> | undefined)
        ?.[0]
      return { used: entry?.quota_usage ?? 0, total: entry?.config?.quota_total }
    })
  )

  const checkLimit = quota.pipe(
    Effect.flatMap(({ total, used }) =>
      total !== undefined && used >= total
        ? Effect.fail(permanent(`daily limit reached (${used} of ${total} posts in 24 hours); the next run retries`))
        : Effect.void
    )
  )

  /** The account answers to the token, and its publishing quota. */
  const check = Effect.gen(function*() {
    const account = yield* graph.call("GET", user, { fields: "id,username" }, "account").pipe(retryTransient())
    const { total, used } = yield* quota
    const name = typeof account["username"] === "string" ? `@${account["username"]}` : `account ${user}`
    return `${name}: ${used}${total === undefined ? "" : ` of ${total}`} posts used in the last 24 hours`
  })

  const containerStatus = (container: string) =>
    graph.call("GET", container, { fields: "status_code" }, "container_status").pipe(
      retryTransient(),
      Effect.map((body) => String(body["status_code"] ?? "UNKNOWN"))
    )

  /** Polls with backoff until FINISHED (or PUBLISHED); ERROR / EXPIRED / time out are failures. */
  const awaitFinished = (container: string) =>
    containerStatus(container).pipe(
      Effect.filterOrFail(
        (status) => status === "FINISHED" || status === "PUBLISHED" || status === "ERROR" || status === "EXPIRED",
        () => new PublishError({ platform: PLATFORM, message: "in progress", transient: true })
      ),
      Effect.retry({
        schedule: Schedule.exponential("300 millis", 1.5).pipe(
          Schedule.either(Schedule.spaced("5 seconds")),
          Schedule.upTo(Duration.seconds(config.pollSeconds))
        ),
        while: (e) => e.message === "in progress"
      }),
      Effect.catchIf((e) => e.message === "in progress", () =>
        Effect.fail(permanent(`the media container was not ready after ${config.pollSeconds} s`))),
      Effect.flatMap((status) =>
        status === "ERROR" || status === "EXPIRED"
          ? Effect.fail(permanent(`Instagram rejected the media (container ${status})`))
          : Effect.succeed(status)
      ),
      Effect.withSpan("publish.instagram.await_container")
    )

  /** media_publish; when it fails, the container's status says whether it went live anyway. */
  const publishContainer = (container: string) =>
    graph.call("POST", `${user}/media_publish`, { creation_id: container }, "media_publish").pipe(
      Effect.map((body) => String(body["id"])),
      Effect.catchAll((error) =>
        containerStatus(container).pipe(
          Effect.matchEffect({
            onFailure: () =>
              Effect.fail(
                new PublishError({
                  ...error,
                  message: `${error.message}; the post may be live`,
                  transient: false,
                  uncertain: true
                })
              ),
            onSuccess: (status) =>
              status === "PUBLISHED"
                ? Effect.succeed(container)
                : status === "FINISHED"
                ? Effect.fail(error) // not live: retrying is safe when the error is transient
                : Effect.fail(new PublishError({ ...error, transient: false }))
          })
        )
      ),
      retryTransient()
    )

  const withImageUrl = <A>(post: Post, use: (url: string) => Effect.Effect<A, PublishError>) =>
    Effect.gen(function*() {
      const plan = yield* instagramPlanFor(post.bytes, config.fit)
      if (plan._tag === "AsIs") {
        return yield* use(
          yield* storage.temporaryLink(post.image.path).pipe(Effect.mapError((e) => permanent(e.message)))
        )
      }
      yield* Effect.logInfo("instagram_prepared_copy").pipe(
        Effect.annotateLogs({ image: post.image.name, reasons: plan.reasons.join(", ") })
      )
      const copy = yield* prepareInstagramCopy(post.bytes, plan)
      const path = preparedCopyPath(post.image.path)
      yield* storage.upload(path, copy).pipe(
        Effect.mapError((e) => new PublishError({ platform: PLATFORM, message: e.message, transient: e.transient }))
      )
      return yield* storage.temporaryLink(path).pipe(
        Effect.mapError((e) => permanent(e.message)),
        Effect.flatMap(use),
        Effect.ensuring(storage.remove(path).pipe(Effect.ignore))
      )
    })

  const publish = (post: Post) =>
    Effect.gen(function*() {
      yield* checkLimit
      return yield* withImageUrl(post, (imageUrl) =>
        Effect.gen(function*() {
          const created = yield* graph.call("POST", `${user}/media`, {
            image_url: imageUrl,
            caption: formatCaption("instagram", post.captions.caption)
          }, "media").pipe(
            retryTransient()
          )
          const container = String(created["id"])
          yield* Effect.annotateCurrentSpan({ container })
          const status = yield* awaitFinished(container)
          const mediaId = status === "PUBLISHED" ? container : yield* publishContainer(container)
          return { platform: PLATFORM, postId: mediaId }
        }))
    }).pipe(Effect.withSpan("publish.instagram", { attributes: { platform: PLATFORM, image: post.image.name } }))

  return { platform: PLATFORM, publish, check } satisfies PlatformPublisher
})
