import { createHash, type Hash } from "node:crypto"
import { createReadStream } from "node:fs"

/** Dropbox hashes files in blocks of 4 MiB. */
export const BLOCK_SIZE = 4 * 1024 * 1024

/**
 * Incremental Dropbox `content_hash`: SHA-256 of each 4 MiB block, then SHA-256 of the
 * concatenated raw block digests, lowercase hex.
 */
export class ContentHasher {
  private readonly overall: Hash = createHash("sha256")
  private block: Hash = createHash("sha256")
  private inBlock = 0

  update(bytes: Uint8Array): this {
    let offset = 0
    while (offset < bytes.length) {
      const take = Math.min(BLOCK_SIZE - this.inBlock, bytes.length - offset)
      this.block.update(bytes.subarray(offset, offset + take))
      this.inBlock += take
      offset += take
      if (this.inBlock === BLOCK_SIZE) this.flushBlock()
    }
    return this
  }

  digest(): string {
    if (this.inBlock > 0) this.flushBlock()
    return this.overall.digest("hex")
  }

  private flushBlock() {
    this.overall.update(this.block.digest())
    this.block = createHash("sha256")
    this.inBlock = 0
  }
}

export const dropboxContentHash = (bytes: Uint8Array): string => new ContentHasher().update(bytes).digest()

/** The content_hash of a file, read in blocks (never the whole file in memory). */
export const contentHashOfFile = async (path: string): Promise<string> => {
  const hasher = new ContentHasher()
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hasher.update(chunk as Buffer)
  return hasher.digest()
}
