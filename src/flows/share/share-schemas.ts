import { Type } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { SharedFields, ShareStatus } from '../../domain/share-request.js';
import { Nullable } from '../../http/schemas.js';
import { LiveGrant } from '../../live/live-grant-schema.js';

/** Request and response shapes of the share API; the views are named for the OpenAPI document. */

const Text = (maxLength: number, description: string) => Type.String({ maxLength, description });

const sharedFields = {
  name: Type.Optional(Text(120, 'the name to share')),
  email: Type.Optional(Text(254, 'an email address')),
  phone: Type.Optional(Text(40, 'a phone number')),
  organisation: Type.Optional(Text(120, 'company, school or club')),
  note: Type.Optional(Text(1000, 'a free-text note')),
};

/** Named in the OpenAPI document for the views. */
export const SharedFieldsSchema = Type.Object(sharedFields, { additionalProperties: false, $id: 'SharedFields' });

export const CreateShareBody = Type.Object(
  {
    title: Type.Optional(Type.String({ maxLength: 120, description: 'what this is, shown to the one who scans' })),
    fields: Type.Object(sharedFields, { additionalProperties: false, description: 'only the details to share; at least one non-empty' }),
  },
  { additionalProperties: false },
);

export const ClaimBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 32, description: 'XXXX-XXXX, any case, dashes and spaces ignored' }) });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });


/** A reference to the named schema, typed as the domain's fields (a bare Ref has no static type). */
const SharedFieldsRef = (description: string) => Type.Unsafe<SharedFields>(Type.Ref('SharedFields', { description }));

const common = {
  id: Type.String(),
  status: Type.Enum(['open', 'requested', 'approved', 'denied', 'revoked', 'expired'] satisfies ShareStatus[]),
  expires_at: Type.Integer(),
  title: Nullable(Type.String()),
  owner: Type.Object({ name: Type.String() }),
  requester: Nullable(Type.Object({ name: Type.String(), email: Type.String() })),
  fields: Nullable(SharedFieldsRef('what was shared; null until approved')),
  decided_at: Nullable(Type.Integer()),
  live: LiveGrant,
};

/** What the person sharing sees. */
export const OwnerView = Type.Object(
  {
    ...common,
    role: Type.Literal('owner'),
    code: Type.String({ description: 'XXXX-XXXX' }),
    url: Type.String({ description: 'what the QR encodes: the receive page with the code' }),
    offer: Nullable(SharedFieldsRef('what you offered; cleared when the share ends unapproved')),
  },
  { $id: 'ShareOwnerView' },
);
export type OwnerView = Static<typeof OwnerView>;

/** What the one who scanned sees. */
export const RequesterView = Type.Object({ ...common, role: Type.Literal('requester') }, { $id: 'ShareRequesterView' });
export type RequesterView = Static<typeof RequesterView>;

/** What the live channel `share:<id>` carries, and the core of every view. */
export type ShareState = Omit<RequesterView, 'id' | 'role' | 'live'>;
