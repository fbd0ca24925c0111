import type { LiveEvent } from '../domain/live-event.js';
import type { Revocation } from '../domain/live-grant.js';
import type { Bus } from './bus.js';

/** The single-node bus: every event goes straight back to this node's hub. */
export class MemoryBus implements Bus {
  readonly name = 'memory';
  private handlers: ((e: LiveEvent) => void)[] = [];
  private revocationHandlers: ((r: Revocation) => void)[] = [];

  async publish(event: LiveEvent): Promise<void> {
    for (const h of this.handlers) h(event);
  }
  async subscribe(): Promise<void> {}
  async unsubscribe(): Promise<void> {}
  onEvent(handler: (e: LiveEvent) => void): void {
    this.handlers.push(handler);
  }
  onResync(): void {}
  async publishRevocation(r: Revocation): Promise<void> {
    for (const h of this.revocationHandlers) h(r);
  }
  onRevocation(handler: (r: Revocation) => void): void {
    this.revocationHandlers.push(handler);
  }
  healthy(): boolean {
    return true;
  }
  async close(): Promise<void> {
    this.handlers = [];
    this.revocationHandlers = [];
  }
}
