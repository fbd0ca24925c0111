/**
 * What a webhook belongs to. Each feature that sends webhooks describes its
 * kind of owner once (check-in: `event`); the capability then stores one
 * endpoint per owner, `<kind>:<id>`, keeps its deliveries apart from every
 * other owner's, and serves the admin API at the kind's path.
 */
export interface WebhookOwnerKind {
  /** The owner's prefix (`event`): owners are `<kind>:<id>`, and the API names the id `<kind>_id`. */
  kind: string;
  /** What messages and summaries call one (`event`: "no such event", "the event's webhook"). */
  label: string;
  /** The endpoint's route under the API prefix, with `:id` for the owner's id: `/events/:id/webhook`. */
  path: string;
  /** The OpenAPI tag of its routes. */
  tag: string;
  /** What one delivery reports, for the docs: `check-in change` ("a POST per check-in change"). */
  change: string;
  /** Every body `type` its feature sends (`ping` is the capability's own). */
  types: readonly string[];
  /** Whether the owner exists; a webhook of one that does not is 404 `not_found`. */
  exists(id: string): Promise<boolean>;
}

/** The owner key of `id` of this kind: `event:<id>`. */
export const webhookOwner = (kind: Pick<WebhookOwnerKind, 'kind'>, id: string): string => `${kind.kind}:${id}`;

/** The name of the owner's id in JSON views and the `ping` body: `event_id`. */
export const ownerIdField = (kind: Pick<WebhookOwnerKind, 'kind'>): string => `${kind.kind}_id`;
