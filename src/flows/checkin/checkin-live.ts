import type { LiveService } from '../../live/live-service.js';
import type { AttendeesRepo } from '../../store/attendees.js';
import type { PassState } from '../../domain/checkin.js';
import type { CheckinsRepo } from '../../store/checkins.js';
import type { EventsRepo } from '../../store/events.js';
import { countsView, passStateView } from './checkin-views.js';

export const passChannel = (attendeeId: string) => `pass:${attendeeId}`;
export const sessionChannel = (sessionId: string) => `session:${sessionId}`;

/** Gap between two snapshots of one session's counts: a busy door sends five a second, not one per scan. */
const SESSION_GAP_MS = 200;
/**
 * A snapshot that takes long (a huge event) spaces the next ones out, so the counting (in SQLite's
 * read thread, or on Postgres) takes at most a quarter of its time. It was ten times while the
 * counts ran on the event loop, to keep them to a tenth of it; with the read thread, a busy
 * machine's wait for that thread counted ten times over, and the dashboard's browser test (CI)
 * saw a scan more than a second late. (Twenty times fell behind so too.)
 */
const SESSION_GAP_PER_SNAPSHOT_MS = 3;

/**
 * The `pass:` and `session:` channels: snapshot loaders for the hub, and
 * publishing after each commit. A pass is published at once (the attendee
 * waits for it); a session's counts are coalesced, each snapshot reading its
 * version before its data so the data is never older than the version says.
 */
export class CheckinLive {
  private readonly sessionBusy = new Map<string, { again: boolean }>();

  constructor(
    private readonly live: LiveService,
    private readonly repos: { events: EventsRepo; attendees: AttendeesRepo; checkins: CheckinsRepo },
    private readonly onError: (err: unknown, context: string) => void,
    private readonly closing: () => boolean = () => false,
  ) {
    live.registry.register('pass', (id) => this.passSnapshot(id));
    live.registry.register('session', (id) => this.sessionSnapshot(id));
  }

  /** After a right committed away (a device revoked, a staff member removed, a pass link replaced): end what it opened. */
  revoke(grant: string, channel?: string): void {
    this.live.revoke(channel === undefined ? { grant } : { grant, channel });
  }

  async passSnapshot(attendeeId: string) {
    const a = await this.repos.attendees.byId(attendeeId);
    if (!a) return null;
    const state = await this.repos.checkins.passState(a);
    return { version: a.version, type: state.lastScan ? state.lastScan.result : 'pass', data: passStateView(state) };
  }

  /**
   * The session's counts. With `bump`, after a change: scans do not bump the
   * session's version in their transactions (that row lock would serialise a
   * busy door), so the publisher takes a new version first and reads after
   * it: the data is never older than its version, and versions only grow.
   */
  async sessionSnapshot(sessionId: string, bump = false) {
    if (bump && (await this.repos.events.bumpSession(sessionId)) === null) return null;
    const s = await this.repos.events.session(sessionId);
    if (!s) return null;
    return { version: s.version, type: 'counts', data: countsView(await this.repos.checkins.sessionCounts(s)) };
  }

  /** After a commit that moved the attendee's pass: reads the snapshot again. */
  publishPass(attendeeId: string): void {
    this.passSnapshot(attendeeId)
      .then((snap) => snap && this.live.publish({ channel: passChannel(attendeeId), ...snap }))
      .catch((err) => this.closing() || this.onError(err, `pass snapshot ${attendeeId}`));
  }

  /** After a scan's commit, with the pass as its transaction left it: no read, the phone is told at once. */
  publishPassState(state: PassState): void {
    const a = state.attendee;
    this.live.publish({ channel: passChannel(a.id), version: a.version, type: state.lastScan ? state.lastScan.result : 'pass', data: passStateView(state) });
  }

  /** After a commit that moved the session's version; coalesced while a snapshot is in flight. */
  publishSession(sessionId: string): void {
    const busy = this.sessionBusy.get(sessionId);
    if (busy) {
      busy.again = true;
      return;
    }
    const state = { again: false };
    this.sessionBusy.set(sessionId, state);
    const run = async () => {
      try {
        do {
          if (this.closing()) return;
          state.again = false;
          const started = performance.now();
          const snap = await this.sessionSnapshot(sessionId, true);
          if (snap) this.live.publish({ channel: sessionChannel(sessionId), ...snap });
          const gap = Math.max(SESSION_GAP_MS, (performance.now() - started) * SESSION_GAP_PER_SNAPSHOT_MS);
          await new Promise((r) => setTimeout(r, gap).unref());
        } while (state.again);
      } catch (err) {
        if (!this.closing()) this.onError(err, `session snapshot ${sessionId}`);
      } finally {
        this.sessionBusy.delete(sessionId);
      }
    };
    void run();
  }
}
