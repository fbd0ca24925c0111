import { describe, expect, it } from 'vitest';
import { approve, canSee, channelView, claim, deny, expire, revoke, type ShareRequest } from '../../src/domain/share-request.js';
import { refusal } from '../support/refusal.js';

const T0 = 1_700_000_000_000;
const A = 'user-a';
const B = { id: 'user-b', name: 'Bob', email: 'bob@example.com' };
const C = { id: 'user-c', name: 'Carol', email: 'carol@example.com' };

const open = (patch: Partial<ShareRequest> = {}): ShareRequest => ({
  id: 's1',
  ownerId: A,
  ownerName: 'Alice',
  title: 'Card',
  fields: { name: 'Alice', email: 'alice@example.com' },
  status: 'open',
  version: 1,
  createdAt: T0,
  expiresAt: T0 + 300_000,
  requester: null,
  requestedAt: null,
  decidedAt: null,
  ...patch,
});

const claimed = () => claim(open(), B, T0 + 1)!;

describe('share request', () => {
  it('is claimed by the first person, bumping the version; the same person again changes nothing', () => {
    const r = claimed();
    expect(r).toMatchObject({ status: 'requested', version: 2, requester: B, requestedAt: T0 + 1 });
    expect(claim(r, B, T0 + 2)).toBeNull();
    expect(refusal(() => claim(r, C, T0 + 2))).toBe('claimed_elsewhere');
  });

  it('may not be claimed by its owner', () => {
    expect(refusal(() => claim(open(), { ...B, id: A }, T0))).toBe('forbidden');
  });

  it('is decided only by its owner, and only once someone asked', () => {
    expect(refusal(() => approve(open(), A, T0))).toBe('not_claimed');
    expect(refusal(() => approve(claimed(), B.id, T0))).toBe('forbidden');
    expect(refusal(() => deny(claimed(), C.id, T0))).toBe('forbidden');
    const ok = approve(claimed(), A, T0 + 5);
    expect(ok).toMatchObject({ status: 'approved', version: 3, decidedAt: T0 + 5, fields: { name: 'Alice' } });
    const no = deny(claimed(), A, T0 + 5);
    expect(no).toMatchObject({ status: 'denied', version: 3, fields: null });
  });

  it('refuses every step once used, and lets the requester reopen the outcome', () => {
    const done = approve(claimed(), A, T0 + 5);
    expect(refusal(() => approve(done, A, T0 + 6))).toBe('code_used');
    expect(refusal(() => deny(done, A, T0 + 6))).toBe('code_used');
    expect(refusal(() => revoke(done, A, T0 + 6))).toBe('code_used');
    expect(refusal(() => claim(done, C, T0 + 6))).toBe('code_used');
    expect(claim(done, B, T0 + 6)).toBeNull();
  });

  it('is revoked by its owner before a decision, once; then refuses with share_revoked', () => {
    expect(refusal(() => revoke(open(), B.id, T0))).toBe('forbidden');
    const r = revoke(claimed(), A, T0 + 2)!;
    expect(r).toMatchObject({ status: 'revoked', version: 3, fields: null });
    expect(revoke(r, A, T0 + 3)).toBeNull();
    expect(refusal(() => claim(r, C, T0 + 3))).toBe('share_revoked');
    expect(refusal(() => approve(r, A, T0 + 3))).toBe('share_revoked');
  });

  it('expires when its time is up, and refuses late steps even before the sweep', () => {
    const late = T0 + 300_000;
    expect(expire(open(), late - 1)).toBeNull();
    expect(expire(open(), late)).toMatchObject({ status: 'expired', version: 2, fields: null });
    expect(expire(approve(claimed(), A, T0 + 2), late)).toBeNull();
    expect(refusal(() => claim(open(), B, late))).toBe('code_expired');
    expect(refusal(() => approve(claimed(), A, late))).toBe('code_expired');
    expect(refusal(() => claim(claimed(), C, late))).toBe('code_expired');
  });

  it('shows the requester once claimed and the fields only once approved', () => {
    expect(channelView(open())).toMatchObject({ status: 'open', requester: null, fields: null, owner: { name: 'Alice' } });
    expect(channelView(claimed())).toMatchObject({ requester: { name: 'Bob', email: 'bob@example.com' }, fields: null });
    expect(JSON.stringify(channelView(claimed()))).not.toContain('alice@example.com');
    expect(channelView(approve(claimed(), A, T0 + 2)).fields).toEqual({ name: 'Alice', email: 'alice@example.com' });
    expect([canSee(claimed(), A), canSee(claimed(), B.id), canSee(claimed(), C.id)]).toEqual([true, true, false]);
  });
});
