import { Type, type Static } from '@fastify/type-provider-typebox';
import { Id, Nullable } from '../../http/schemas.js';

/** `POST /events/{id}/passes/send`: every attendee not yet sent, or exactly these (a resend). */
export const SendPassesBody = Type.Object(
  { attendee_ids: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 10_000, description: 'only these attendees (sent ones too: a resend); default every attendee not yet sent' })) },
  { additionalProperties: false },
);

export const SendPassesAnswer = Type.Object({
  job_id: Type.String(),
  queued: Type.Integer({ description: 'messages queued by this job' }),
  failed: Type.Integer({ description: 'attendees of this job failed at once (no e-mail address)' }),
});

const Status = Type.Union([Type.Literal('not_sent'), Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')]);

export const PassDeliveryView = Type.Object(
  {
    attendee_id: Type.String(),
    name: Type.String(),
    email: Nullable(Type.String()),
    language: Type.Union([Type.Literal('en'), Type.Literal('zh-CN')]),
    revoked: Type.Boolean(),
    status: Status,
    error: Nullable(Type.String({ description: "why it failed: the SMTP server's reply when it gave one" })),
    job_id: Nullable(Type.String()),
    attempts: Type.Integer(),
    queued_at: Nullable(Type.Integer()),
    sent_at: Nullable(Type.Integer()),
    updated_at: Nullable(Type.Integer()),
    link: Type.Union([Type.Literal('kept'), Type.Literal('none'), Type.Literal('shown_once')], {
      description: 'kept: the link can be mailed and exported as it is; none: no link yet; shown_once: only shown when made, so mailing or exporting replaces it',
    }),
  },
  { $id: 'PassDelivery' },
);
export type PassDeliveryView = Static<typeof PassDeliveryView>;

const Counts = Type.Object({ not_sent: Type.Integer(), queued: Type.Integer(), sent: Type.Integer(), failed: Type.Integer() });
export const JobProgress = Type.Object({ id: Type.String(), total: Type.Integer(), queued: Type.Integer(), sent: Type.Integer(), failed: Type.Integer(), done: Type.Boolean() });

export const DeliveriesQuery = Type.Object({ job_id: Type.Optional(Id) }, { additionalProperties: false });
export const DeliveriesAnswer = Type.Object({ deliveries: Type.Array(Type.Ref('PassDelivery')), counts: Counts, job: Type.Optional(JobProgress) });
export type DeliveriesAnswer = Omit<Static<typeof DeliveriesAnswer>, 'deliveries'> & { deliveries: PassDeliveryView[] };
export type JobProgress = Static<typeof JobProgress>;
