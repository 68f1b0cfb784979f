import { Dropbox, DropboxAuth, DropboxResponseError } from "dropbox"
import type { DropboxOptions } from "dropbox"
import { Duration, Effect, Layer, Metric, Option, Redacted, Schedule } from "effect"
import { StorageError } from "../../domain/Errors.js"
import { baseName, ImageRef, isImageName, joinPath, sidecarPathOf, sidecarSet } from "../../domain/Image.js"
import { notJsonWords } from "../httpAnswer.js"
import { isTransientStatus, parseRetryAfter, retryTransient } from "../retry.js"
import { storageCalls } from "../telemetry/metrics.js"
import { type DropboxAuth as AuthConfig, DropboxConfig } from "./dropboxConfig.js"
import { failedAnswerOf, routedFetch } from "./routedFetch.js"
import { Storage, type ThumbnailOptions } from "./Storage.js"

type ErrorBody =
  | { error_summary?: string; error?: { retry_after?: number } | string; error_description?: string }
  | string
  | undefined

/** Dropbox's `error_summary`; for OAuth failures (`oauth2/token`) `error: error_description`. */
const summaryOf = (body: ErrorBody): string | undefined => {
  if (typeof body === "string") return body.slice(0, 200)
  if (body === undefined || body === null) return undefined
  if (body.error_summary !== undefined) return body.error_summary
  return typeof body.error === "string"
    ? `${body.error}${body.error_description ? `: ${body.error_description}` : ""}`
    : undefined
}

/** A 409 whose `error_summary` says the path does not exist (`path/not_found/..`, `path_lookup/not_found/..`). */
const isNotFoundCause = (cause: unknown): boolean =>
  cause instanceof DropboxResponseError && cause.status === 409 &&
  /(^|\/)not_found\//.test(summaryOf(cause.error as ErrorBody) ?? "")

const headerOf = (headers: unknown, name: string): string | null =>
  headers !== null && typeof headers === "object" && "get" in headers && typeof headers.get === "function"
    ? (headers.get(name) as string | null)
    : null

/**
 * A batch entry that failed because its source does not exist (the image had no sidecar).
 * Dropbox nests it as `relocation_error/from_lookup/not_found`; the emulator as `from_lookup/not_found`.
 */
const isSourceMissing = (entry: unknown): boolean => {
  const failure = (entry as { failure?: Record<string, unknown> }).failure
  const error = (failure?.[".tag"] === "relocation_error" ? failure["relocation_error"] : failure) as
    | Record<string, unknown>
    | undefined
  const lookup = error?.[".tag"] === "from_lookup" ? error["from_lookup"] as { ".tag"?: string } | undefined : undefined
  return lookup?.[".tag"] === "not_found"
}

/** An SDK failure as a StorageError naming the operation and path, with Dropbox's summary. */
export const toStorageError = (operation: string, path: string) => (cause: unknown): StorageError => {
  if (cause instanceof DropboxResponseError) {
    const body = cause.error as ErrorBody
    const summary = summaryOf(body)
    const retryAfterSeconds = typeof body === "object" && body !== null && typeof body.error === "object"
      ? body.error.retry_after
      : undefined
    const answer = failedAnswerOf(cause.headers)
    // A page that is not JSON from a proxy (an HTML 502/503) is named by status and host, never
    // quoted; Dropbox's own plain-text 400s ("Error in call to API function ...") keep their words.
    const notJson = answer !== undefined && answer.notJson && (answer.html || cause.status >= 500)
    return new StorageError({
      operation,
      path,
      status: cause.status,
      message: notJson
        ? `Dropbox ${operation} ${path}: ${notJsonWords(cause.status, answer.host)}`
        : `Dropbox ${operation} ${path}: HTTP ${cause.status}${summary ? ` ${summary}` : ""}`,
      transient: isTransientStatus(cause.status),
      notFound: isNotFoundCause(cause),
      retryAfterMs: retryAfterSeconds !== undefined
        ? retryAfterSeconds * 1000
        : parseRetryAfter(headerOf(cause.headers, "retry-after"))
    })
  }
  const name = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
  // Network failures (resets, refused connections) are worth retrying; never echo URLs (they may hold a token).
  return new StorageError({
    operation,
    path,
    message: `Dropbox ${operation} ${path}: ${name.replace(/https?:\/\/\S+/g, "<url>")}`,
    transient: true
  })
}

/** The SDK's options type its `fetch` as `Function`. */
type SdkFetch = NonNullable<DropboxOptions["fetch"]>

const makeClient = (auth: AuthConfig, fetch: unknown) => {
  const dropboxAuth = new DropboxAuth(
    auth._tag === "Refresh"
      ? {
        clientId: auth.appKey,
        clientSecret: Redacted.value(auth.appSecret),
        refreshToken: Redacted.value(auth.refreshToken),
        fetch: fetch as SdkFetch
      }
      : { accessToken: Redacted.value(auth.accessToken), fetch: fetch as SdkFetch }
  )
  // Concurrent first calls share one token refresh instead of each starting their own.
  const check = dropboxAuth.checkAndRefreshAccessToken.bind(dropboxAuth) as unknown as () => Promise<void>
  let inFlight: Promise<void> | undefined
  ;(dropboxAuth as unknown as { checkAndRefreshAccessToken: () => Promise<void> }).checkAndRefreshAccessToken = () => {
    inFlight ??= check().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }
  return new Dropbox({ auth: dropboxAuth })
}

/** Dropbox's limit of entries per `files/get_thumbnail_batch` call. */
const THUMBNAIL_BATCH = 25
/** Thumbnail batches in flight at once. */
const THUMBNAIL_CONCURRENCY = 4

/** How a batch of paths is named in errors and spans: the first path, and how many more. */
const batchLabel = (paths: ReadonlyArray<string>) =>
  paths.length > 1 ? `${paths[0]} (+${paths.length - 1} more)` : (paths[0] ?? "")

export interface DropboxStorageOptions {
  /** How many retries of a transient failure (default 4). */
  readonly retries?: number
}

/** Storage on Dropbox through the official SDK, routed to `DROPBOX_API_URL` / `DROPBOX_CONTENT_URL`. */
export const makeDropboxStorage = (options: DropboxStorageOptions = {}) =>
  Layer.scoped(
    Storage,
    Effect.gen(function*() {
      const config = yield* DropboxConfig
      const transport = yield* Effect.acquireRelease(
        Effect.sync(() => routedFetch(config.urls.apiUrl, config.urls.contentUrl)),
        (t) => Effect.sync(t.close)
      )
      const client = makeClient(config.auth, transport.fetch)
      const timeout = Duration.seconds(config.timeoutSeconds)

      /** One SDK call: timeout, typed error, retries of transient failures, span. */
      const request = <A>(operation: string, path: string, f: () => Promise<A>, limit = timeout) =>
        Effect.tryPromise({ try: f, catch: toStorageError(operation, path) }).pipe(
          Effect.ensuring(Metric.increment(Metric.tagged(storageCalls, "operation", operation))),
          Effect.timeoutFail({
            duration: limit,
            onTimeout: () =>
              new StorageError({ operation, path, message: `Dropbox ${operation} ${path}: timed out`, transient: true })
          }),
          retryTransient(options.retries),
          Effect.withSpan(`storage.${operation}`, { attributes: { path } })
        )

      const call = <A>(operation: string, path: string, f: () => Promise<{ result: A }>, limit = timeout) =>
        request(operation, path, () => f().then((r) => r.result), limit)

      /** Like `call`, but a missing path is `None` (decided on the SDK error, never retried). */
      const callOrNone = <A>(operation: string, path: string, f: () => Promise<{ result: A }>, limit = timeout) =>
        request(operation, path, () =>
          f().then(
            (r) => Option.some(r.result),
            (cause) => (isNotFoundCause(cause) ? Option.none<A>() : Promise.reject(cause))
          ), limit)

      const listImages = (folder: string) =>
        Effect.gen(function*() {
          const path = folder === "/" ? "" : folder
          let page = yield* call("list", folder, () => client.filesListFolder({ path, limit: 2000 }))
          const entries = [...page.entries]
          let pages = 1
          while (page.has_more) {
            const cursor = page.cursor
            page = yield* call("list_continue", folder, () => client.filesListFolderContinue({ cursor }))
            entries.push(...page.entries)
            pages++
          }
          const sidecars = sidecarSet(entries.map((e) => e.path_display ?? joinPath(folder, e.name)))
          const images = entries.flatMap((entry) =>
            entry[".tag"] === "file" && isImageName(entry.name)
              ? [
                new ImageRef({
                  name: entry.name,
                  path: entry.path_display ?? joinPath(folder, entry.name),
                  id: entry.id,
                  rev: entry.rev,
                  size: entry.size,
                  contentHash: entry.content_hash ?? "",
                  serverModified: entry.server_modified,
                  hasSidecar: sidecars.has(
                    sidecarPathOf(entry.path_display ?? joinPath(folder, entry.name)).toLowerCase()
                  )
                })
              ]
              : []
          )
          yield* Effect.annotateCurrentSpan({ pages, entries: entries.length, images: images.length })
          return images
        }).pipe(Effect.withSpan("storage.list_images", { attributes: { folder } }))

      const download = (path: string) =>
        call("download", path, () => client.filesDownload({ path }), Duration.seconds(config.downloadTimeoutSeconds))
          .pipe(
            Effect.map((meta) => new Uint8Array((meta as unknown as { fileBinary: Buffer }).fileBinary))
          )

      const upload = (path: string, bytes: Uint8Array) =>
        call("upload", path, () =>
          client.filesUpload({ path, contents: Buffer.from(bytes), mode: { ".tag": "overwrite" }, mute: true })).pipe(
            Effect.asVoid
          )

      /** Polls a batch move until Dropbox says it is complete (bounded). */
      const awaitBatch = (jobId: string, path: string) =>
        call("move_batch_check", path, () =>
          client.filesMoveBatchCheckV2({ async_job_id: jobId })).pipe(
            Effect.flatMap((status) =>
              status[".tag"] === "in_progress"
                ? Effect.fail(
                  new StorageError({ operation: "move_batch_check", path, message: "in progress", transient: true })
                )
                : Effect.succeed(status)
            ),
            Effect.retry({
              schedule: Schedule.exponential("100 millis", 1.5).pipe(Schedule.upTo("30 seconds")),
              while: (e) =>
                e.message === "in progress"
            })
          )

      /**
       * Image and sidecar in one batch (one round trip, plus the job check): a missing sidecar
       * fails only its own entry, so nothing is asked beforehand.
       */
      /** The destination already holds this content: an earlier attempt's move went through. */
      const alreadyMoved = (target: string, contentHash: string) =>
        call("get_metadata", target, () => client.filesGetMetadata({ path: target })).pipe(
          Effect.map((meta) => meta[".tag"] === "file" && meta.content_hash === contentHash),
          Effect.orElseSucceed(() => false)
        )

      const moveWithSidecar = (imagePath: string, toFolder: string, expected?: { readonly contentHash: string }) =>
        Effect.gen(function*() {
          const sidecar = sidecarPathOf(imagePath)
          const target = joinPath(toFolder, baseName(imagePath))
          const launch = yield* call("move_batch", imagePath, () =>
            client.filesMoveBatchV2({
              entries: [
                { from_path: imagePath, to_path: target },
                { from_path: sidecar, to_path: joinPath(toFolder, baseName(sidecar)) }
              ],
              autorename: true
            }))
          const done = launch[".tag"] === "async_job_id" ? yield* awaitBatch(launch.async_job_id, imagePath) : launch
          if (done[".tag"] !== "complete") {
            return yield* new StorageError({
              operation: "move_batch",
              path: imagePath,
              message: `Dropbox move_batch ${imagePath}: ${done[".tag"]}`
            })
          }
          const first = done.entries[0]
          if (
            first?.[".tag"] !== "success" && expected !== undefined && isSourceMissing(first) &&
            (yield* alreadyMoved(target, expected.contentHash))
          ) {
            // A retry of a move that was applied (its answer lost): done. The sidecar went with it in that batch.
            yield* Effect.logInfo("archive_already_applied").pipe(Effect.annotateLogs({ path: imagePath, to: target }))
            return target
          }
          if (first?.[".tag"] !== "success") {
            return yield* new StorageError({
              operation: "move_batch",
              path: imagePath,
              message: `Dropbox move_batch ${imagePath}: the image was not moved (${
                JSON.stringify(first ?? null).slice(0, 200)
              })`
            })
          }
          const moved = first.success.path_display ?? target
          const second = done.entries[1]
          if (second?.[".tag"] === "success") {
            // autorename renames each entry on its own: `a (1).jpg` may come with `a.txt`. Re-pair them.
            const sidecarNow = second.success.path_display ?? joinPath(toFolder, baseName(sidecar))
            const wanted = sidecarPathOf(moved)
            if (sidecarNow.toLowerCase() !== wanted.toLowerCase()) {
              yield* call("move", sidecarNow, () =>
                client.filesMoveV2({ from_path: sidecarNow, to_path: wanted, autorename: true }))
            }
          } else if (second !== undefined && !isSourceMissing(second)) {
            yield* Effect.logWarning("sidecar_not_archived").pipe(
              Effect.annotateLogs({ path: sidecar, result: JSON.stringify(second).slice(0, 200) })
            )
          }
          return moved
        }).pipe(Effect.withSpan("storage.move_with_sidecar", { attributes: { path: imagePath, to: toFolder } }))

      /** One `files/get_thumbnail_batch` call (at most 25 paths): path -> PNG bytes, failures left out. */
      const thumbnailBatch = (paths: ReadonlyArray<string>, options: ThumbnailOptions) =>
        call("thumbnail_batch", batchLabel(paths), () =>
          client.filesGetThumbnailBatch({
            entries: paths.map((path) => ({
              path,
              format: { ".tag": options.format ?? "png" },
              size: { ".tag": options.size ?? "w256h256" },
              mode: { ".tag": "bestfit" }
            }))
          }), Duration.seconds(config.downloadTimeoutSeconds)).pipe(
            // Entries come back in request order; a `failure` (not found, unsupported, too large) is simply absent.
            Effect.map((result) =>
              result.entries.flatMap((entry, i): Array<readonly [string, Uint8Array]> =>
                entry[".tag"] === "success" && paths[i] !== undefined
                  ? [[paths[i], new Uint8Array(Buffer.from(entry.thumbnail, "base64"))]]
                  : []
              )
            )
          )

      const thumbnails = (paths: ReadonlyArray<string>, options: ThumbnailOptions = {}) =>
        Effect.gen(function*() {
          const unique = [...new Set(paths)]
          const chunks = Array.from({ length: Math.ceil(unique.length / THUMBNAIL_BATCH) }, (_, i) =>
            unique.slice(i * THUMBNAIL_BATCH, (i + 1) * THUMBNAIL_BATCH))
          const results = yield* Effect.forEach(chunks, (chunk) =>
            thumbnailBatch(chunk, options), { concurrency: THUMBNAIL_CONCURRENCY })
          const found: ReadonlyMap<string, Uint8Array> = new Map(results.flat())
          yield* Effect.annotateCurrentSpan({ batches: chunks.length, thumbnails: found.size })
          return found
        }).pipe(Effect.withSpan("storage.thumbnails", { attributes: { count: paths.length } }))

      return Storage.of({
        listImages,
        download,
        thumbnails,
        temporaryLink: (path) =>
          call("temporary_link", path, () =>
            client.filesGetTemporaryLink({ path })).pipe(Effect.map((r) =>
              r.link
            )),
        readSidecar: (imagePath) =>
          callOrNone("read_sidecar", sidecarPathOf(imagePath), () =>
            client.filesDownload({ path: sidecarPathOf(imagePath) })).pipe(
              Effect.map(Option.map((meta) =>
                new TextDecoder().decode((meta as unknown as { fileBinary: Buffer }).fileBinary)
              ))
            ),
        writeSidecar: (imagePath, text) =>
          upload(sidecarPathOf(imagePath), new TextEncoder().encode(text)),
        upload,
        remove: (path) =>
          callOrNone("delete", path, () =>
            client.filesDeleteV2({ path })).pipe(Effect.asVoid),
        moveWithSidecar
      })
    })
  )

export const DropboxStorageLive = makeDropboxStorage()
