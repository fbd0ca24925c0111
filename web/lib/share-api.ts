// The share API as the pages use it (see src/flows/share/share-schemas.ts).
import { SHARE_FIELDS, type SharedFields, type ShareField, type ShareStatus } from '../../src/domain/share-request.js';
import type { OwnerView, RequesterView } from '../../src/flows/share/share-schemas.js';
import { api } from './api.js';

// The views are the server schemas' own `Static<>` types, imported as types only: no TypeBox reaches the page.
export type { OwnerView, RequesterView, ShareState } from '../../src/flows/share/share-schemas.js';

// Statuses and fields are the domain's own, so the pages cannot drift from the server.
export { SHARE_FIELDS, type SharedFields, type ShareField, type ShareStatus };

export const FINAL: ReadonlySet<ShareStatus> = new Set(['approved', 'denied', 'revoked', 'expired']);

export const createShare = (body: { title?: string; fields: SharedFields }) => api<OwnerView>('POST', '/api/v1/shares', body);
export const claimShare = (code: string) => api<RequesterView>('POST', '/api/v1/shares/claim', { code });
export const getShare = <T extends OwnerView | RequesterView>(id: string) => api<T>('GET', `/api/v1/shares/${encodeURIComponent(id)}`);
export const decideShare = (id: string, decision: 'approve' | 'deny') => api<OwnerView>('POST', `/api/v1/shares/${encodeURIComponent(id)}/${decision}`);
export const revokeShare = (id: string) => api<OwnerView>('DELETE', `/api/v1/shares/${encodeURIComponent(id)}`);
