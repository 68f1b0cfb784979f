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

/** A direct child of a folder, as list_folder pages them: sub-folders first, then files. */
export type FolderEntry =
  | { readonly kind: "folder"; readonly pathDisplay: string }
  | { readonly kind: "file"; readonly file: StoredFile }

export const lower = (path: string) => path.toLowerCase()
export const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf("/")))
export const nameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1)

/** `Photos/a.jpg/` -> `/Photos/a.jpg`; the root is "". */
export const normalize = (path: string) => {
  const trimmed = path.replace(/\/+$/, "")
  return trimmed === "" || trimmed.startsWith("/") ? trimmed : `/${trimmed}`
}

interface FolderNode {
  readonly pathDisplay: string
  /** Direct files by lower-case name, in insertion order. */
  readonly files: Map<string, StoredFile>
  /** Direct sub-folders: lower-case path -> display path, in creation order. */
  readonly folders: Map<string, string>
  /** Files anywhere beneath plus explicitly created folders at or beneath: 0 means gone. */
  weight: number
  explicit: boolean
}

const SYNTHETIC_EPOCH = Date.parse("2026-01-01T00:00:00Z")
const JPEG_START = Buffer.from([0xff, 0xd8, 0xff, 0xe0])
const JPEG_END = Buffer.from([0xff, 0xd9])

/**
 * The files of the Dropbox emulator: case-insensitive paths, implicit parent folders, and a
 * per-folder ordered index so that a listing page costs O(page), not O(files).
 */
export class DropboxFiles {
  private readonly byPath = new Map<string, StoredFile>()
  private readonly nodes = new Map<string, FolderNode>([["", this.newNode("")]])
  private counter = 0

  private newNode(pathDisplay: string): FolderNode {
    return { pathDisplay, files: new Map(), folders: new Map(), weight: 0, explicit: false }
  }

  private nextIds() {
    this.counter += 1
    const raw = Buffer.alloc(16)
    raw.writeUInt32BE(0x6b8f3a1c, 0)
    raw.writeUInt32BE(this.counter, 12)
    return { id: `id:${raw.toString("base64url")}`, rev: (0x5f0000000 + this.counter).toString(16).padStart(15, "0") }
  }

  /** The node of a folder, created (with its parents) when missing. */
  private ensureFolder(pathDisplay: string): FolderNode {
    const key = lower(pathDisplay)
    const found = this.nodes.get(key)
    if (found !== undefined) return found
    const node = this.newNode(pathDisplay)
    this.nodes.set(key, node)
    this.ensureFolder(parentOf(pathDisplay)).folders.set(key, pathDisplay)
    return node
  }

  /** Adds `delta` to the weight of a folder and its parents, dropping the ones left empty. */
  private weigh(folderKey: string, delta: number) {
    for (let key: string | undefined = folderKey; key !== undefined; key = key === "" ? undefined : parentOf(key)) {
      const node = this.nodes.get(key)
      if (node === undefined) continue
      node.weight += delta
      if (node.weight <= 0 && key !== "") {
        this.nodes.delete(key)
        this.nodes.get(parentOf(key))?.folders.delete(key)
      }
    }
  }

  private insert(file: StoredFile): StoredFile {
    const key = lower(file.pathDisplay)
    const fresh = !this.byPath.has(key)
    this.byPath.set(key, file)
    this.ensureFolder(parentOf(file.pathDisplay)).files.set(lower(nameOf(file.pathDisplay)), file)
    if (fresh) this.weigh(parentOf(key), 1)
    return file
  }

  /** Adds or replaces a file. */
  put(path: string, bytes: Uint8Array): StoredFile {
    const buffer = Buffer.from(bytes)
    return this.insert({
      pathDisplay: normalize(path),
      ...this.nextIds(),
      size: buffer.length,
      contentHash: dropboxContentHash(buffer),
      serverModified: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      bytes: () => buffer
    })
  }

  /**
   * Adds `count` metadata-only entries whose small, distinct bytes are generated on demand
   * (JPEG markers around a line naming the file); content_hash is the hash of those bytes.
   */
  addSynthetic(folder: string, count: number, options: { readonly prefix?: string; readonly ext?: string } = {}): void {
    const prefix = options.prefix ?? "synthetic"
    const ext = options.ext ?? "jpg"
    const base = normalize(folder)
    const jpeg = /^jpe?g$/i.test(ext)
    for (let i = 0; i < count; i++) {
      const path = `${base}/${prefix}-${String(i).padStart(6, "0")}.${ext}`
      const make = () => {
        const text = Buffer.from(`synthetic image ${path}`)
        return jpeg ? Buffer.concat([JPEG_START, text, JPEG_END]) : text
      }
      const sample = make()
      this.insert({
        pathDisplay: path,
        ...this.nextIds(),
        size: sample.length,
        contentHash: dropboxContentHash(sample),
        serverModified: new Date(SYNTHETIC_EPOCH + i * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
        bytes: make
      })
    }
  }

  get(path: string): StoredFile | undefined {
    return this.byPath.get(lower(normalize(path)))
  }

  exists(path: string): boolean {
    return this.byPath.has(lower(normalize(path)))
  }

  folderExists(folder: string): boolean {
    return this.nodes.has(lower(normalize(folder)))
  }

  /** The display path of an existing folder (its case as first created). */
  folderDisplay(folder: string): string | undefined {
    return this.nodes.get(lower(normalize(folder)))?.pathDisplay
  }

  /** Creates an (empty) folder; false when a file or folder is already there. */
  createFolder(folder: string): boolean {
    const path = normalize(folder)
    if (path === "" || this.exists(path) || this.folderExists(path)) return false
    this.ensureFolder(path).explicit = true
    this.weigh(lower(path), 1)
    return true
  }

  delete(path: string): StoredFile | undefined {
    const key = lower(normalize(path))
    const file = this.byPath.get(key)
    if (file === undefined) return undefined
    this.byPath.delete(key)
    this.nodes.get(parentOf(key))?.files.delete(lower(nameOf(key)))
    this.weigh(parentOf(key), -1)
    return file
  }

  /** Deletes a folder and everything beneath it; the files removed, or undefined when absent. */
  deleteFolder(folder: string): Array<StoredFile> | undefined {
    const key = lower(normalize(folder))
    const node = this.nodes.get(key)
    if (node === undefined || key === "") return undefined
    const removed = this.filesBeneath(key)
    for (const file of removed) this.byPath.delete(lower(file.pathDisplay))
    for (const nodeKey of [...this.nodes.keys()]) {
      if (nodeKey === key || nodeKey.startsWith(`${key}/`)) this.nodes.delete(nodeKey)
    }
    this.nodes.get(parentOf(key))?.folders.delete(key)
    this.weigh(parentOf(key), -node.weight)
    return removed
  }

  /** Moves a file, keeping id and bytes (a new rev); returns the moved file. */
  move(from: string, to: string): StoredFile | undefined {
    const file = this.delete(from)
    if (file === undefined) return undefined
    return this.insert({ ...file, pathDisplay: normalize(to), rev: this.nextIds().rev })
  }

  /** Moves a folder with everything beneath it; false when there is no such folder. */
  moveFolder(from: string, to: string): boolean {
    const source = normalize(from)
    const target = normalize(to)
    const node = this.nodes.get(lower(source))
    if (node === undefined || source === "") return false
    const explicit = [...this.nodes.entries()]
      .filter(([key, n]) => n.explicit && (key === lower(source) || key.startsWith(`${lower(source)}/`)))
      .map(([, n]) => n.pathDisplay)
    const files = this.filesBeneath(lower(source))
    this.deleteFolder(source)
    for (const file of files) {
      this.insert({ ...file, pathDisplay: target + file.pathDisplay.slice(source.length), rev: this.nextIds().rev })
    }
    for (const path of explicit) this.createFolder(target + path.slice(source.length))
    return true
  }

  /** Direct files of a folder, with `name` for convenience. */
  list(folder: string): Array<StoredFile & { readonly name: string }> {
    const node = this.nodes.get(lower(normalize(folder)))
    return node === undefined
      ? []
      : [...node.files.values()].map((file) => ({ ...file, name: nameOf(file.pathDisplay) }))
  }

  /** Display paths of the direct sub-folders of a folder (implicit: a file's parents exist). */
  subfolders(folder: string): Array<string> {
    return [...(this.nodes.get(lower(normalize(folder)))?.folders.values() ?? [])]
  }

  /**
   * The direct children of a folder, lazily: a live view that a list cursor can hold and
   * resume page by page (entries removed meanwhile are skipped, added ones appear).
   */
  *children(folder: string): Generator<FolderEntry, void, undefined> {
    const node = this.nodes.get(lower(normalize(folder)))
    if (node === undefined) return
    for (const pathDisplay of node.folders.values()) yield { kind: "folder", pathDisplay }
    for (const file of node.files.values()) yield { kind: "file", file }
  }

  private filesBeneath(folderKey: string): Array<StoredFile> {
    const out: Array<StoredFile> = []
    const visit = (key: string) => {
      const node = this.nodes.get(key)
      if (node === undefined) return
      out.push(...node.files.values())
      for (const child of node.folders.keys()) visit(child)
    }
    visit(folderKey)
    return out
  }
}

export const fileMetadata = (file: StoredFile) => ({
  ".tag": "file" as const,
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

export const folderMetadata = (path: string) => {
  const raw = Buffer.alloc(16)
  let h = 0x811c9dc5
  for (const ch of lower(path)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0
  raw.writeUInt32BE(h, 12)
  return {
    ".tag": "folder" as const,
    name: nameOf(path),
    path_lower: lower(path),
    path_display: path,
    id: `id:${raw.toString("base64url")}`
  }
}
