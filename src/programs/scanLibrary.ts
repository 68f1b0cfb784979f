import { Chunk, Effect, Either, Option, Stream } from "effect"
import { HammingIndex } from "../domain/HammingIndex.js"
import type { ImageRef } from "../domain/Image.js"
import { fromHex, hexDistance, PHASH_ALGORITHM, PHASH_VERSION } from "../domain/PerceptualHash.js"
import { PostedIndex } from "../services/dedup/PostedIndex.js"
import { ImageHasher } from "../services/phash/ImageHasher.js"
import { State, type StoredImageHash } from "../services/state/State.js"
import { Storage } from "../services/storage/Storage.js"

/** Thumbnails asked for at once: Dropbox's batch limit is 25, four batches run together. */
const THUMBNAIL_WINDOW = 100

export interface ScanOptions {
  readonly folder: string
  /**
   * Where posted images are archived: its images count as posted. They are hashed like the
   * folder's (cached) and recorded as posted, so copies of photos posted before near-duplicate
   * detection existed (or by publisher_v2) are found by this scan and skipped by runs. A folder
   * that does not exist is an empty archive.
   */
  readonly archiveFolder?: string | undefined
  /** Hamming distance (bits) at or below which two images are near-duplicates; 0: exact only. */
  readonly distance: number
  /** Called after each image is hashed (for a progress bar). */
  readonly onProgress?: ((done: number, total: number) => Effect.Effect<void>) | undefined
}

/** One file of a cluster; `distance` to the cluster's first file (0 and `exact` for the same bytes). */
export interface ClusterMember {
  readonly image: string
  readonly path: string
  readonly content_hash: string
  readonly phash: string | null
  readonly distance: number
  readonly exact: boolean
}

export interface PostedMatch {
  readonly image: string
  readonly near_duplicate_of: string
  readonly distance: number
}

export interface ScanResult {
  readonly folder: string
  readonly distance: number
  readonly images: number
  /** Images whose hash came from State (hashed by an earlier scan or run). */
  readonly cached: number
  /** Images hashed now, from a Dropbox thumbnail or from the file itself. */
  readonly from_thumbnails: number
  readonly from_downloads: number
  readonly failed: ReadonlyArray<{ readonly image: string; readonly error: string }>
  /** Groups of near-duplicate (or identical) files, first file first (oldest, then by name). */
  readonly clusters: ReadonlyArray<ReadonlyArray<ClusterMember>>
  /** Unposted images within the distance of an already posted image. */
  readonly posted_matches: ReadonlyArray<PostedMatch>
  /** The archive's images: how many, how many hashed now, how many recorded as posted now. */
  readonly archive: ArchiveScan | null
}

export interface ArchiveScan {
  readonly folder: string
  readonly images: number
  readonly hashed: number
  readonly newly_posted: number
}

/** Oldest first (the likely original), then by name. */
const byAge = (a: ImageRef, b: ImageRef) =>
  (a.serverModified ?? "").localeCompare(b.serverModified ?? "") || a.name.localeCompare(b.name)

/**
 * Hashes every image of the folder not hashed before (a Dropbox thumbnail when the backend gives
 * one, else the file), saving hashes to State as it goes, so an interrupted scan keeps its work and
 * a second scan hashes only new files.
 */
export const hashLibrary = (images: ReadonlyArray<ImageRef>, onProgress?: ScanOptions["onProgress"]) =>
  Effect.gen(function*() {
    const storage = yield* Storage
    const state = yield* State
    const hasher = yield* ImageHasher
    const known = new Map(yield* state.imageHashes(PHASH_ALGORITHM, PHASH_VERSION))
    // One file per content (the first listed): copies with the same bytes share a hash.
    const firstOfContent = new Map<string, ImageRef>()
    for (const image of images) {
      if (!known.has(image.contentHash) && !firstOfContent.has(image.contentHash)) {
        firstOfContent.set(image.contentHash, image)
      }
    }
    const todo = [...firstOfContent.values()]
    const counts = { cached: images.filter((i) => known.has(i.contentHash)).length, thumbnails: 0, downloads: 0 }
    const failed: Array<{ image: string; error: string }> = []
    let done = 0

    const hashOne = (image: ImageRef, thumbnail: Option.Option<Uint8Array>) =>
      Effect.gen(function*() {
        const bytes = Option.isSome(thumbnail) ? thumbnail.value : yield* storage.download(image.path)
        const hashed = yield* hasher.hash(bytes, image.name)
        if (Option.isSome(thumbnail)) counts.thumbnails++
        else counts.downloads++
        return {
          contentHash: image.contentHash,
          imageName: image.name,
          phash: hashed.phash,
          algorithm: hashed.algorithm,
          version: hashed.version,
          source: Option.isSome(thumbnail) ? "thumbnail" : "original"
        } satisfies StoredImageHash
      }).pipe(
        Effect.either,
        Effect.tap((result) => {
          if (Either.isLeft(result)) failed.push({ image: image.name, error: result.left.message })
          done++
          return onProgress?.(done, todo.length) ?? Effect.void
        })
      )

    yield* Stream.fromIterable(todo).pipe(
      Stream.grouped(THUMBNAIL_WINDOW),
      Stream.mapEffect((window) =>
        Effect.gen(function*() {
          const group = Chunk.toReadonlyArray(window)
          const thumbnails = yield* storage.thumbnails(group.map((i) => i.path))
          const hashed = yield* Effect.forEach(group, (image) =>
            hashOne(image, Option.fromNullable(thumbnails.get(image.path))), {
            concurrency: hasher.concurrency * 2
          })
          const rows = hashed.flatMap((r) => (Either.isRight(r) ? [r.right] : []))
          yield* state.saveImageHashes(rows)
          for (const row of rows) {
            known.set(row.contentHash, row)
          }
        })
      ),
      Stream.runDrain
    )
    return { known, counts, failed }
  }).pipe(Effect.withSpan("dedup.hash_library", { attributes: { images: images.length } }))

/** Connected components of "within `distance`" over the images' hashes (plus identical bytes). */
const clustersOf = (images: ReadonlyArray<ImageRef>, known: ReadonlyMap<string, StoredImageHash>, distance: number) => {
  const parent = images.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!
    return i
  }
  const union = (a: number, b: number) => {
    const [ra, rb] = [find(a), find(b)]
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
  const byContent = new Map<string, number>()
  images.forEach((image, i) => {
    const first = byContent.get(image.contentHash)
    if (first === undefined) byContent.set(image.contentHash, i)
    else union(first, i)
  })
  if (distance > 0) {
    const hashed = [...byContent.values()].filter((i) => known.has(images[i]!.contentHash))
    const words = hashed.map((i) => fromHex(known.get(images[i]!.contentHash)!.phash)!)
    const index = HammingIndex.build({
      hi: Uint32Array.from(words, (w) => w.hi),
      lo: Uint32Array.from(words, (w) => w.lo)
    })
    words.forEach((w, id) => {
      for (const hit of index.search(w.hi, w.lo, distance)) union(hashed[id]!, hashed[hit.id]!)
    })
  }
  const groups = new Map<number, Array<ImageRef>>()
  images.forEach((image, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), image]))
  return [...groups.values()].filter((g) => g.length > 1).map((group) => {
    const sorted = [...group].sort(byAge)
    const first = sorted[0]!
    const firstHash = known.get(first.contentHash)?.phash
    return sorted.map((image): ClusterMember => {
      const phash = known.get(image.contentHash)?.phash ?? null
      const exact = image.contentHash === first.contentHash
      return {
        image: image.name,
        path: image.path,
        content_hash: image.contentHash,
        phash,
        distance: exact ? 0 : phash !== null && firstHash !== undefined ? hexDistance(phash, firstHash) : -1,
        exact
      }
    })
  }).sort((a, b) => a[0]!.image.localeCompare(b[0]!.image))
}

/**
 * `publisher dedup scan`: hashes the folder (cached by content_hash), then groups near-duplicate
 * and identical files, and names unposted images that resemble posted ones.
 */
export const scanLibrary = Effect.fn("dedup.scan")(function*(options: ScanOptions) {
  const storage = yield* Storage
  const state = yield* State
  const posted = yield* PostedIndex
  const images = yield* storage.listImages(options.folder)
  const { counts, failed, known } = yield* hashLibrary(images, options.onProgress)
  const archive = options.archiveFolder === undefined
    ? undefined
    : yield* hashArchive(options.archiveFolder, options.onProgress)
  if (archive !== undefined) failed.push(...archive.failed)
  const clusters = clustersOf(images, known, options.distance)
  const postedHashes = yield* state.postedContentHashes
  const postedMatches: Array<PostedMatch> = []
  if (options.distance > 0) {
    for (const image of images) {
      const hash = known.get(image.contentHash)
      if (hash === undefined || postedHashes.has(image.contentHash)) continue
      const [match] = yield* posted.nearest(hash.phash, 1, options.distance)
      if (match !== undefined && match.contentHash !== image.contentHash) {
        postedMatches.push({ image: image.name, near_duplicate_of: match.imageName, distance: match.distance })
      }
    }
  }
  return {
    folder: options.folder,
    distance: options.distance,
    images: images.length,
    cached: counts.cached,
    from_thumbnails: counts.thumbnails,
    from_downloads: counts.downloads,
    failed,
    clusters,
    posted_matches: postedMatches,
    archive: archive === undefined ? null : archive.result
  } satisfies ScanResult
})

/**
 * The archive's images: hashed (cached by content_hash like the folder's), recorded as posted
 * (`importPosted`, source "archive"; idempotent) and added to the posted images' index.
 */
const hashArchive = (folder: string, onProgress: ScanOptions["onProgress"]) =>
  Effect.gen(function*() {
    const storage = yield* Storage
    const state = yield* State
    const posted = yield* PostedIndex
    const images = yield* storage.listImages(folder).pipe(
      Effect.catchIf((e) => e.notFound, () => Effect.succeed<ReadonlyArray<ImageRef>>([]))
    )
    const { counts, failed, known } = yield* hashLibrary(images, onProgress)
    const contentHashes = images.map((i) => i.contentHash).filter((h) => h !== "")
    const { added } = contentHashes.length === 0
      ? { added: 0 }
      : yield* state.importPosted({ sha256s: [], contentHashes, source: "archive" })
    for (const image of images) {
      const hash = known.get(image.contentHash)
      if (hash !== undefined) {
        yield* posted.add({ contentHash: image.contentHash, imageName: image.name, phash: hash.phash })
      }
    }
    const result: ArchiveScan = {
      folder,
      images: images.length,
      hashed: counts.thumbnails + counts.downloads,
      newly_posted: added
    }
    return { result, failed }
  }).pipe(Effect.withSpan("dedup.hash_archive", { attributes: { folder } }))

/** Moves every file of each cluster but the first into `toFolder` (with its sidecar). */
export const moveDuplicates = (clusters: ScanResult["clusters"], toFolder: string) =>
  Effect.gen(function*() {
    const storage = yield* Storage
    return yield* Effect.forEach(
      clusters.flatMap((cluster) => cluster.slice(1)),
      (member) =>
        storage.moveWithSidecar(member.path, toFolder, { contentHash: member.content_hash }).pipe(
          Effect.map((to) => ({ from: member.path, to }))
        ),
      { concurrency: 4 }
    )
  }).pipe(Effect.withSpan("dedup.move_duplicates"))
