import { popcount32 } from "../src/domain/PerceptualHash.js"

interface Node {
  readonly hi: number
  readonly lo: number
  readonly id: number
  /** Children by their distance to this node. */
  readonly children: Map<number, Node>
}

const distance = (ahi: number, alo: number, bhi: number, blo: number) =>
  popcount32((ahi ^ bhi) >>> 0) + popcount32((alo ^ blo) >>> 0)

/**
 * A BK-tree over 64-bit codes (the structure most perceptual-hash tools use), for comparison:
 * exact, but a query at radius r visits every subtree whose edge lies in [d - r, d + r].
 */
export class BkTree {
  private root: Node | undefined
  size = 0

  add(hi: number, lo: number, id: number): void {
    const node: Node = { hi, lo, id, children: new Map() }
    this.size++
    if (this.root === undefined) {
      this.root = node
      return
    }
    let at = this.root
    for (;;) {
      const d = distance(hi, lo, at.hi, at.lo)
      const next = at.children.get(d)
      if (next === undefined) {
        at.children.set(d, node)
        return
      }
      at = next
    }
  }

  search(hi: number, lo: number, radius: number): Array<{ id: number; distance: number }> {
    const out: Array<{ id: number; distance: number }> = []
    if (this.root === undefined) return out
    const stack: Array<Node> = [this.root]
    while (stack.length > 0) {
      const node = stack.pop()!
      const d = distance(hi, lo, node.hi, node.lo)
      if (d <= radius) out.push({ id: node.id, distance: d })
      for (const [edge, child] of node.children) if (edge >= d - radius && edge <= d + radius) stack.push(child)
    }
    return out
  }
}
