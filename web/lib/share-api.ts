// The share API as the pages use it (see src/flows/share/share-schemas.ts).
import { SHARE_FIELDS, type SharedFields, type ShareField, type ShareStatus } from '../../src/domain/share-request.js';
import { api } from './api.js';

// Statuses and fields are the domain's own, so the pages cannot drift from the server.
export { SHARE_FIELDS, type SharedFields, type ShareField, type ShareStatus };

/** What the live channel `share:<id>` carries, and the core of every view. */
export interface ShareState {
  status: ShareStatus;
  expires_at: number;
  title: string | null;
  owner: { name: string };
  requester: { name: string; email: string } | null;
  fields: SharedFields | null;
  decided_at: number | null;
}

export interface Live {
  channel: string;
  token: string;
  expires_at: number;
}

export interface OwnerView extends ShareState {
  id: string;
  role: 'owner';
  code: string;
  url: string;
  offer: SharedFields | null;
  live: Live;
}

export interface RequesterView extends ShareState {
  id: string;
  role: 'requester';
  live: Live;
}

export const FINAL: ReadonlySet<ShareStatus> = new Set(['approved', 'denied', 'revoked', 'expired']);

export const createShare = (body: { title?: string; fields: SharedFields }) => api<OwnerView>('POST', '/api/v1/shares', body);
export const claimShare = (code: string) => api<RequesterView>('POST', '/api/v1/shares/claim', { code });
export const getShare = <T extends OwnerView | RequesterView>(id: string) => api<T>('GET', `/api/v1/shares/${encodeURIComponent(id)}`);
export const decideShare = (id: string, decision: 'approve' | 'deny') => api<OwnerView>('POST', `/api/v1/shares/${encodeURIComponent(id)}/${decision}`);
export const revokeShare = (id: string) => api<OwnerView>('DELETE', `/api/v1/shares/${encodeURIComponent(id)}`);
