import { popcount32 } from "./PerceptualHash.js"

/** One hit of a radius search: the id the code was added under, and its distance to the query. */
export interface Neighbour {
  readonly id: number
  readonly distance: number
}

const SUBSTRINGS = 4
const SUBSTRING_BITS = 16
const BUCKETS = 1 << SUBSTRING_BITS

/** The 16-bit substring `k` (0 = top bits of `hi`) of a 64-bit code. */
const substring = (hi: number, lo: number, k: number): number =>
  k === 0 ? hi >>> 16 : k === 1 ? hi & 0xffff : k === 2 ? lo >>> 16 : lo & 0xffff

/** All 16-bit masks of weight <= w, lightest first (computed once per weight). */
const masksByWeight: Array<Uint16Array> = []
const masksUpTo = (w: number): Uint16Array => {
  for (let weight = masksByWeight.length; weight <= w; weight++) {
    const masks: Array<number> = []
    for (let m = 0; m < BUCKETS; m++) if (popcount32(m) <= weight) masks.push(m)
    masks.sort((a, b) => popcount32(a) - popcount32(b))
    masksByWeight.push(Uint16Array.from(masks))
  }
  return masksByWeight[w]!
}

/** How many 16-bit values lie within distance `w` of one value: sum of C(16, i), i <= w. */
const ballSize = (w: number): number => {
  let total = 0
  let binomial = 1
  for (let i = 0; i <= Math.min(w, SUBSTRING_BITS); i++) {
    total += binomial
    binomial = (binomial * (SUBSTRING_BITS - i)) / (i + 1)
  }
  return total
}

/** Codes as two typed arrays of unsigned 32-bit halves; id = position. */
export interface Codes {
  readonly hi: Uint32Array
  readonly lo: Uint32Array
}

/** Every id within `radius` of the query, by a scan of all codes (the reference, and the fallback). */
export const linearScan = (
  codes: Codes,
  count: number,
  hi: number,
  lo: number,
  radius: number,
  out: Array<Neighbour> = []
) => {
  const { hi: his, lo: los } = codes
  for (let id = 0; id < count; id++) {
    const d = popcount32((his[id]! ^ hi) >>> 0) + popcount32((los[id]! ^ lo) >>> 0)
    if (d <= radius) out.push({ id, distance: d })
  }
  return out
}

/**
 * Exact radius search in Hamming space over 64-bit codes, by multi-index hashing (Norouzi, Punjani
 * and Fleet): each code is split into four 16-bit substrings, each substring indexes a table. When
 * d(q, x) <= r = 4s + a (0 <= a < 4), some substring k <= a is within s of the query's, or some
 * later one within s - 1 (otherwise d >= (a+1)(s+1) + (3-a)s = r + 1). So probing the first a + 1
 * tables within s and the rest within s - 1 finds every code within r; candidates are verified
 * with the full distance, so recall is exact. When the probes would touch most of the codes
 * anyway (large radii), a linear scan answers instead.
 *
 * Tables are compact: counting-sorted (hi, lo, id) triples with bucket offsets, so verifying a
 * bucket's candidates reads consecutive memory instead of one random code per candidate (at a
 * million codes that memory latency, not the popcounts, is the cost of a query). Codes added after
 * the build go to a small overflow list searched linearly, folded into the tables when it grows.
 */
export class HammingIndex {
  private his: Uint32Array
  private los: Uint32Array
  private count = 0
  /** Codes [0, indexed) are in the tables; [indexed, count) only in the overflow. */
  private indexed = 0
  private offsets: Array<Uint32Array> = []
  /** Per table, (hi, lo, id) of every indexed code in bucket order. */
  private entries: Array<Uint32Array> = []
  private seen: Uint32Array
  private epoch = 0

  private constructor(capacity: number) {
    this.his = new Uint32Array(Math.max(capacity, 16))
    this.los = new Uint32Array(Math.max(capacity, 16))
    this.seen = new Uint32Array(Math.max(capacity, 16))
  }

  /** An index of `codes` (ids 0..n-1 in order). */
  static build(codes: Codes): HammingIndex {
    const n = Math.min(codes.hi.length, codes.lo.length)
    const index = new HammingIndex(n)
    index.his.set(codes.hi.subarray(0, n))
    index.los.set(codes.lo.subarray(0, n))
    index.count = n
    index.rebuild()
    return index
  }

  static empty(): HammingIndex {
    return HammingIndex.build({ hi: new Uint32Array(0), lo: new Uint32Array(0) })
  }

  get size(): number {
    return this.count
  }

  /** The code of an id. */
  code(id: number): { readonly hi: number; readonly lo: number } {
    return { hi: this.his[id]!, lo: this.los[id]! }
  }

  /** Adds a code; returns its id (the next integer). */
  add(hi: number, lo: number): number {
    if (this.count === this.his.length) this.grow()
    const id = this.count++
    this.his[id] = hi >>> 0
    this.los[id] = lo >>> 0
    if (this.count - this.indexed > Math.max(4096, this.indexed >>> 3)) this.rebuild()
    return id
  }

  /** Every id within `radius` of the query, nearest first (ties by id). */
  search(hi: number, lo: number, radius: number): Array<Neighbour> {
    hi >>>= 0
    lo >>>= 0
    const out: Array<Neighbour> = []
    if (radius < 0 || this.count === 0) return out
    const r = Math.min(Math.floor(radius), 64)
    const s = Math.floor(r / SUBSTRINGS)
    const a = r - s * SUBSTRINGS
    const probes = (a + 1) * ballSize(s) + (SUBSTRINGS - a - 1) * (s >= 1 ? ballSize(s - 1) : 0)
    // Expected candidates for uniformly spread codes; beyond about half the codes a scan is cheaper.
    if ((probes * this.indexed) / BUCKETS > this.indexed / 2) {
      linearScan({ hi: this.his, lo: this.los }, this.count, hi, lo, r, out)
      return sortByDistance(out)
    }
    const epoch = this.nextEpoch()
    const { his, los, seen } = this
    for (let k = 0; k < SUBSTRINGS; k++) {
      const within = k <= a ? s : s - 1
      if (within < 0) continue
      const key = substring(hi, lo, k)
      const offsets = this.offsets[k]!
      const entries = this.entries[k]!
      const masks = masksUpTo(within)
      for (let m = 0; m < masks.length; m++) {
        const bucket = key ^ masks[m]!
        for (let j = offsets[bucket]! * 3, end = offsets[bucket + 1]! * 3; j < end; j += 3) {
          const d = popcount32((entries[j]! ^ hi) >>> 0) + popcount32((entries[j + 1]! ^ lo) >>> 0)
          if (d > r) continue
          // A code within r can lie within reach in several tables: report it once.
          const id = entries[j + 2]!
          if (seen[id] === epoch) continue
          seen[id] = epoch
          out.push({ id, distance: d })
        }
      }
    }
    for (let id = this.indexed; id < this.count; id++) {
      const d = popcount32((his[id]! ^ hi) >>> 0) + popcount32((los[id]! ^ lo) >>> 0)
      if (d <= r) out.push({ id, distance: d })
    }
    return sortByDistance(out)
  }

  /** The `k` nearest ids within `maxDistance`, nearest first (ties by id). */
  nearest(hi: number, lo: number, k: number, maxDistance: number): Array<Neighbour> {
    // Widen the radius until k are found: small radii are cheap, most queries stop early.
    for (let r = Math.min(4, maxDistance);; r = Math.min(r * 2, maxDistance)) {
      const found = this.search(hi, lo, r)
      if (found.length >= k || r >= maxDistance) return found.slice(0, k)
    }
  }

  /** Approximate bytes held (codes, tables, scratch). */
  get bytes(): number {
    return this.his.byteLength * 3 + this.offsets.reduce((n, o) => n + o.byteLength, 0) +
      this.entries.reduce((n, e) => n + e.byteLength, 0)
  }

  private nextEpoch(): number {
    if (++this.epoch === 0xffffffff) {
      this.seen.fill(0)
      this.epoch = 1
    }
    return this.epoch
  }

  private grow(): void {
    const capacity = this.his.length * 2
    const his = new Uint32Array(capacity)
    const los = new Uint32Array(capacity)
    his.set(this.his)
    los.set(this.los)
    this.his = his
    this.los = los
    const seen = new Uint32Array(capacity)
    seen.set(this.seen)
    this.seen = seen
  }

  /** Counting sort of the ids by each substring: O(n) per table. */
  private rebuild(): void {
    const n = this.count
    this.offsets = []
    this.entries = []
    const { his, los } = this
    for (let k = 0; k < SUBSTRINGS; k++) {
      const offsets = new Uint32Array(BUCKETS + 1)
      for (let id = 0; id < n; id++) offsets[substring(his[id]!, los[id]!, k) + 1]!++
      for (let b = 0; b < BUCKETS; b++) offsets[b + 1]! += offsets[b]!
      const cursor = offsets.slice(0, BUCKETS)
      const entries = new Uint32Array(n * 3)
      for (let id = 0; id < n; id++) {
        const slot = cursor[substring(his[id]!, los[id]!, k)]!++ * 3
        entries[slot] = his[id]!
        entries[slot + 1] = los[id]!
        entries[slot + 2] = id
      }
      this.offsets.push(offsets)
      this.entries.push(entries)
    }
    this.indexed = n
  }
}

const sortByDistance = (out: Array<Neighbour>): Array<Neighbour> =>
  out.sort((x, y) => x.distance - y.distance || x.id - y.id)
