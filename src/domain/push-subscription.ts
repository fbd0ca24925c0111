/**
 * A browser's Web Push subscription (the Push API's `PushSubscription`), held
 * for an owner, `<kind>:<id>` (`ticket:<id>`): at most one per owner.
 */
export interface PushSubscription {
  owner: string;
  /** The push service's URL for this browser (https). */
  endpoint: string;
  /** The browser's P-256 public key, base64url (65 bytes, uncompressed point): the payload is encrypted to it (RFC 8291). */
  p256dh: string;
  /** The browser's 16-byte authentication secret, base64url. */
  auth: string;
  createdAt: number;
}

/** What a notification shows: sent as this JSON, encrypted, to the owner's service worker. */
export interface PushMessage {
  title: string;
  body: string;
  /** A later notification with the same tag replaces the earlier one (on the phone, and while still queued at the push service). */
  tag: string;
  /** The page a tap on the notification opens (same origin). */
  url: string;
}
