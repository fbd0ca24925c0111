import type { LiveEvent } from '../domain/live-event.js';
import type { Revocation } from '../domain/live-grant.js';

/**
 * Carries "channel X is now at version N" between nodes. The hub tells the bus
 * which channels this node serves; the bus hands back every event published to
 * them, from any node. A bus may lose messages: after it reconnects it calls
 * `onResync`, and the hub re-reads the snapshot of every channel it serves.
 *
 * Beside channel events it carries revocations ("the right named `grant` is
 * gone"), which every node hears whatever channels it serves. A lost
 * revocation does not heal by resync: the token's expiry is the backstop.
 */
export interface Bus {
  readonly name: string;
  publish(event: LiveEvent): Promise<void>;
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  onEvent(handler: (event: LiveEvent) => void): void;
  onResync(handler: () => void): void;
  publishRevocation(r: Revocation): Promise<void>;
  onRevocation(handler: (r: Revocation) => void): void;
  /** True while messages flow; false while a remote bus is reconnecting. */
  healthy(): boolean;
  close(): Promise<void>;
}
