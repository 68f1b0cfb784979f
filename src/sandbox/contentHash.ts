/**
 * Dropbox's `content_hash` (SHA-256 of each 4 MiB block, then SHA-256 of the concatenated raw
 * block digests, lowercase hex). One implementation serves the app and the emulator; it lives
 * with the storage service, which also hashes local files incrementally.
 */
export { BLOCK_SIZE, dropboxContentHash } from "../services/storage/DropboxContentHash.js"
