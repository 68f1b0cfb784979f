import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { HammingIndex, linearScan, type Neighbour } from "../../src/domain/HammingIndex.js"

const word = fc.integer({ min: 0, max: 0xffffffff })
const code = fc.tuple(word, word)

/** Codes near a few centres (what photos and their copies look like), plus unrelated ones. */
const clustered = fc.tuple(
  fc.array(code, { minLength: 1, maxLength: 8 }),
  fc.array(fc.tuple(fc.nat(), fc.array(fc.integer({ min: 0, max: 63 }), { maxLength: 12 })), { maxLength: 300 })
)
  .map(([centres, members]) =>
    members.map(([c, flips]) => {
      let [hi, lo] = centres[c % centres.length]!
      for (const bit of flips) {
        if (bit < 32) hi = (hi ^ (1 << bit)) >>> 0
        else lo = (lo ^ (1 << (bit - 32))) >>> 0
      }
      return [hi, lo] as const
    })
  )

const toCodes = (codes: ReadonlyArray<readonly [number, number]>) => ({
  hi: Uint32Array.from(codes, ([hi]) => hi),
  lo: Uint32Array.from(codes, ([, lo]) => lo)
})

const reference = (
  codes: ReadonlyArray<readonly [number, number]>,
  [hi, lo]: readonly [number, number],
  radius: number
): Array<Neighbour> =>
  linearScan(toCodes(codes), codes.length, hi, lo, radius).sort((a, b) => a.distance - b.distance || a.id - b.id)

/** Distance by BigInt, independent of the index's popcount. */
const bigDistance = (a: readonly [number, number], b: readonly [number, number]) =>
  [...(((BigInt(a[0]) << 32n) | BigInt(a[1])) ^ ((BigInt(b[0]) << 32n) | BigInt(b[1]))).toString(2)].filter((c) =>
    c === "1"
  ).length

describe("HammingIndex: exact radius search (multi-index hashing)", () => {
  it("the linear scan reference agrees with BigInt distances", () => {
    fc.assert(fc.property(fc.array(code, { maxLength: 50 }), code, fc.integer({ min: 0, max: 64 }), (codes, q, r) => {
      const expected = codes.map((c, id) => ({ id, distance: bigDistance(c, q) })).filter((n) => n.distance <= r)
      expect(reference(codes, q, r)).toEqual(expected.sort((a, b) => a.distance - b.distance || a.id - b.id))
    }))
  })

  it("random codes, random radii 0..64: same ids and distances as a linear scan", () => {
    fc.assert(
      fc.property(fc.array(code, { maxLength: 400 }), code, fc.integer({ min: 0, max: 64 }), (codes, q, r) => {
        expect(HammingIndex.build(toCodes(codes)).search(q[0], q[1], r)).toEqual(reference(codes, q, r))
      }),
      { numRuns: 300 }
    )
  })

  it("clustered codes and duplicates, queried from inside the clusters", () => {
    fc.assert(
      fc.property(
        clustered,
        fc.nat(),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 63 }),
        (codes, pick, r, flip) => {
          fc.pre(codes.length > 0)
          const [hi, lo] = codes[pick % codes.length]!
          const q = flip < 32 ? [(hi ^ (1 << flip)) >>> 0, lo] as const : [hi, (lo ^ (1 << (flip - 32))) >>> 0] as const
          const index = HammingIndex.build(toCodes([...codes, ...codes.slice(0, 5)]))
          expect(index.search(q[0], q[1], r)).toEqual(reference([...codes, ...codes.slice(0, 5)], q, r))
        }
      ),
      { numRuns: 300 }
    )
  })

  it("codes added after the build are found, across the rebuild of the tables", () => {
    fc.assert(
      fc.property(
        clustered,
        fc.array(code, { maxLength: 50 }),
        code,
        fc.integer({ min: 0, max: 12 }),
        (initial, added, q, r) => {
          const index = HammingIndex.build(toCodes(initial))
          for (const [hi, lo] of added) index.add(hi, lo)
          const all = [...initial, ...added]
          expect(index.size).toBe(all.length)
          expect(index.search(q[0], q[1], r)).toEqual(reference(all, q, r))
          if (all.length > 0) expect(index.search(all[0]![0], all[0]![1], r)).toEqual(reference(all, all[0]!, r))
        }
      ),
      { numRuns: 200 }
    )
  })

  it("many additions fold into the tables (rebuild) and stay exact", () => {
    let seed = 99
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0)
    const index = HammingIndex.empty()
    const all: Array<readonly [number, number]> = []
    for (let i = 0; i < 10_000; i++) {
      // Pairs of near-identical codes so that small radii find something.
      const c = i % 2 === 0 ? [rnd(), rnd()] as const : [all[i - 1]![0] ^ 0x11, all[i - 1]![1]] as const
      all.push([c[0] >>> 0, c[1]])
      expect(index.add(c[0], c[1])).toBe(i)
    }
    for (let i = 0; i < 50; i++) {
      const q = all[rnd() % all.length]!
      for (const r of [0, 2, 5, 9]) expect(index.search(q[0], q[1], r)).toEqual(reference(all, q, r))
    }
  })

  it("a large index: every radius up to 10 matches the scan, for codes at exactly that distance", () => {
    const n = 200_000
    let seed = 12345
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0)
    const codes = Array.from({ length: n }, () => [rnd(), rnd()] as const)
    const index = HammingIndex.build(toCodes(codes))
    for (let r = 0; r <= 10; r++) {
      // Plant a code at distance exactly r from the query.
      const q = [rnd(), rnd()] as const
      let [hi, lo] = q
      for (let bit = 0; bit < r; bit++) {
        if (bit % 2 === 0) hi = (hi ^ (1 << (bit * 3))) >>> 0
        else lo = (lo ^ (1 << (bit * 3))) >>> 0
      }
      const id = index.add(hi, lo)
      const all = [
        ...codes,
        ...Array.from({ length: index.size - n }, (_, i) => index.code(n + i)).map((c) => [c.hi, c.lo] as const)
      ]
      const found = index.search(q[0], q[1], r)
      expect(found).toEqual(reference(all, q, r))
      expect(found).toContainEqual({ id, distance: r })
    }
  })

  it("nearest: the k closest within the limit, nearest first", () => {
    fc.assert(
      fc.property(
        clustered,
        code,
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 20 }),
        (codes, q, k, max) => {
          expect(HammingIndex.build(toCodes(codes)).nearest(q[0], q[1], k, max)).toEqual(
            reference(codes, q, max).slice(0, k)
          )
        }
      )
    )
  })

  it("an empty index finds nothing; a negative radius finds nothing", () => {
    const index = HammingIndex.empty()
    expect(index.search(1, 2, 64)).toEqual([])
    index.add(1, 2)
    expect(index.search(1, 2, -1)).toEqual([])
    expect(index.search(1, 2, 0)).toEqual([{ id: 0, distance: 0 }])
  })
})
