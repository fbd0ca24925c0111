/** One line of the audit log: who did what to which subject, and whether it was allowed. */
export interface AuditEntry {
  at: number;
  actorId: string | null;
  action: string;
  subject: string;
  outcome: 'ok' | 'refused';
  detail?: Record<string, unknown>;
  ip?: string | null;
}

/** An audit line as read back: numbered in the order it was written, every field present. */
export interface AuditRecord extends Required<AuditEntry> {
  id: number;
}
