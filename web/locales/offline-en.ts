/** English messages of the scanner's offline mode (web/lib/offline); spread into en.ts. */
export const offlineEn = {
  'offline.badge': 'Offline: decided on this device',
  // Plural forms, picked with Intl.PluralRules (web/lib/plural.ts).
  'offline.status.one': 'Offline · {count} scan waiting to upload',
  'offline.status.other': 'Offline · {count} scans waiting to upload',
  'offline.pending.one': '{count} scan waiting to upload',
  'offline.pending.other': '{count} scans waiting to upload',
  'offline.uploadedOk': 'Uploaded: checked in',
  'offline.conflict': 'Conflict: already checked in elsewhere at {time}',
  'offline.conflictGate': 'Conflict: already checked in at {gate} at {time}',
  'offline.notTaken': 'Upload refused ({reason})',
};
