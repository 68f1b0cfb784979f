#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional packages that `npm install`
// left out (a registry mirror without those versions makes npm skip them silently, and then
// `npm ci` refuses the lock: "Missing: <name>@ from lock file"). Each missing entry gets its
// version and the os / cpu / libc its name states, so `npm ci` records it and skips it on
// other platforms without fetching it. Run after `npm install`: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs"

const path = new URL("../package-lock.json", import.meta.url)
const lock = JSON.parse(readFileSync(path, "utf8"))
const packages = lock.packages

const OS = ["android", "darwin", "freebsd", "openbsd", "openharmony", "netbsd", "sunos", "aix", "win32", "linux"]
const CPU = ["arm64", "x64", "arm", "ia32", "loong64", "ppc64", "riscv64", "s390x", "mips64el", "wasm32"]

/** os / cpu / libc from a name such as `@rollup/rollup-linux-arm64-musl`. */
const platformOf = (name) => {
  const parts = name.split("/").pop().split("-")
  const os = OS.find((o) => parts.includes(o))
  const cpu = CPU.find((c) => parts.includes(c) || parts.includes(c === "arm" ? "armv7" : c))
  const libc = parts.includes("musl")
    ? "musl"
    : parts.includes("gnu") || parts.includes("gnueabihf")
    ? "glibc"
    : undefined
  return { os, cpu, libc }
}

/** Where npm would look for `name` required from the package at `from`. */
const resolve = (from, name) => {
  let dir = from
  for (;;) {
    const candidate = `${dir === "" ? "" : dir + "/"}node_modules/${name}`
    if (packages[candidate] !== undefined) return candidate
    if (dir === "") return undefined
    const at = dir.lastIndexOf("/node_modules/")
    dir = at === -1 ? "" : dir.slice(0, at)
  }
}

let added = 0
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (resolve(location, name) !== undefined) continue
    const { cpu, libc, os } = platformOf(name)
    if (os === undefined && cpu === undefined) {
      console.error(
        `cannot tell the platform of ${name} (optional dependency of ${location || "the project"}): left out`
      )
      continue
    }
    const version = String(range).replace(/^[\^~=]/, "")
    packages[`node_modules/${name}`] = {
      version,
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      optional: true,
      ...(os ? { os: [os] } : {})
    }
    added++
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)))
)
writeFileSync(path, JSON.stringify(lock, null, 2) + "\n")
console.log(`package-lock.json: ${added} platform-specific optional packages recorded`)
