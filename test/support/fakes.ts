import { Effect, Layer, Option } from "effect"
import { createHash } from "node:crypto"
import { CaptionPair, ImageAnalysis } from "../../src/domain/Analysis.js"
import { ImageDecodeError, PublishError, StorageError } from "../../src/domain/Errors.js"
import { baseName, ImageRef, joinPath, sidecarPathOf } from "../../src/domain/Image.js"
import { PHASH_ALGORITHM, PHASH_VERSION } from "../../src/domain/PerceptualHash.js"
import { Ai } from "../../src/services/ai/Ai.js"
import { NearDuplicatePolicyLive } from "../../src/services/dedup/config.js"
import { makePostedIndex, PostedIndex } from "../../src/services/dedup/PostedIndex.js"
import { ImageHasher } from "../../src/services/phash/ImageHasher.js"
import { type PlatformPublisher, Publishers } from "../../src/services/publishers/Publisher.js"
import {
  type LeaseHolder,
  type NearDuplicate,
  type PlatformHistory,
  type PlatformSuccess,
  type PostedImageHash,
  type PublicationRecord,
  State,
  type StoredImageHash
} from "../../src/services/state/State.js"
import { Storage } from "../../src/services/storage/Storage.js"

/** Recording fakes of every service a workflow uses, for unit tests of programs. */
export interface Recorder {
  readonly lists: Array<string>
  readonly downloads: Array<string>
  readonly sidecarReads: Array<string>
  readonly sidecarWrites: Map<string, string>
  readonly moves: Array<{ from: string; to: string }>
  /** Files uploaded (prepared copies, kept user files), by path. */
  readonly uploads: Map<string, Uint8Array>
  readonly aiCalls: Array<"analyze" | "captionPair">
  readonly published: Array<{ platform: string; image: string; caption: string }>
  readonly posted: Set<string>
  readonly postedSha256: Set<string>
  readonly publications: Array<PublicationRecord>
  readonly hashes: Array<StoredImageHash>
  readonly nearDuplicates: Array<NearDuplicate>
  /** Images handed to the hasher, by name. */
  readonly hashed: Array<string>
  /** Leases held now, by name. */
  readonly leases: Map<string, LeaseHolder>
  /** Sizes of the platformHistories calls. */
  readonly historyBatches: Array<number>
  /** Unusable images recorded: content_hash -> reason. */
  readonly unusable: Map<string, string>
  /** The examples each caption call was given (undefined: CAPTION_EXAMPLES applies). */
  readonly captionExamples: Array<ReadonlyArray<string> | undefined>
  /** Settings set at runtime. */
  readonly settings: Map<string, string>
  /** The recent captions each caption call was shown. */
  readonly captionContexts: Array<ReadonlyArray<string>>
  /** Captions recorded for posted images, oldest first. */
  readonly captions: Array<{ readonly contentHash: string; readonly caption: string }>
}

export const image = (name: string, contentHash = `hash-${name}`, hasSidecar = false): ImageRef =>
  new ImageRef({ name, path: `/photos/${name}`, id: `id:${name}`, rev: "0123abcd", size: 100, contentHash, hasSidecar })

export const sampleAnalysis = new ImageAnalysis({
  description: "a lighthouse on a cliff at sunset",
  mood: "calm",
  tags: ["lighthouse", "sunset", "coast"],
  nsfw: false,
  safety_labels: [],
  subject: "lighthouse",
  style: "landscape photography",
  lighting: "golden hour",
  camera: "wide angle",
  clothing_or_accessories: "none",
  aesthetic_terms: ["serene"],
  pose: "none",
  composition: "rule of thirds",
  background: "sea",
  color_palette: "orange and blue"
})

export const sampleCaptions = new CaptionPair({
  caption: "Evening light on the old lighthouse #coast #sunset",
  sd_caption: "lighthouse on a cliff, sunset, golden hour, wide angle"
})

export interface FakeOptions {
  readonly images: ReadonlyArray<ImageRef>
  readonly postedHashes?: ReadonlyArray<string>
  readonly postedSha256?: ReadonlyArray<string>
  readonly sidecars?: Record<string, string>
  /** Real bytes for some paths (the others download as placeholder text). */
  readonly files?: Record<string, Uint8Array>
  readonly platforms?: ReadonlyArray<string>
  /** Platforms that fail. */
  readonly failing?: ReadonlyArray<string>
  /** Platforms that fail after the request may have reached them. */
  readonly uncertain?: ReadonlyArray<string>
  /** Earlier runs' outcomes. */
  readonly history?: ReadonlyArray<PublicationRecord>
  /** Runs inside each publish, e.g. a latch that proves concurrency. */
  readonly duringPublish?: (platform: string) => Effect.Effect<void>
  /** pHash per image name; others get a hash derived from the path, far from everything. */
  readonly phashes?: Record<string, string>
  /** Image names whose bytes do not decode. */
  readonly undecodable?: ReadonlyArray<string>
  /** Posted images with known hashes (the near-duplicate index is built from them). */
  readonly postedPhashes?: ReadonlyArray<PostedImageHash>
}

/** A pseudo-random 64-bit hash of a name (distance ~32 from any other). */
export const spreadHash = (name: string): string => createHash("sha256").update(name).digest("hex").slice(0, 16)

export const bytesOf = (path: string): Uint8Array => new TextEncoder().encode(`bytes of ${path}`)

export const makeFakes = (options: FakeOptions) => {
  const rec: Recorder = {
    historyBatches: [],
    unusable: new Map(),
    captions: [],
    settings: new Map(),
    captionExamples: [],
    captionContexts: [],
    lists: [],
    downloads: [],
    sidecarReads: [],
    sidecarWrites: new Map(),
    moves: [],
    uploads: new Map(),
    aiCalls: [],
    published: [],
    posted: new Set(options.postedHashes ?? []),
    postedSha256: new Set(options.postedSha256 ?? []),
    publications: [...(options.history ?? [])],
    hashes: [],
    nearDuplicates: [],
    hashed: [],
    leases: new Map()
  }
  const sidecars = new Map(Object.entries(options.sidecars ?? {}))
  const storage = Layer.succeed(
    Storage,
    Storage.of({
      listImages: (folder) =>
        Effect.sync(() => {
          rec.lists.push(folder)
          return options.images.filter((i) => !rec.moves.some((m) => m.from === i.path))
        }),
      download: (path) =>
        Effect.suspend(() => {
          rec.downloads.push(path)
          const text = sidecars.get(path)
          // A .txt exists only when given (as a file or a sidecar); images always do.
          if (path.endsWith(".txt") && options.files?.[path] === undefined && text === undefined) {
            return Effect.fail(
              new StorageError({ operation: "download", path, message: `not found: ${path}`, notFound: true })
            )
          }
          return Effect.succeed(
            options.files?.[path] ?? (text !== undefined ? new TextEncoder().encode(text) : bytesOf(path))
          )
        }),
      thumbnails: () => Effect.succeed(new Map<string, Uint8Array>()),
      temporaryLink: (path) => Effect.succeed(`https://example.test/${baseName(path)}`),
      readSidecar: (imagePath) =>
        Effect.sync(() => {
          rec.sidecarReads.push(imagePath)
          return Option.fromNullable(sidecars.get(sidecarPathOf(imagePath)))
        }),
      writeSidecar: (imagePath, text) => Effect.sync(() => void rec.sidecarWrites.set(sidecarPathOf(imagePath), text)),
      upload: (path, bytes) => Effect.sync(() => void rec.uploads.set(path, bytes)),
      remove: () => Effect.void,
      moveWithSidecar: (from, toFolder) =>
        Effect.sync(() => {
          const to = joinPath(toFolder, baseName(from))
          rec.moves.push({ from, to })
          return to
        })
    })
  )
  const ai = Layer.succeed(
    Ai,
    Ai.of({
      analyze: () => Effect.sync(() => void rec.aiCalls.push("analyze")).pipe(Effect.as(sampleAnalysis)),
      captionPair: (_analysis, context = {}) =>
        Effect.sync(() => {
          rec.aiCalls.push("captionPair")
          rec.captionContexts.push(context.recent ?? [])
          rec.captionExamples.push(context.examples)
        }).pipe(Effect.as(sampleCaptions)),
      check: Effect.succeed("models exist"),
      models: { vision: "vision-model", caption: "caption-model" }
    })
  )
  const historyOf = (contentHash: string): PlatformHistory => {
    const mine = rec.publications.filter((p) => p.contentHash === contentHash).reverse()
    const successes = new Map<string, PlatformSuccess>()
    const latest = new Map<string, boolean>()
    for (const p of mine) {
      if (!latest.has(p.platform)) latest.set(p.platform, p.uncertain === true)
      if (p.ok && !successes.has(p.platform)) {
        successes.set(p.platform, { platform: p.platform, postId: p.postId, runId: p.runId, at: "" })
      }
    }
    return {
      successes: [...successes.values()],
      uncertain: [...latest].filter(([p, u]) => u && !successes.has(p)).map(([p]) => p),
      runs: new Set(mine.map((p) => p.runId)).size
    }
  }
  const state = Layer.succeed(
    State,
    State.of({
      postedContentHashes: Effect.sync(() => new Set(rec.posted)),
      isPostedSha256: (sha) => Effect.sync(() => rec.postedSha256.has(sha)),
      markPosted: (p) =>
        Effect.sync(() => {
          rec.posted.add(p.contentHash)
          rec.postedSha256.add(p.sha256)
        }),
      recordPublication: (r) => Effect.sync(() => void rec.publications.push(r)),
      publishedContentHashes: Effect.sync(() =>
        new Set(rec.publications.filter((p) => p.ok).map((p) => p.contentHash))
      ),
      uncertainContentHashes: Effect.sync(() => {
        // The latest attempt per image and platform, as SqlState reads it.
        const latest = new Map<string, PublicationRecord>()
        for (const p of rec.publications) latest.set(`${p.contentHash}\u0000${p.platform}`, p)
        const live = new Set(rec.publications.filter((p) => p.ok).map((p) => `${p.contentHash}\u0000${p.platform}`))
        return new Set(
          [...latest].filter(([key, p]) => p.uncertain === true && !live.has(key)).map(([, p]) => p.contentHash)
        )
      }),
      platformHistory: (contentHash) => Effect.sync(() => historyOf(contentHash)),
      platformHistories: (contentHashes) =>
        Effect.sync(() => {
          rec.historyBatches.push(contentHashes.length)
          return new Map(contentHashes.map((h) => [h, historyOf(h)]))
        }),
      importPosted: () => Effect.die("not used"),
      exportAll: Effect.die("not used"),
      importAll: () => Effect.die("not used"),
      saveImageHashes: (hashes) => Effect.sync(() => void rec.hashes.push(...hashes)),
      imageHashes: () => Effect.sync(() => new Map(rec.hashes.map((h) => [h.contentHash, h]))),
      postedImageHashes: () => Effect.succeed(options.postedPhashes ?? []),
      recordNearDuplicate: (record) => Effect.sync(() => void rec.nearDuplicates.push(record)),
      nearDuplicateContentHashes: Effect.sync(() => new Set(rec.nearDuplicates.map((n) => n.contentHash))),
      recordUnusable: (record) => Effect.sync(() => void rec.unusable.set(record.contentHash, record.reason)),
      getSetting: (name) => Effect.sync(() => Option.fromNullable(rec.settings.get(name))),
      setSetting: (name, value) => Effect.sync(() => void rec.settings.set(name, value)),
      recordCaption: ({ caption, contentHash }) =>
        Effect.sync(() =>
          void (rec.captions.some((c) => c.contentHash === contentHash) || rec.captions.push({ contentHash, caption }))
        ),
      recentCaptions: (limit) =>
        Effect.sync(() => [...rec.captions].reverse().slice(0, Math.max(limit, 0)).map((c) => c.caption)),
      unusableContentHashes: Effect.sync(() => new Set(rec.unusable.keys())),
      acquireLease: (name, holder, replacing) =>
        Effect.sync(() => {
          const current = rec.leases.get(name)
          if (
            current === undefined || current.expiresAt <= holder.acquiredAt ||
            current.owner === (replacing ?? holder.owner)
          ) rec.leases.set(name, holder)
          return rec.leases.get(name)!
        }),
      renewLease: (name, owner, expiresAt) =>
        Effect.sync(() => {
          const current = rec.leases.get(name)
          if (current?.owner !== owner) return false
          rec.leases.set(name, { ...current, expiresAt })
          return true
        }),
      releaseLease: (name, owner) =>
        Effect.sync(() => void (rec.leases.get(name)?.owner === owner && rec.leases.delete(name))),
      ping: Effect.void
    })
  )
  // The fake bytes name their path: find the image (the list may grow during a test).
  const nameOf = (bytes: Uint8Array) =>
    options.images.find((i) => new TextDecoder().decode(bytesOf(i.path)) === new TextDecoder().decode(bytes))?.name
  const hasher = Layer.succeed(
    ImageHasher,
    ImageHasher.of({
      concurrency: 2,
      hash: (bytes, name) =>
        Effect.gen(function*() {
          const imageName = nameOf(bytes) ?? name
          rec.hashed.push(imageName)
          if (options.undecodable?.includes(imageName)) {
            return yield* new ImageDecodeError({ image: name, message: `cannot hash ${name}: not an image` })
          }
          const phash = options.phashes?.[imageName] ?? spreadHash(imageName)
          return { phash, algorithm: PHASH_ALGORITHM, version: PHASH_VERSION, width: 100, height: 100 }
        })
    })
  )
  const index = Layer.effect(PostedIndex, makePostedIndex(options.postedPhashes ?? []))
  const failing = new Set(options.failing ?? [])
  const publishers = Layer.succeed(
    Publishers,
    (options.platforms ?? ["telegram"]).map((platform): PlatformPublisher => ({
      platform,
      check: failing.has(platform)
        ? Effect.fail(new PublishError({ platform, message: `${platform} is down`, transient: false }))
        : Effect.succeed(`${platform} ready`),
      publish: (post) =>
        Effect.gen(function*() {
          if (options.duringPublish) yield* options.duringPublish(platform)
          if (failing.has(platform)) {
            return yield* new PublishError({ platform, message: `${platform} is down`, transient: false })
          }
          if (options.uncertain?.includes(platform)) {
            return yield* new PublishError({
              platform,
              message: `${platform} timed out after sending`,
              transient: false,
              uncertain: true
            })
          }
          rec.published.push({ platform, image: post.image.name, caption: post.captions.caption })
          return { platform, postId: `${platform}-1` }
        })
    }))
  )
  return { rec, layer: Layer.mergeAll(storage, ai, state, publishers, hasher, index, NearDuplicatePolicyLive) }
}
