import { HttpApiBuilder, HttpServerRequest } from "@effect/platform"
import { Duration, Effect, Either, Metric, Option, Random, Ref } from "effect"
import sharp from "sharp"
import type { ImageRef } from "../domain/Image.js"
import { joinPath } from "../domain/Image.js"
import { isSidecarText, parseSidecar, sidecarRecord, sidecarString, sidecarStrings } from "../domain/Sidecar.js"
import { caption, download, withCaptionHashtags } from "../programs/prepare.js"
import { publishOne } from "../programs/publishOne.js"
import { writeSidecar } from "../programs/publishPost.js"
import { mimeTypeOf } from "../programs/selectImage.js"
import { similarImages } from "../programs/similarImages.js"
import { Publishers } from "../services/publishers/Publisher.js"
import { PLATFORMS, renderForPlatforms } from "../services/publishers/registry.js"
import { Storage, THUMBNAIL_SIZES, type ThumbnailSize } from "../services/storage/Storage.js"
import { endpointDuration } from "../services/telemetry/metrics.js"
import { PublisherApi } from "./Api.js"
import { ImageCatalog } from "./catalog.js"
import { etagMatches, fileResponse, notModified } from "./conditional.js"
import { currentCorrelationId } from "./correlation.js"
import { BadRequest, Conflict, Forbidden, NotFound, ServerError } from "./errors.js"
import { WebContext } from "./WebContext.js"

/** Unexpected failures: logged with their cause, answered as a plain 500 (no stack, no secrets). */
const internal = <A, R>(effect: Effect.Effect<A, { readonly _tag: string; readonly message: string }, R>) =>
  effect.pipe(
    Effect.tapError((e) =>
      Effect.logError("web_request_failed").pipe(Effect.annotateLogs({ error_tag: e._tag, error: e.message }))
    ),
    Effect.mapError((e) => new ServerError({ error: "Internal error", detail: e._tag }))
  )

/** Logs `<event>` with `<event>_ms` (integer milliseconds), as publisher_v2 did. */
const timedLog = (event: string) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timed(effect).pipe(
    Effect.tap(([d]) =>
      Effect.logInfo(event).pipe(Effect.annotateLogs(`${event}_ms`, Math.round(Duration.toMillis(d))))
    ),
    Effect.tap(([d]) => Metric.update(endpointDuration.pipe(Metric.tagged("endpoint", event)), Duration.toMillis(d))),
    Effect.map(([, a]) => a),
    Effect.withSpan(`http.${event}`)
  )

const findImage = (filename: string) =>
  Effect.gen(function*() {
    const catalog = yield* ImageCatalog
    const found = yield* internal(catalog.find(filename))
    return yield* Option.match(found, {
      onNone: () => Effect.fail(new NotFound({ error: "Image not found", detail: filename })),
      onSome: Effect.succeed
    })
  })

/** Image, link and sidecar, the two reads concurrently: publisher_v2's ImageResponse plus content_hash. */
const describeImage = (image: ImageRef) =>
  Effect.gen(function*() {
    const storage = yield* Storage
    const { settings } = yield* WebContext
    const [tempUrl, sidecarText] = yield* internal(Effect.all([
      // A local file has no link a browser may open: the API serves it (to those allowed to view).
      settings.storageKind === "local" ? Effect.succeed(originalUrl(image.name)) : storage.temporaryLink(image.path),
      image.hasSidecar ? storage.readSidecar(image.path) : Effect.succeed(Option.none<string>())
    ], { concurrency: 2 }))
    // A .txt that is not a sidecar (the user's notes) is not shown as captions.
    const sidecar = Option.map(Option.filter(sidecarText, isSidecarText), parseSidecar)
    const sdCaption = Option.flatMap(sidecar, (s) => (s.sdCaption === "" ? Option.none() : Option.some(s.sdCaption)))
    const captionText = Option.orElse(Option.flatMap(sidecar, (s) => sidecarString(s, "caption")), () => sdCaption)
    return {
      filename: image.name,
      temp_url: tempUrl,
      content_hash: image.contentHash,
      sha256: Option.getOrNull(Option.flatMap(sidecar, (s) => sidecarString(s, "sha256"))),
      caption: Option.getOrNull(captionText),
      sd_caption: Option.getOrNull(sdCaption),
      metadata: Option.getOrNull(Option.map(sidecar, sidecarRecord)),
      has_sidecar: Option.isSome(sidecar)
    }
  })

/** Where the API serves an image's original bytes. */
export const originalUrl = (filename: string) => `/api/images/${encodeURIComponent(filename)}/original`

const feature = (on: boolean, name: string) =>
  on ? Effect.void : Effect.fail(new Forbidden({ error: `This feature is disabled via ${name}` }))

/** What each enabled platform would get (publisher_v2's `platform_captions`: platform -> caption text). */
const platformCaptions = (caption: string) =>
  internal(renderForPlatforms(caption)).pipe(
    Effect.map((rendered) => Object.fromEntries(Object.entries(rendered).map(([platform, r]) => [platform, r.caption])))
  )

/** A JPEG within the size's box, turned upright (what Dropbox's thumbnails are), by sharp. */
const renderThumbnail = (bytes: Uint8Array, size: ThumbnailSize) =>
  Effect.tryPromise({
    try: () => {
      const [width, height] = THUMBNAIL_SIZES[size]
      return sharp(bytes, { failOn: "error" }).rotate().resize(width, height, {
        fit: "inside",
        withoutEnlargement: true
      }).flatten({ background: "#ffffff" }).jpeg({ quality: 85 }).toBuffer()
    },
    catch: (e) => new Error(`cannot render a thumbnail: ${e instanceof Error ? e.message : String(e)}`)
  }).pipe(Effect.map((b) => new Uint8Array(b)))

export const ImagesHandlers = HttpApiBuilder.group(PublisherApi, "images", (handlers) =>
  Effect.gen(function*() {
    const shown = yield* Ref.make(new Set<string>())
    return handlers
      .handle("random", () =>
        Effect.gen(function*() {
          const images = yield* internal((yield* ImageCatalog).list)
          if (images.length === 0) return yield* new NotFound({ error: "No images in the folder" })
          // No repeats until every image has been shown.
          const seen = yield* Ref.get(shown)
          const fresh = images.filter((i) => !seen.has(i.name))
          const pool = fresh.length > 0 ? fresh : images
          const image = pool[yield* Random.nextIntBetween(0, pool.length)]!
          yield* Ref.set(shown, fresh.length > 0 ? new Set([...seen, image.name]) : new Set([image.name]))
          return yield* describeImage(image)
        }).pipe(timedLog("web_random_image")))
      .handle("list", () =>
        Effect.gen(function*() {
          const images = yield* internal((yield* ImageCatalog).list)
          const filenames = images.map((i) => i.name).sort()
          return { filenames, count: filenames.length }
        }).pipe(timedLog("web_list_images")))
      .handle("image", ({ path }) =>
        findImage(path.filename).pipe(Effect.flatMap(describeImage), timedLog("web_get_image")))
      .handle("thumbnail", ({ path, urlParams }) =>
        Effect.gen(function*() {
          const image = yield* findImage(path.filename)
          const size = urlParams.size ?? "w960h640"
          // The same bytes and size give the same thumbnail: a browser's copy is revalidated, not re-rendered.
          const etag = `"${image.contentHash}-${size}"`
          const request = yield* HttpServerRequest.HttpServerRequest
          if (etagMatches(request.headers["if-none-match"], etag)) {
            return notModified(etag)
          }
          const storage = yield* Storage
          // Dropbox renders it (no download); a storage without thumbnails (a local folder): sharp.
          const rendered = yield* internal(storage.thumbnails([image.path], { size, format: "jpeg" }))
          const bytes = rendered.get(image.path) ?? (yield* internal(
            storage.download(image.path).pipe(
              Effect.flatMap((original) =>
                renderThumbnail(original, size).pipe(
                  Effect.mapError((e) => ({ _tag: "ThumbnailError", message: e.message }))
                )
              )
            )
          ))
          return fileResponse(bytes, { etag, contentType: "image/jpeg", range: undefined, filename: image.name })
        }).pipe(timedLog("web_thumbnail")))
      .handle("original", ({ path }) =>
        Effect.gen(function*() {
          const image = yield* findImage(path.filename)
          const etag = `"${image.contentHash}"`
          const request = yield* HttpServerRequest.HttpServerRequest
          if (etagMatches(request.headers["if-none-match"], etag)) {
            return notModified(etag)
          }
          const bytes = yield* internal((yield* Storage).download(image.path))
          return fileResponse(bytes, {
            etag,
            contentType: mimeTypeOf(image.name),
            range: request.headers["range"],
            filename: image.name
          })
        }).pipe(timedLog("web_original")))
      .handle("analyze", ({ path, urlParams }) =>
        Effect.gen(function*() {
          const web = yield* WebContext
          yield* feature(web.settings.features.analyze, "FEATURE_ANALYZE_CAPTION")
          const image = yield* findImage(path.filename)
          const force = urlParams.force_refresh === "true" || urlParams.force_refresh === "1"
          const storage = yield* Storage
          if (!force && image.hasSidecar) {
            const text = yield* internal(storage.readSidecar(image.path))
            if (Option.isSome(text) && isSidecarText(text.value)) {
              const sidecar = parseSidecar(text.value)
              const sd = sidecar.sdCaption === "" ? null : sidecar.sdCaption
              // As a run would post it: CAPTION_HASHTAGS at the end.
              const stored = Option.getOrElse(sidecarString(sidecar, "caption"), () =>
                sd ?? "")
              const cap = stored === "" ? stored : yield* internal(withCaptionHashtags(stored))
              if (cap !== "" || sd !== null) {
                yield* Effect.logInfo("web_analyze_sidecar_cache_hit")
                const nsfw = sidecarRecord(sidecar)["nsfw"]
                return {
                  filename: image.name,
                  description: Option.getOrElse(sidecarString(sidecar, "description"), () => ""),
                  mood: Option.getOrElse(sidecarString(sidecar, "mood"), () => ""),
                  tags: Option.getOrElse(sidecarStrings(sidecar, "tags"), () => []),
                  nsfw: nsfw === true || (typeof nsfw === "string" && nsfw.toLowerCase() === "true"),
                  caption: cap,
                  sd_caption: sd,
                  sidecar_written: false,
                  from_sidecar: true,
                  platform_captions: yield* platformCaptions(cap)
                }
              }
            }
          }
          const timings = {}
          // Asked afresh (the sidecar is not used as the cache), but what stood there is kept if it is the user's.
          const downloaded = yield* internal(download(image))
          const prepared = yield* internal(caption({ ...downloaded, sidecar: Option.none<string>() }, timings))
          yield* internal(writeSidecar({ ...prepared, sidecar: downloaded.sidecar }, timings))
          yield* (yield* ImageCatalog).invalidate
          return {
            filename: image.name,
            description: prepared.analysis.description,
            mood: prepared.analysis.mood,
            tags: prepared.analysis.tags,
            nsfw: prepared.analysis.nsfw,
            caption: prepared.captions.caption,
            sd_caption: prepared.captions.sd_caption,
            sidecar_written: true,
            from_sidecar: false,
            platform_captions: yield* platformCaptions(prepared.captions.caption)
          }
        }).pipe(timedLog("web_analyze")))
      .handle("publish", ({ path, payload }) =>
        Effect.gen(function*() {
          const web = yield* WebContext
          yield* feature(web.settings.features.publish, "FEATURE_PUBLISH")
          const image = yield* findImage(path.filename)
          const publishers = yield* choosePublishers(payload.platforms)
          const correlationId = yield* currentCorrelationId
          const attempt = yield* internal(
            publishOne({
              correlationId,
              folder: web.folder,
              archiveFolder: web.archiveFolder,
              maxAttempts: web.maxAttempts,
              select: image.name,
              dryPublish: false,
              preview: false,
              caption: payload.caption ?? undefined
            }).pipe(
              Effect.map(Either.right),
              Effect.catchTag("PublishingBusy", (busy) => Effect.succeed(Either.left(busy))),
              Effect.provideService(Publishers, publishers)
            )
          )
          // Another run (cron, CLI, another request) is publishing: 409, try again when it ends.
          if (Either.isLeft(attempt)) {
            return yield* new Conflict({ error: "Another run is publishing", detail: attempt.left.message })
          }
          const result = attempt.right
          yield* (yield* ImageCatalog).invalidate
          const results = Object.fromEntries(
            Object.entries(result.published).map(([platform, o]) => [platform, {
              success: o.ok,
              status: o.status,
              post_id: o.id ?? null,
              error: o.error ?? null
            }])
          )
          return {
            filename: image.name,
            results,
            archived: result.archived,
            any_success: Object.values(result.published).some((o) => o.ok)
          }
        }).pipe(timedLog("web_publish")))
      .handle("similar", ({ path, urlParams }) =>
        Effect.gen(function*() {
          const image = yield* findImage(path.filename)
          const images = yield* internal((yield* ImageCatalog).list)
          const maxDistance = urlParams.max_distance ?? 12
          const found = yield* internal(similarImages(image, images, { limit: urlParams.limit ?? 10, maxDistance }))
          if (Option.isNone(found)) {
            return yield* new ServerError({ error: "The image could not be hashed", detail: image.name })
          }
          return { filename: image.name, content_hash: image.contentHash, ...found.value, max_distance: maxDistance }
        }).pipe(timedLog("web_similar")))
      .handle("keep", ({ path }) => curate(path.filename, "keep"))
      .handle("remove", ({ path }) => curate(path.filename, "remove"))
  }))

/**
 * The platforms a publish request asked for: only those (an absent list: every enabled one). An
 * unknown or disabled name is refused before anything is posted: a post cannot be taken back.
 */
const choosePublishers = (requested: ReadonlyArray<string> | undefined) =>
  Effect.gen(function*() {
    const enabled = yield* Publishers
    if (requested === undefined) return enabled
    const names = enabled.map((p) => p.platform)
    if (requested.length === 0) {
      return yield* new BadRequest({
        error: "No platform chosen",
        detail: `platforms must name at least one of: ${names.join(", ") || "(none enabled)"}`
      })
    }
    for (const name of requested) {
      if (!PLATFORMS.some((p) => p.name === name)) {
        return yield* new BadRequest({
          error: `Unknown platform: ${name}`,
          detail: `platforms may name: ${PLATFORMS.map((p) => p.name).join(", ")}`
        })
      }
      if (!names.includes(name)) {
        return yield* new BadRequest({
          error: `Platform not enabled: ${name}`,
          detail: `enabled: ${names.join(", ") || "none"}; set ${
            PLATFORMS.find((p) => p.name === name)!.enabledVar
          } or its credentials to enable it`
        })
      }
    }
    return enabled.filter((p) => requested.includes(p.platform))
  })

const curate = (filename: string, action: "keep" | "remove") =>
  Effect.gen(function*() {
    const web = yield* WebContext
    yield* feature(
      action === "keep" ? web.settings.features.keep : web.settings.features.remove,
      action === "keep" ? "FEATURE_KEEP_CURATE" : "FEATURE_REMOVE_CURATE"
    )
    const image = yield* findImage(filename)
    const folderName = action === "keep" ? web.settings.folderKeep : web.settings.folderRemove
    const destination = folderName.startsWith("/") ? folderName : joinPath(web.folder, folderName)
    yield* internal((yield* Storage).moveWithSidecar(image.path, destination, image))
    yield* (yield* ImageCatalog).invalidate
    return { filename: image.name, action, destination_folder: destination, preview_only: false }
  }).pipe(timedLog(`web_${action}`))
