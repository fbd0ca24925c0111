export const ROLES = ['admin', 'staff', 'member'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { member: 0, staff: 1, admin: 2 };

/** An admin may do what staff may, and staff what members may. */
export const hasRole = (actual: Role, needed: Role): boolean => RANK[actual] >= RANK[needed];

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);
