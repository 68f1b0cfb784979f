import { Effect, Layer, Option } from "effect"
import { randomBytes } from "node:crypto"
import { access, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises"
import { basename, dirname, extname, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { StorageError } from "../../domain/Errors.js"
import { ImageRef, isImageName, sidecarPathOf, sidecarSet } from "../../domain/Image.js"
import { contentHashOfFile } from "./DropboxContentHash.js"
import { Storage } from "./Storage.js"

const fsError = (operation: string, path: string) => (cause: unknown) =>
  new StorageError({
    operation,
    path,
    message: `${operation} ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
    transient: false,
    notFound: isMissing(cause)
  })

const isMissing = (cause: unknown) =>
  typeof cause === "object" && cause !== null && "code" in cause && cause.code === "ENOENT"

const attempt = <A>(operation: string, path: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: fsError(operation, path) }).pipe(
    Effect.withSpan(`storage.${operation}`, { attributes: { path } })
  )

/** Writes through a temporary file and a rename: readers see the old file or the new, never half. */
const atomicWrite = async (path: string, bytes: Uint8Array) => {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`)
  try {
    await writeFile(temp, bytes)
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

const exists = (path: string) => access(path).then(() => true, () => false)

/** `name.jpg`, `name (1).jpg`, ...: never overwrites a file (image or sidecar) already in the archive. */
const freeName = async (folder: string, name: string) => {
  const ext = extname(name)
  const stem = name.slice(0, name.length - ext.length)
  let candidate = join(folder, name)
  for (let n = 1; (await exists(candidate)) || (await exists(sidecarPathOf(candidate))); n++) {
    candidate = join(folder, `${stem} (${n})${ext}`)
  }
  return candidate
}

/** Files hashed at once while listing: bounds open descriptors and read buffers (EMFILE at ~1000 otherwise). */
const LIST_CONCURRENCY = 8

/** Storage on a local directory; content_hash uses Dropbox's algorithm, cached per (path, size, mtime). */
export const LocalStorageLive = Layer.sync(Storage, () => {
  const hashes = new Map<string, { size: number; mtimeMs: number; hash: string }>()

  const hashOf = async (path: string, size: number, mtimeMs: number) => {
    const known = hashes.get(path)
    if (known !== undefined && known.size === size && known.mtimeMs === mtimeMs) return known.hash
    const hash = await contentHashOfFile(path)
    hashes.set(path, { size, mtimeMs, hash })
    return hash
  }

  /** One image's metadata (undefined when it vanished since the readdir); hashing opens the file. */
  const describe = async (path: string, name: string, hasSidecar: boolean) => {
    const info = await stat(path).catch((e: unknown) => (isMissing(e) ? undefined : Promise.reject(e)))
    if (info === undefined) return undefined
    return new ImageRef({
      name,
      path,
      id: `local:${info.ino}`,
      rev: Math.floor(info.mtimeMs).toString(16),
      size: info.size,
      contentHash: await hashOf(path, info.size, info.mtimeMs),
      serverModified: info.mtime.toISOString(),
      hasSidecar
    })
  }

  const listImages = (folder: string) =>
    Effect.gen(function*() {
      const dir = resolve(folder)
      const entries = yield* Effect.tryPromise({
        try: () => readdir(dir, { withFileTypes: true }),
        catch: fsError("list", folder)
      })
      const files = entries.filter((e) => e.isFile() && isImageName(e.name))
      const sidecars = sidecarSet(entries.filter((e) => e.isFile()).map((e) => join(dir, e.name)))
      const described = yield* Effect.forEach(files, (entry) => {
        const path = join(dir, entry.name)
        return Effect.tryPromise({
          try: () => describe(path, entry.name, sidecars.has(sidecarPathOf(path).toLowerCase())),
          catch: fsError("list", path)
        })
      }, { concurrency: LIST_CONCURRENCY })
      const images = described.filter((image) => image !== undefined)
      yield* Effect.annotateCurrentSpan({ count: images.length })
      return images
    }).pipe(Effect.withSpan("storage.list", { attributes: { path: folder } }))

  const moveWithSidecar = (imagePath: string, toFolder: string, expected?: { readonly contentHash: string }) =>
    attempt("move", imagePath, async () => {
      await mkdir(toFolder, { recursive: true })
      const done = join(toFolder, basename(imagePath))
      if (
        expected !== undefined && !(await exists(imagePath)) && (await exists(done)) &&
        (await contentHashOfFile(done)) === expected.contentHash
      ) {
        // A rerun after a crash between the two renames: the image is there; bring its sidecar.
        if (await exists(sidecarPathOf(imagePath))) await rename(sidecarPathOf(imagePath), sidecarPathOf(done))
        return done
      }
      const target = await freeName(toFolder, basename(imagePath))
      const sidecar = sidecarPathOf(imagePath)
      // The image first: if that fails nothing moved, and the image keeps its sidecar.
      await rename(imagePath, target)
      if (await exists(sidecar)) await rename(sidecar, sidecarPathOf(target))
      return target
    })

  return Storage.of({
    listImages,
    download: (path) => attempt("download", path, () => readFile(path).then((b) => new Uint8Array(b))),
    // Local reads are cheap: no thumbnails, the caller reads the file itself.
    thumbnails: () => Effect.succeed(new Map<string, Uint8Array>()),
    temporaryLink: (path) => Effect.succeed(pathToFileURL(path).href),
    readSidecar: (imagePath) =>
      Effect.tryPromise({
        try: () =>
          readFile(sidecarPathOf(imagePath), "utf8").then(
            Option.some,
            (e) => (isMissing(e) ? Option.none() : Promise.reject(e))
          ),
        catch: fsError("read_sidecar", sidecarPathOf(imagePath))
      }),
    writeSidecar: (imagePath, text) =>
      attempt(
        "write_sidecar",
        sidecarPathOf(imagePath),
        () => atomicWrite(sidecarPathOf(imagePath), new TextEncoder().encode(text))
      ),
    upload: (path, bytes) => attempt("upload", path, () => atomicWrite(path, bytes)),
    remove: (path) => attempt("delete", path, () => rm(path, { force: true })),
    moveWithSidecar
  })
})
