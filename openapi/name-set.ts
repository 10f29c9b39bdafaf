/**
 * The names seen so far in one JSON object or one XML start tag, telling whether a name repeats: a list for the dozen
 * a record or a tag usually has, where a list beats a Set, and a Set once there are more than LIST_LIMIT, so a body
 * with a million names costs no quadratic time. `clear` empties it for reuse (the JSON scan keeps one per depth).
 */
const LIST_LIMIT = 32

export class NameSet {
  private readonly list: string[] = []
  private set: Set<string> | undefined

  get size(): number {
    return this.set ? this.set.size : this.list.length
  }

  /** Adds the name; false when it was already there. */
  add(name: string): boolean {
    if (this.set) {
      if (this.set.has(name)) return false
      this.set.add(name)
      return true
    }
    if (this.list.includes(name)) return false
    this.list.push(name)
    if (this.list.length > LIST_LIMIT) this.set = new Set(this.list)
    return true
  }

  clear(): void {
    this.list.length = 0
    this.set = undefined
  }
}
