/** English messages of the scanner's offline mode (web/lib/offline); spread into en.ts. */
export const offlineEn = {
  'offline.badge': 'Offline: decided on this device',
  'offline.status': 'Offline · {count} scans waiting to upload',
  'offline.pending': '{count} scans waiting to upload',
  'offline.uploadedOk': 'Uploaded: checked in',
  'offline.conflict': 'Conflict: already checked in elsewhere at {time}',
  'offline.conflictGate': 'Conflict: already checked in at {gate} at {time}',
  'offline.notTaken': 'Upload refused ({reason})',
};
