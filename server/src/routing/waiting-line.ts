/**
 * One priority level of one queue: conversations in serving order (a doubly linked list with an index),
 * so adding at the back or the head, removing anywhere and reading the head are O(1).
 */
import { compareWaiting } from './decisions.js';
import type { RoutedConversation } from './store.js';

interface Node {
  conversation: RoutedConversation;
  prev: Node | null;
  next: Node | null;
}

export class WaitingLine {
  private head: Node | null = null;
  private tail: Node | null = null;
  private readonly nodes = new Map<string, Node>();

  get size(): number {
    return this.nodes.size;
  }

  first(): RoutedConversation | undefined {
    return this.head?.conversation;
  }

  has(conversationId: string): boolean {
    return this.nodes.has(conversationId);
  }

  /**
   * Insert in serving order. New arrivals belong at the back (walk from the tail); conversations put
   * back after a decline or timeout are old and belong near the front (walk from the head).
   */
  insert(conversation: RoutedConversation, from: 'tail' | 'head'): void {
    const node: Node = { conversation, prev: null, next: null };
    this.nodes.set(conversation.conversationId, node);
    if (from === 'tail') {
      let after = this.tail;
      while (after && compareWaiting(after.conversation, conversation) > 0) after = after.prev;
      this.linkAfter(node, after);
    } else {
      let before = this.head;
      while (before && compareWaiting(before.conversation, conversation) < 0) before = before.next;
      this.linkAfter(node, before ? before.prev : this.tail);
    }
  }

  remove(conversationId: string): boolean {
    const node = this.nodes.get(conversationId);
    if (!node) return false;
    this.nodes.delete(conversationId);
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    return true;
  }

  /** 1-based place in this line, or 0 when absent. */
  indexOf(conversationId: string): number {
    let i = 1;
    for (let node = this.head; node; node = node.next, i++) if (node.conversation.conversationId === conversationId) return i;
    return 0;
  }

  *[Symbol.iterator](): Iterator<RoutedConversation> {
    for (let node = this.head; node; node = node.next) yield node.conversation;
  }

  private linkAfter(node: Node, after: Node | null): void {
    node.prev = after;
    node.next = after ? after.next : this.head;
    if (node.next) node.next.prev = node;
    else this.tail = node;
    if (after) after.next = node;
    else this.head = node;
  }
}
