/** Check-in. Refusals of a scan are answers, not errors: see domain/checkin.ts. */
export const CHECKIN_ERRORS = {
  device_revoked: 401,
  invalid_csv: 400,
} as const satisfies Record<string, number>;
