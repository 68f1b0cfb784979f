import { HammingIndex, linearScan } from "../src/domain/HammingIndex.js"
import { BkTree } from "./bkTree.js"

export interface IndexRow {
  readonly codes: number
  readonly structure: string
  readonly buildMs: number
  readonly memoryMb: number
  /** Mean µs per query, by radius. */
  readonly queryUs: Readonly<Record<number, number>>
  /** Results per query at the largest radius, over the queries every structure answered. */
  readonly hits: number
  /** Same ids and distances as the linear scan on those queries, at every radius. */
  readonly exact: boolean
}

export const INDEX_RADII = [4, 8, 10] as const

/** xorshift32: the same codes and queries on every run. */
const generator = (seed: number) => () => {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return seed >>> 0
}

const heapMb = () => {
  globalThis.gc?.()
  const m = process.memoryUsage()
  return m.heapUsed / 1e6
}

/**
 * Exact radius search over n codes: the multi-index HammingIndex, a linear scan of typed arrays
 * and a BK-tree. A tenth of the codes are near copies of others (a few bits flipped), as a photo
 * library with re-exports has; half the queries are near copies of stored codes, half random.
 */
export const indexBench = (sizes: ReadonlyArray<number>, queries: number, bkQueries: number): Array<IndexRow> => {
  const rows: Array<IndexRow> = []
  for (const n of sizes) {
    const next = generator(0x9e3779b9 ^ n)
    const hi = new Uint32Array(n)
    const lo = new Uint32Array(n)
    for (let i = 0; i < n; i++) {
      if (i > 0 && i % 10 === 0) {
        const j = next() % i
        hi[i] = (hi[j]! ^ (1 << (next() % 32)) ^ (1 << (next() % 32))) >>> 0
        lo[i] = (lo[j]! ^ (1 << (next() % 32))) >>> 0
      } else {
        hi[i] = next()
        lo[i] = next()
      }
    }
    const qs = Array.from({ length: queries }, (_, k) => {
      if (k % 2 === 1) return [next(), next()] as const
      const j = next() % n
      return [
        (hi[j]! ^ (1 << (next() % 32))) >>> 0,
        (lo[j]! ^ (1 << (next() % 32)) ^ (1 << (next() % 32))) >>> 0
      ] as const
    })
    /** Mean µs per query by radius, over the first `count` queries. */
    const time = (
      search: (h: number, l: number, r: number) => Array<{ id: number; distance: number }>,
      count: number
    ) => {
      const out: Record<number, number> = {}
      for (const r of INDEX_RADII) {
        for (let k = 0; k < Math.min(count, 20); k++) search(qs[k]![0], qs[k]![1], r) // warm-up
        const started = performance.now()
        for (let k = 0; k < count; k++) search(qs[k]![0], qs[k]![1], r)
        out[r] = ((performance.now() - started) * 1000) / count
      }
      return out
    }
    /** Results on the queries every structure answers, as sorted "id:distance" lists. */
    const answers = (search: (h: number, l: number, r: number) => Array<{ id: number; distance: number }>) =>
      INDEX_RADII.flatMap((r) =>
        qs.slice(0, bkQueries).map((q) => search(q[0], q[1], r).map((x) => `${x.id}:${x.distance}`).sort().join(","))
      )
    const hitsAt = (all: Array<string>) =>
      all.slice(-bkQueries).reduce((n, a) => n + (a === "" ? 0 : a.split(",").length), 0) / bkQueries

    const scanSearch = (h: number, l: number, r: number) => linearScan({ hi, lo }, n, h, l, r)
    const reference = answers(scanSearch)
    const same = (search: Parameters<typeof answers>[0]) => answers(search).every((a, i) => a === reference[i])

    let started = performance.now()
    const index = HammingIndex.build({ hi, lo })
    const mihBuild = performance.now() - started
    const mihSearch = (h: number, l: number, r: number) => index.search(h, l, r)
    rows.push({
      codes: n,
      structure: "multi-index hashing (ours)",
      buildMs: mihBuild,
      memoryMb: index.bytes / 1e6,
      queryUs: time(mihSearch, queries),
      hits: hitsAt(answers(mihSearch)),
      exact: same(mihSearch)
    })
    rows.push({
      codes: n,
      structure: "linear scan (typed arrays)",
      buildMs: 0,
      memoryMb: (hi.byteLength + lo.byteLength) / 1e6,
      queryUs: time(scanSearch, Math.max(5, Math.floor(queries / 20))),
      hits: hitsAt(reference),
      exact: true
    })

    const before = heapMb()
    started = performance.now()
    const tree = new BkTree()
    for (let i = 0; i < n; i++) tree.add(hi[i]!, lo[i]!, i)
    const bkBuild = performance.now() - started
    const bkMemory = heapMb() - before
    const bkSearch = (h: number, l: number, r: number) => tree.search(h, l, r)
    rows.push({
      codes: n,
      structure: "BK-tree",
      buildMs: bkBuild,
      memoryMb: bkMemory,
      queryUs: time(bkSearch, bkQueries),
      hits: hitsAt(answers(bkSearch)),
      exact: same(bkSearch)
    })
  }
  return rows
}
