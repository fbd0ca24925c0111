/**
 * A place's Statistics card: pick a day (today in the place's zone by
 * default); per service the tickets, served, no-shows, cancelled, still
 * waiting, waiting and service time p50/p90; the tickets taken per local hour
 * as a bar chart drawn here in inline SVG (one bar per hour with tickets);
 * and the day's tickets as a CSV download.
 */
import type { QueueStatsView, ServiceStatsView } from '../../../src/flows/queue/stats-schemas.js';
import type { Queue } from '../admin-queues-api.js';
import { api } from '../api.js';
import { t, type MessageKey } from '../i18n.js';
import { alertBox, card, cell, field, h, table } from '../admin-events/dom.js';
import { showQueueErr } from './queue-errors.js';

type Part = { el: HTMLElement; render: () => void };

const enc = encodeURIComponent;
const statsPath = (id: string, day: string) => `/api/v1/queues/${enc(id)}/stats?day=${enc(day)}`;
const csvPath = (id: string, day: string) => `/api/v1/queues/${enc(id)}/tickets.csv?day=${enc(day)}`;

/** Today, YYYY-MM-DD, in `timeZone`. */
const todayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

const duration = (s: number) =>
  s < 60 ? t('queues.seconds', { n: s }) : s % 60 === 0 ? t('queues.stats.wholeMinutes', { m: s / 60 }) : t('queues.stats.minutes', { m: Math.floor(s / 60), s: s % 60 });
const spread = (v: ServiceStatsView['wait_seconds']) => (v ? `${duration(v.p50)} / ${duration(v.p90)}` : '—');

const SVG = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

/** Tickets taken per local hour: 24 slots, a bar for each hour with tickets, its count above it, hours every 3 below. */
function hoursChart(s: ServiceStatsView): SVGSVGElement {
  const W = 24 * 20;
  const top = 16;
  const H = 90;
  const base = top + H;
  const max = Math.max(1, ...s.by_hour);
  const busiest = s.by_hour.indexOf(Math.max(...s.by_hour));
  const label = t('queues.stats.chartLabel', { service: `${s.prefix} · ${s.name}`, hour: `${String(busiest).padStart(2, '0')}:00`, n: s.by_hour[busiest] ?? 0 });
  const chart = svg('svg', { class: 'q-hours', viewBox: `0 0 ${W} ${base + 20}`, role: 'img', 'aria-label': label, 'data-testid': 'hours-chart', 'data-service-id': s.id });
  chart.append(svg('title', {}, label));
  chart.append(svg('line', { class: 'q-hours-axis', x1: 0, y1: base + 0.5, x2: W, y2: base + 0.5 }));
  s.by_hour.forEach((n, hour) => {
    const x = hour * 20;
    if (n > 0) {
      const height = Math.max(2, Math.round((n / max) * H));
      chart.append(
        svg(
          'rect',
          { class: `q-hours-bar${hour === busiest ? ' busiest' : ''}`, x: x + 3, y: base - height, width: 14, height, 'data-hour': hour, 'data-count': n },
          svg('title', {}, t('queues.stats.barTitle', { hour: `${String(hour).padStart(2, '0')}:00`, n })),
        ),
        svg('text', { class: 'q-hours-count', x: x + 10, y: base - height - 3, 'text-anchor': 'middle' }, String(n)),
      );
    }
    if (hour % 3 === 0) chart.append(svg('text', { class: 'q-hours-tick', x: x + 10, y: base + 17, 'text-anchor': 'middle' }, String(hour).padStart(2, '0')));
  });
  return chart;
}

const COLUMNS: MessageKey[] = [
  'queues.service.name',
  'queues.stats.tickets',
  'queues.stats.served',
  'queues.stats.noShows',
  'queues.stats.cancelled',
  'queues.stats.waitingNow',
  'queues.stats.wait',
  'queues.stats.service',
];

export function statsCard(q: Queue): Part {
  const error = alertBox('queue-stats-error');
  const dayInput = h('input', { type: 'date', name: 'stats_day', value: todayIn(q.timezone), required: true, 'data-testid': 'stats-day' });
  const csvLink = h('a', { class: 'button secondary', 'data-testid': 'stats-csv', download: '', i18n: 'queues.stats.csv' });
  const body = h('div', { 'data-testid': 'stats-body' });
  let stats: QueueStatsView | null = null;
  let loading = 0;

  async function load(): Promise<void> {
    const day = dayInput.value || todayIn(q.timezone);
    csvLink.href = csvPath(q.id, day);
    const mine = ++loading;
    try {
      const s = await api<QueueStatsView>('GET', statsPath(q.id, day));
      if (mine !== loading) return; // another day was picked meanwhile
      stats = s;
      error.hidden = true;
    } catch (err) {
      if (mine !== loading) return;
      stats = null;
      showQueueErr(error, err);
    }
    render();
  }

  function render(): void {
    if (!stats) {
      body.replaceChildren(h('p', { class: 'status', role: 'status', i18n: error.hidden ? 'common.loading' : 'queues.stats.unavailable' }));
      return;
    }
    const rows = stats.services.map((s) =>
      h(
        'tr',
        { 'data-service-id': s.id, 'data-testid': 'stats-service' },
        cell('queues.service.name', h('span', { class: 'client-name' }, `${s.prefix} · ${s.name}`)),
        cell('queues.stats.tickets', h('span', { 'data-stat': 'tickets' }, String(s.tickets))),
        cell('queues.stats.served', h('span', { 'data-stat': 'served' }, String(s.served))),
        cell('queues.stats.noShows', h('span', { 'data-stat': 'no_shows' }, String(s.no_shows))),
        cell('queues.stats.cancelled', h('span', { 'data-stat': 'cancelled' }, String(s.cancelled))),
        cell('queues.stats.waitingNow', h('span', { 'data-stat': 'waiting_now' }, String(s.waiting_now))),
        cell('queues.stats.wait', h('span', { 'data-stat': 'wait' }, spread(s.wait_seconds))),
        cell('queues.stats.service', h('span', { 'data-stat': 'service' }, spread(s.service_seconds))),
      ),
    );
    const busy = stats.services.filter((s) => s.tickets > 0);
    body.replaceChildren(
      table('stats', COLUMNS, rows),
      h('p', { class: 'hint', i18n: 'queues.stats.percentiles' }),
      h('h3', { i18n: 'queues.stats.hours', vars: { zone: stats.timezone } }),
      busy.length
        ? h('div', { class: 'q-hours-list' }, ...busy.map((s) => h('figure', { class: 'q-hours-fig' }, h('figcaption', {}, `${s.prefix} · ${s.name}`), hoursChart(s))))
        : h('p', { class: 'hint', 'data-testid': 'stats-empty', i18n: 'queues.stats.empty' }),
    );
  }

  dayInput.addEventListener('change', () => {
    if (dayInput.value) void load();
  });
  const el = card('q-stats', 'queues.stats.heading', 'queues.stats.intro', error, h('div', { class: 'q-stats-head' }, field('queues.stats.day', dayInput), csvLink), body);
  void load();
  return { el, render };
}
