/**
 * The event page's "Passes by e-mail": send every attendee their pass link,
 * watch the job's progress (polling its deliveries), resend to one or to all
 * who failed, and export every link as CSV.
 */
import { passDeliveries, passLinksCsvUrl, sendPasses, type PassDeliveries } from '../admin-events-api.js';
import { setText, t } from '../i18n.js';
import { alertBox, button, card, cell, h } from './dom.js';
import { act, showErr } from './event-errors.js';
import type { EventState, Part } from './event-state.js';

const POLL_MS = 1000;
const SHOWN_ROWS = 500;

export function passesCard(st: EventState): Part {
  const error = alertBox('passes-error');
  const send = button('events.passes.send', 'button', { 'data-testid': 'send-passes' });
  const resendFailed = button('events.passes.resendFailed', 'button secondary', { 'data-testid': 'resend-failed', hidden: true });
  const exportLinks = h('a', { class: 'button secondary', href: passLinksCsvUrl(st.event.id), download: true, 'data-testid': 'export-links', i18n: 'events.passes.export' });
  const bar = h('progress', { max: '1', value: '0', 'data-testid': 'pass-progress-bar', hidden: true });
  const progress = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', 'data-testid': 'pass-progress' });
  const summary = h('p', { class: 'hint', 'data-testid': 'pass-summary' });
  // The most frequent reason of a job's failures, so a wrong SMTP setting reads as one clear message.
  const failure = h('div', { class: 'alert', role: 'alert', 'data-testid': 'pass-failure', hidden: true });
  const list = h('div', {});
  let jobId: string | null = null;
  let polling: number | undefined;

  const failedIds = () => (st.passes?.deliveries ?? []).filter((d) => d.status === 'failed' && !d.revoked).map((d) => d.attendee_id);

  function showProgress(p: PassDeliveries): void {
    const job = p.job;
    if (!job) return;
    bar.hidden = false;
    bar.max = Math.max(job.total, 1);
    bar.value = job.total - job.queued;
    bar.dataset.done = String(job.done);
    progress.dataset.done = String(job.done);
    failure.hidden = true;
    if (job.done && job.failed > 0) {
      const reasons = new Map<string, number>();
      for (const d of p.deliveries) if (d.job_id === job.id && d.status === 'failed' && d.error) reasons.set(d.error, (reasons.get(d.error) ?? 0) + 1);
      const [reason, count] = [...reasons].sort((a, b) => b[1] - a[1])[0] ?? [];
      if (reason) {
        setText(failure, 'events.passes.failedBecause', { count: count!, reason });
        failure.hidden = false;
      }
    }
    if (job.done) setText(progress, 'events.passes.done', { sent: job.sent, failed: job.failed });
    else setText(progress, 'events.passes.progress', { done: job.total - job.queued, total: job.total, sent: job.sent, failed: job.failed });
  }

  /** Polls the job until it is done, redrawing the table as deliveries change. */
  async function watch(): Promise<void> {
    window.clearTimeout(polling);
    try {
      const p = await passDeliveries(st.event.id, jobId ?? undefined);
      st.passes = p;
      showProgress(p);
      render();
      if (jobId && !p.job?.done) polling = window.setTimeout(() => void watch(), POLL_MS);
    } catch (err) {
      showErr(error, err);
      // A failed poll (network, restart) is tried again: the job goes on on the server.
      if (jobId) polling = window.setTimeout(() => void watch(), POLL_MS * 3);
    }
  }

  async function start(ids?: string[]): Promise<void> {
    const out = await sendPasses(st.event.id, ids);
    jobId = out.job_id;
    await watch();
  }

  send.addEventListener('click', () =>
    void act(send, error, async () => {
      const todo = (st.passes?.deliveries ?? []).filter((d) => !d.revoked && d.email && (d.status === 'not_sent' || d.status === 'failed'));
      if (!todo.length) {
        setText(progress, 'events.passes.nothingToSend');
        return;
      }
      const replaced = todo.filter((d) => d.link === 'shown_once').length;
      const text = t('events.passes.sendConfirm', { count: todo.length }) + (replaced ? `\n\n${t('events.passes.sendConfirmReplaced', { count: replaced })}` : '');
      if (!window.confirm(text)) return;
      await start();
    }),
  );
  resendFailed.addEventListener('click', () =>
    void act(resendFailed, error, async () => {
      const ids = failedIds();
      if (ids.length) await start(ids);
    }),
  );

  function render(): void {
    const p = st.passes;
    if (!p) return;
    const c = p.counts;
    setText(summary, 'events.passes.summary', { sent: c.sent, failed: c.failed, queued: c.queued, notSent: c.not_sent });
    const failed = failedIds().length;
    resendFailed.hidden = failed === 0;
    setText(resendFailed, 'events.passes.resendFailed', { count: failed });
    const rows = p.deliveries.filter((d) => !d.revoked);
    if (!rows.length) {
      list.replaceChildren(h('p', { class: 'hint', i18n: 'events.passes.empty' }));
      return;
    }
    const shown = rows.slice(0, SHOWN_ROWS).map((d) => {
      const badge = h('span', { class: `badge ${d.status === 'sent' ? 'delivered' : d.status === 'failed' ? 'failed' : d.status === 'queued' ? 'pending' : ''}`, 'data-status': d.status, i18n: `events.passes.status.${d.status}` });
      const actions = cell('admin.list.actions');
      actions.className = 'actions';
      if (d.email && (d.status === 'sent' || d.status === 'failed')) {
        const again = button('events.passes.resend', 'button secondary small', { 'aria-label': t('events.passes.resendNamed', { name: d.name }), 'data-testid': 'resend-one' });
        again.addEventListener('click', () =>
          void act(again, error, async () => {
            if (d.status === 'sent' && !window.confirm(t('events.passes.resendConfirm', { name: d.name }))) return;
            await start([d.attendee_id]);
          }),
        );
        actions.append(again);
      }
      return h(
        'tr',
        { 'data-attendee-id': d.attendee_id, 'data-testid': 'pass-row', 'data-status': d.status },
        cell('events.passes.attendee', h('span', { class: 'client-name' }, d.name)),
        cell('events.passes.email', d.email ?? '—'),
        cell('events.passes.language', d.language === 'zh-CN' ? '简体中文' : 'English'),
        cell('events.passes.state', badge),
        cell('events.passes.reason', h('span', { class: 'hint', 'data-testid': 'pass-error' }, d.error ?? '')),
        actions,
      );
    });
    const table = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'clients-table ev-table', 'data-testid': 'pass-deliveries' },
        h('thead', {}, h('tr', {}, ...(['events.passes.attendee', 'events.passes.email', 'events.passes.language', 'events.passes.state', 'events.passes.reason', 'admin.list.actions'] as const).map((k) => h('th', { scope: 'col', i18n: k })))),
        h('tbody', {}, ...shown),
      ),
    );
    list.replaceChildren(table);
    if (rows.length > SHOWN_ROWS) list.append(h('p', { class: 'hint', i18n: 'events.passes.more', vars: { count: rows.length - SHOWN_ROWS } }));
  }

  const el = card(
    'ev-passes',
    'events.passes.heading',
    'events.passes.intro',
    h('div', { class: 'ev-head-actions' }, send, resendFailed, exportLinks),
    h('p', { class: 'hint', i18n: 'events.passes.exportHint' }),
    error,
    bar,
    progress,
    failure,
    summary,
    list,
  );
  // Attendees added since the page loaded appear after a redraw of the whole page; a fresh list comes with it.
  const refresh = () => void watch();
  return {
    el,
    render: () => {
      render();
      if (!jobId) refresh();
    },
  };
}
