/**
 * Offline scanning for /scanner: while the network is away (or a check-in
 * request fails to reach the server), a scan is decided here with the event's
 * public key and attendee list (event-cache, verify), shown with an "offline"
 * badge, and queued (queue) to upload when the network is back (uploader).
 * The page shows how many scans wait; what the server then answers appears in
 * the history, a conflict (checked in meanwhile at another gate) marked so.
 *
 * The elements it needs are made here: `#offline-status` after the session's
 * counts, `#scan-offline` in the result box, and items in `#history`.
 */
import type { ApiError } from '../api.js';
import type { ScanAnswer, ScannerSession } from '../checkin-api.js';
import { getLocale, onLocaleChange, setText, type MessageKey } from '../i18n.js';
import { pluralKey } from '../plural.js';
import { byId, show } from '../page.js';
import { cachedEvent, downloadEvent, loadEvent, type Fetch, type LoadedEvent } from './event-cache.js';
import { allSeen, enqueue, markSeen, pendingCount, seenKey, type QueuedScan } from './queue.js';
import { Uploader } from './uploader.js';
import { decideLocally, verifyCode } from './verify.js';

export interface ScanRequest {
  code: string;
  session_id: string;
  nonce: string;
  direction: 'entry' | 'exit';
  scanned_at: number;
}

export interface OfflineScanner {
  /** A session was picked: load its event from the cache and refresh it while online. */
  prepare(session: ScannerSession): Promise<void>;
  /** The browser is offline and this session can be decided here. */
  offlineNow(sessionId: string): boolean;
  /** This session's event is cached (and the browser can check Ed25519). */
  canDecide(sessionId: string): boolean;
  /** Decides a scan here and queues it for upload; the answer is shaped like the server's. */
  decide(scan: ScanRequest): Promise<ScanAnswer>;
  /** An answer from the server: remember who is checked in. */
  remember(a: ScanAnswer): void;
  /** Shows or hides the "offline" badge on the result just shown. */
  markResult(offline: boolean): void;
}

export interface OfflineOptions {
  call: Fetch;
  /** Sent with each queued scan (the server defaults it to the device's name). */
  gate?: string | undefined;
  onFatal?: (err: ApiError) => void;
}

const REFRESH_MS = 5 * 60_000;

export function mountOfflineScanner(o: OfflineOptions): OfflineScanner {
  const sessions = new Map<string, ScannerSession>();
  const events = new Map<string, LoadedEvent>();
  const seen = new Map<string, { at: number; gate: string | null }>();
  const ready = allSeen()
    .then((rows) => rows.forEach((r) => seen.set(r.key, { at: r.at, gate: r.gate })))
    .catch((err: unknown) => console.warn('scanner: offline store unavailable', err));

  const status = document.createElement('p');
  status.id = 'offline-status';
  status.className = 'hint offline-status';
  status.dataset.testid = 'offline-status';
  status.setAttribute('role', 'status');
  status.hidden = true;
  byId('session-counts').after(status);

  const badge = document.createElement('p');
  badge.id = 'scan-offline';
  badge.className = 'offline-badge';
  badge.dataset.testid = 'scan-offline';
  badge.hidden = true;
  setText(badge, 'offline.badge');
  byId('scan-result').append(badge);

  const fmtTime = (ms: number) => new Intl.DateTimeFormat(getLocale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(ms);

  async function renderStatus(): Promise<void> {
    const n = await pendingCount().catch(() => 0);
    const online = navigator.onLine;
    status.dataset.pending = String(n);
    status.dataset.online = String(online);
    if (online && n === 0) {
      show(status, false);
      return;
    }
    setText(status, pluralKey(online ? 'offline.pending' : 'offline.status', n), { count: n });
    show(status);
  }

  function uploadedItem(scan: QueuedScan, a: ScanAnswer | null, err?: ApiError): void {
    const list = byId('history');
    show(byId('history-box'));
    const li = document.createElement('li');
    li.dataset.uploaded = 'true';
    li.dataset.result = a?.result ?? 'error';
    if (a?.reason) li.dataset.reason = a.reason;
    const conflict = a?.reason === 'already_checked_in' && scan.local.result === 'ok';
    if (conflict) li.dataset.conflict = 'true';
    const what = document.createElement('span');
    what.textContent = `${fmtTime(scan.scanned_at)} · ${a?.attendee?.name ?? '—'}`;
    const why = document.createElement('span');
    why.className = 'hint';
    if (conflict && a?.checkin) {
      setText(why, a.checkin.gate ? 'offline.conflictGate' : 'offline.conflict', { time: fmtTime(a.checkin.at), ...(a.checkin.gate ? { gate: a.checkin.gate } : {}) });
    } else if (a) setText(why, a.reason ? (`checkin.reason.${a.reason}` as MessageKey) : 'offline.uploadedOk');
    else setText(why, 'offline.notTaken', { reason: err?.code ?? 'unknown' });
    li.append(what, ' · ', why);
    list.prepend(li);
  }

  const uploader = new Uploader({
    call: o.call,
    onUploaded: (scan, a, err) => {
      if (a) remember(a);
      uploadedItem(scan, a, err);
    },
    onChange: () => void renderStatus(),
    onFatal: (err) => o.onFatal?.(err),
  });

  function remember(a: ScanAnswer): void {
    if (!a.attendee) return;
    const c = a.checkin;
    if ((a.result === 'ok' && a.action !== 'check_out') || a.reason === 'already_checked_in') {
      const at = c?.at ?? a.scanned_at;
      const gate = c?.gate ?? null;
      seen.set(seenKey(a.session_id, a.attendee.id), { at, gate });
      void markSeen(a.session_id, a.attendee.id, at, gate).catch(() => {});
    }
  }

  async function refresh(eventId: string): Promise<void> {
    if (!navigator.onLine) return;
    try {
      events.set(eventId, await loadEvent(await downloadEvent(o.call, eventId)));
      status.dataset.ready = 'true';
    } catch (err) {
      console.warn('scanner: could not download the event for offline use', err);
    }
  }

  addEventListener('online', () => {
    void renderStatus();
    for (const id of events.keys()) void refresh(id);
  });
  addEventListener('offline', () => void renderStatus());
  // The plural form is the language's own ("1 scan" in English, one form in Chinese): pick it again.
  onLocaleChange(() => void renderStatus());
  setInterval(() => {
    for (const id of events.keys()) void refresh(id);
  }, REFRESH_MS);

  const canDecide = (sessionId: string) => {
    const s = sessions.get(sessionId);
    return Boolean(s && events.get(s.event_id)?.key);
  };

  return {
    async prepare(session) {
      sessions.set(session.id, session);
      if (!events.has(session.event_id)) {
        const cached = await cachedEvent(session.event_id).catch(() => undefined);
        if (cached) {
          events.set(session.event_id, await loadEvent(cached));
          status.dataset.ready = 'true';
        }
      }
      await refresh(session.event_id);
      await ready;
      void renderStatus();
      uploader.kick();
    },
    offlineNow: (sessionId) => !navigator.onLine && canDecide(sessionId),
    canDecide,
    async decide(scan) {
      await ready;
      const session = sessions.get(scan.session_id)!;
      const ev = events.get(session.event_id)!;
      const token = await verifyCode(scan.code, (id) => (id === ev.eventId ? ev.key : null), scan.scanned_at);
      const { decision, attendee } = decideLocally(
        token,
        {
          session: { id: session.id, eventId: session.event_id, opensAt: session.opens_at, closesAt: session.closes_at, closedAt: session.closed ? 0 : null, allAttendees: session.all_attendees },
          attendee: (id) => ev.attendees.get(id),
          checkin: (id) => {
            const s = seen.get(seenKey(session.id, id));
            return s ? { id: 'local', at: s.at, gate: s.gate, exitedAt: null } : null;
          },
        },
        scan.scanned_at,
      );
      const ok = decision.result === 'ok';
      const answer: ScanAnswer = {
        result: decision.result,
        reason: decision.result === 'rejected' ? decision.reason : null,
        message: '',
        action: decision.result === 'ok' ? decision.action : null,
        direction: scan.direction,
        session_id: session.id,
        nonce: scan.nonce,
        scanned_at: scan.scanned_at,
        attendee: attendee ? { id: attendee.id, name: attendee.name } : null,
        checkin: null,
        ...(decision.result === 'rejected' && decision.opensAt !== undefined ? { opens_at: decision.opensAt } : {}),
      };
      if (decision.result === 'rejected' && decision.previous && attendee) {
        answer.checkin = { id: 'local', session_id: session.id, at: decision.previous.at, gate: decision.previous.gate, exited_at: null };
      }
      // Every scan goes up, refusals too: the server decides again and records it.
      await enqueue({ ...scan, ...(o.gate ? { gate: o.gate } : {}), queued_at: Date.now(), local: { result: decision.result, reason: answer.reason, attendee_id: attendee?.id ?? null }, attempts: 0 });
      if (ok && attendee) {
        seen.set(seenKey(session.id, attendee.id), { at: scan.scanned_at, gate: o.gate ?? null });
        await markSeen(session.id, attendee.id, scan.scanned_at, o.gate ?? null).catch(() => {});
      }
      await renderStatus();
      uploader.kick();
      return answer;
    },
    remember,
    markResult(offline) {
      show(badge, offline);
      byId('scan-result').dataset.offline = String(offline);
    },
  };
}
