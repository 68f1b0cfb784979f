import { createHash } from "node:crypto"
import { dropboxContentHash } from "../services/storage/DropboxContentHash.js"

/** A file held by the Dropbox emulator: bytes, or a generator of them (synthetic files). */
export interface StoredFile {
  readonly pathDisplay: string
  readonly id: string
  readonly rev: string
  readonly size: number
  readonly contentHash: string
  readonly serverModified: string
  readonly bytes: () => Buffer
}

export const lower = (path: string) => path.toLowerCase()
export const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf("/")))
export const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1)

/** The files of the Dropbox emulator, keyed case-insensitively, in insertion order. */
export class DropboxFiles {
  private readonly byPath = new Map<string, StoredFile>()
  private counter = 0

  private nextIds() {
    this.counter += 1
    return {
      id: `id:${createHash("sha1").update(String(this.counter)).digest("base64url").slice(0, 22)}`,
      rev: (0x1000000000 + this.counter).toString(16).padStart(15, "0")
    }
  }

  /** Adds or replaces a file. */
  put(path: string, bytes: Uint8Array): StoredFile {
    const buffer = Buffer.from(bytes)
    const file: StoredFile = {
      pathDisplay: path,
      ...this.nextIds(),
      size: buffer.length,
      contentHash: dropboxContentHash(buffer),
      serverModified: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      bytes: () => buffer
    }
    this.byPath.set(lower(path), file)
    return file
  }

  /**
   * Adds `count` metadata-only JPEG entries whose (small, distinct) bytes are generated on
   * demand; their content_hash is the hash of those bytes.
   */
  addSynthetic(folder: string, count: number, options: { prefix?: string; ext?: string } = {}): void {
    const prefix = options.prefix ?? "synthetic"
    const ext = options.ext ?? "jpg"
    for (let i = 0; i < count; i++) {
      const make = () => Buffer.from(`synthetic image ${folder} ${prefix} ${i}`)
      const sample = make()
      const path = `${folder}/${prefix}-${String(i).padStart(6, "0")}.${ext}`
      this.byPath.set(lower(path), {
        pathDisplay: path,
        ...this.nextIds(),
        size: sample.length,
        contentHash: dropboxContentHash(sample),
        serverModified: "2026-01-01T00:00:00Z",
        bytes: make
      })
    }
  }

  get(path: string): StoredFile | undefined {
    return this.byPath.get(lower(path))
  }

  exists(path: string): boolean {
    return this.byPath.has(lower(path))
  }

  delete(path: string): StoredFile | undefined {
    const file = this.byPath.get(lower(path))
    this.byPath.delete(lower(path))
    return file
  }

  /** Moves a file, keeping id and bytes; returns the moved file. */
  move(from: string, to: string): StoredFile | undefined {
    const file = this.delete(from)
    if (file === undefined) return undefined
    const moved: StoredFile = { ...file, pathDisplay: to, rev: this.nextIds().rev }
    this.byPath.set(lower(to), moved)
    return moved
  }

  /** Direct children of a folder (files only), with `name` for convenience. */
  list(folder: string): Array<StoredFile & { readonly name: string }> {
    const wanted = lower(folder.replace(/\/+$/, ""))
    const out: Array<StoredFile & { readonly name: string }> = []
    for (const [key, file] of this.byPath) {
      if (parentOf(key) === wanted) out.push({ ...file, name: nameOf(file.pathDisplay) })
    }
    return out
  }

  /** Direct child folders of a folder (implicit: a file's parents exist). */
  subfolders(folder: string): Array<string> {
    const wanted = lower(folder.replace(/\/+$/, ""))
    const found = new Map<string, string>()
    for (const [key, file] of this.byPath) {
      if (key.startsWith(wanted + "/")) {
        const rest = file.pathDisplay.slice(wanted.length + 1)
        const slash = rest.indexOf("/")
        if (slash > 0) found.set(lower(rest.slice(0, slash)), `${file.pathDisplay.slice(0, wanted.length)}/${rest.slice(0, slash)}`)
      }
    }
    return [...found.values()]
  }

  folderExists(folder: string): boolean {
    const wanted = lower(folder.replace(/\/+$/, ""))
    if (wanted === "") return true
    for (const key of this.byPath.keys()) if (key.startsWith(wanted + "/")) return true
    return false
  }
}

export const fileMetadata = (file: StoredFile) => ({
  ".tag": "file",
  name: nameOf(file.pathDisplay),
  path_lower: lower(file.pathDisplay),
  path_display: file.pathDisplay,
  id: file.id,
  client_modified: file.serverModified,
  server_modified: file.serverModified,
  rev: file.rev,
  size: file.size,
  is_downloadable: true,
  content_hash: file.contentHash
})

export const folderMetadata = (path: string) => ({
  ".tag": "folder",
  name: nameOf(path),
  path_lower: lower(path),
  path_display: path,
  id: `id:folder-${createHash("sha1").update(lower(path)).digest("base64url").slice(0, 16)}`
})
