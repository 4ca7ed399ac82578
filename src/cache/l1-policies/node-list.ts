// The queues the policy stores are built of: an intrusive doubly linked list of slots, head =
// newest, tail = oldest. One node shape for every policy (the fields a policy does not use stay
// 0), so the stores' hot paths see one hidden class.
import type { MemoryRecord } from '../memory-store.js'

export class StoreNode {
  prev: StoreNode | undefined = undefined
  next: StoreNode | undefined = undefined
  /** Which queue holds the node (a policy's own numbering). */
  queue = 0
  /** SIEVE's visited bit; S3-FIFO's 2-bit frequency. */
  mark = 0

  constructor (
    readonly key: string,
    public record: MemoryRecord,
    /** recordBytes(record.entry). */
    public bytes: number,
    /** W-TinyLFU: the key's hash, computed once at insertion so a hit does not hash the key. */
    readonly hash = 0
  ) {}
}

export class NodeList {
  head: StoreNode | undefined = undefined
  tail: StoreNode | undefined = undefined
  length = 0
  bytes = 0

  pushHead (node: StoreNode): void {
    node.prev = undefined
    node.next = this.head
    if (this.head === undefined) this.tail = node
    else this.head.prev = node
    this.head = node
    this.length++
    this.bytes += node.bytes
  }

  remove (node: StoreNode): void {
    if (node.prev === undefined) this.head = node.next
    else node.prev.next = node.next
    if (node.next === undefined) this.tail = node.prev
    else node.next.prev = node.prev
    node.prev = undefined
    node.next = undefined
    this.length--
    this.bytes -= node.bytes
  }

  /** Relinks only: length and bytes do not change (an LRU hit, on the hot path). */
  moveToHead (node: StoreNode): void {
    if (this.head === node) return
    // Not the head, so it has a prev.
    node.prev!.next = node.next
    if (node.next === undefined) this.tail = node.prev
    else node.next.prev = node.prev
    node.prev = undefined
    node.next = this.head
    this.head!.prev = node
    this.head = node
  }

  /** After a node's weight changed in place. */
  reweigh (node: StoreNode, bytes: number): void {
    this.bytes += bytes - node.bytes
  }

  clear (): void {
    this.head = undefined
    this.tail = undefined
    this.length = 0
    this.bytes = 0
  }
}
