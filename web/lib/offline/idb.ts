/**
 * A few promise helpers over IndexedDB for the offline scanner: one database,
 * three stores. `events`: an event's public key and attendee list (key
 * `event_id`); `queue`: scans waiting to upload (key `nonce`); `seen`: who this
 * device knows to be checked in, per session (key `key` = `session|attendee`).
 */
const DB_NAME = 'scanpass-offline';
const DB_VERSION = 1;
type StoreName = 'events' | 'queue' | 'seen';

let opening: Promise<IDBDatabase> | null = null;

function openDb(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('events')) db.createObjectStore('events', { keyPath: 'event_id' });
      if (!db.objectStoreNames.contains('queue')) db.createObjectStore('queue', { keyPath: 'nonce' });
      if (!db.objectStoreNames.contains('seen')) db.createObjectStore('seen', { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
    req.onblocked = () => reject(new Error('IndexedDB blocked'));
  }).catch((err: unknown) => {
    opening = null;
    throw err;
  });
  return opening;
}

function done<T>(req: IDBRequest<T>, tx: IDBTransaction): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error ?? req.error ?? new Error('IndexedDB error'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export async function idbGet<T>(store: StoreName, key: IDBValidKey): Promise<T | undefined> {
  const tx = (await openDb()).transaction(store, 'readonly');
  return done(tx.objectStore(store).get(key), tx) as Promise<T | undefined>;
}

export async function idbAll<T>(store: StoreName): Promise<T[]> {
  const tx = (await openDb()).transaction(store, 'readonly');
  return done(tx.objectStore(store).getAll(), tx) as Promise<T[]>;
}

export async function idbPut(store: StoreName, value: unknown): Promise<void> {
  const tx = (await openDb()).transaction(store, 'readwrite');
  await done(tx.objectStore(store).put(value), tx);
}

export async function idbDelete(store: StoreName, key: IDBValidKey): Promise<void> {
  const tx = (await openDb()).transaction(store, 'readwrite');
  await done(tx.objectStore(store).delete(key), tx);
}

export async function idbCount(store: StoreName): Promise<number> {
  const tx = (await openDb()).transaction(store, 'readonly');
  return done(tx.objectStore(store).count(), tx);
}
