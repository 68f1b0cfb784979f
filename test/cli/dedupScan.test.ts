import { describe, expect, it } from "@effect/vitest"
import { mkdir, readdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import sharp from "sharp"
import { generateSamplePhotos } from "../../src/sandbox/photos.js"
import { cli, cliOnTerminal } from "../support/cli.js"
import { useTempDirs } from "../support/tempDir.js"

const tempDir = useTempDirs()

describe("publisher dedup scan (local folder)", () => {
  it("prints groups, caches hashes in State, --json, --move-to moves all but the first", async () => {
    const dir = await tempDir("publisher-scan-")
    const folder = join(dir, "photos")
    const photos = await generateSamplePhotos(3, 7)
    await mkdir(folder)
    for (const p of photos) await writeFile(join(folder, p.name), p.bytes)
    await writeFile(
      join(folder, "zz-small-copy.jpg"),
      await sharp(photos[0]!.bytes).resize(400).jpeg({ quality: 60 }).toBuffer()
    )
    const env = {
      STORAGE: "local",
      IMAGE_FOLDER: folder,
      PUBLISHER_STATE_DB: join(dir, "state.db"),
      LOG_LEVEL: "Error"
    }

    const human = await cli(["dedup", "scan"], env)
    expect(human.stderr).toBe("") // no progress bar when stderr is not a terminal
    expect(human.code).toBe(0)
    expect(human.stdout).toContain("Scanned 4 images")
    expect(human.stdout).toContain("0 hashed before, 0 from thumbnails, 4 from downloads")
    // The default archive folder does not exist yet: an empty archive.
    expect(human.stdout).toContain(
      `Archive ${join(folder, "archive")}: 0 posted images, 0 hashed now, 0 newly recorded as posted.`
    )
    expect(human.stdout).toMatch(
      new RegExp(
        `1 groups of duplicates \\(identical or within 8 bits\\):\\n  ${
          photos[0]!.name
        }\\n    zz-small-copy.jpg  distance \\d`
      )
    )

    const json = await cli(["dedup", "scan", "--json", "--move-to", "dupes"], env)
    expect(json.code).toBe(0)
    const result = JSON.parse(json.stdout)
    expect(result).toMatchObject({ images: 4, cached: 4, from_downloads: 0, distance: 8 })
    expect(result.clusters).toHaveLength(1)
    expect(result.moved).toEqual([{
      from: join(folder, "zz-small-copy.jpg"),
      to: join(folder, "dupes", "zz-small-copy.jpg")
    }])
    expect(await readdir(join(folder, "dupes"))).toEqual(["zz-small-copy.jpg"])

    const withoutArchive = JSON.parse((await cli(["dedup", "scan", "--json", "--no-archive"], env)).stdout)
    expect(withoutArchive.archive).toBeNull()
    expect((await cli(["dedup", "scan", "--distance", "40"], env)).code).toBe(2)
  })

  it("on a terminal, a progress bar redraws on one line as images are hashed", async () => {
    const dir = await tempDir("publisher-scan-tty-")
    const photos = await generateSamplePhotos(3, 9)
    for (const p of photos) await writeFile(join(dir, p.name), p.bytes)
    const { code, output } = await cliOnTerminal(["dedup", "scan"], {
      STORAGE: "local",
      IMAGE_FOLDER: dir,
      PUBLISHER_STATE_DB: join(dir, "state.db"),
      LOG_LEVEL: "Error"
    })
    expect(code).toBe(0)
    expect(output).toContain("\rhashing [##########....................] 1/3")
    expect(output).toContain("\rhashing [##############################] 3/3")
    expect(output).toContain("Scanned 3 images")
  })
})
