/**
 * `#queue=<id>`: one place. Its services (each opened or closed for new
 * tickets), its counters, its staff (assigned or removed by email), links to
 * its display board and counter console, and the entrance QR as it is now
 * (fetched again when the code rotates), with a print view for a poster;
 * its display boards and kiosks, and its static printed poster (devices-card.ts).
 */
import { listUsers } from '../admin-events-api.js';
import { fetchPosterCode, boardUrl, counterUrl, getEntranceCode, getQueue, getQueueStaff, setQueueStaff, setServiceOpen, type Entrance, type Queue, type StaffList } from '../admin-queues-api.js';
import type { User } from '../api.js';
import { getLocale, setText, t, type MessageKey } from '../i18n.js';
import { copyRow } from '../admin-events/copy-row.js';
import { qrCanvas } from '../admin-events/qr-canvas.js';
import { alertBox, button, card, cell, field, h, table } from '../admin-events/dom.js';
import { view } from '../admin-events/view-state.js';
import { devicesCard, posterCard } from './devices-card.js';
import { actQ, showQueueErr } from './queue-errors.js';
import { statsCard } from './stats-card.js';

type Part = { el: HTMLElement; render: () => void };

const clock = (ms: number) => new Intl.DateTimeFormat(getLocale(), { timeStyle: 'medium' }).format(ms);

function servicesCard(q: Queue): Part {
  const error = alertBox('services-error');
  const list = h('div', {});
  const render = () => {
    const rows = q.services.map((s) => {
      const toggle = button(s.open ? 'queues.services.close' : 'queues.services.reopen', 'button secondary small', {
        'aria-label': t(s.open ? 'queues.services.closeNamed' : 'queues.services.reopenNamed', { name: s.name }),
      });
      toggle.addEventListener('click', () =>
        void actQ(toggle, error, async () => {
          Object.assign(s, await setServiceOpen(q.id, s.id, !s.open));
          render();
          list.querySelector<HTMLButtonElement>(`tr[data-service-id="${CSS.escape(s.id)}"] button`)?.focus();
        }),
      );
      const status = h('span', { class: `badge ${s.open ? 'open' : 'closed'}`, 'data-status': s.open ? 'open' : 'closed', i18n: s.open ? 'queues.services.open' : 'queues.services.closed' });
      const actions = cell('admin.list.actions', toggle);
      actions.className = 'actions';
      return h(
        'tr',
        { 'data-service-id': s.id, 'data-testid': 'service' },
        cell('queues.service.name', h('span', { class: 'client-name' }, s.name)),
        cell('queues.service.prefix', h('code', { class: 'mono' }, s.prefix)),
        cell('queues.service.ask', h('span', { i18n: `queues.ask.${s.ask}` as MessageKey })),
        cell('queues.service.maxWaiting', String(s.max_waiting)),
        cell('queues.service.nearAhead', String(s.near_ahead)),
        cell('queues.service.noShow', t('queues.seconds', { n: s.no_show_seconds })),
        cell('queues.services.status', status),
        actions,
      );
    });
    list.replaceChildren(
      table(
        'services',
        ['queues.service.name', 'queues.service.prefix', 'queues.service.ask', 'queues.service.maxWaiting', 'queues.service.nearAhead', 'queues.service.noShow', 'queues.services.status', 'admin.list.actions'],
        rows,
      ),
    );
  };
  return { el: card('q-services', 'queues.services.heading', 'queues.services.intro', error, list), render };
}

function countersCard(q: Queue): Part {
  const list = h('div', {});
  const render = () => {
    if (!q.counters.length) {
      list.replaceChildren(h('p', { class: 'hint', i18n: 'queues.counters.empty' }));
      return;
    }
    const rows = q.counters.map((c) =>
      h(
        'tr',
        { 'data-counter-id': c.id, 'data-testid': 'counter' },
        cell('queues.counter.name', h('span', { class: 'client-name' }, c.name)),
        cell(
          'queues.counter.serves',
          h('ul', { class: 'chips' }, ...c.service_ids.map((id) => q.services.find((s) => s.id === id)).filter((s) => s !== undefined).map((s) => h('li', { class: 'chip' }, `${s.prefix} · ${s.name}`))),
        ),
      ),
    );
    list.replaceChildren(table('counters', ['queues.counter.name', 'queues.counter.serves'], rows));
  };
  return { el: card('q-counters', 'queues.counters.heading', 'queues.counters.intro', list), render };
}

/** The place's staff as the server lists them, with what was assigned or removed here in this visit. */
function staffCard(q: Queue, users: User[], staffIds: string[]): Part {
  const error = alertBox('queue-staff-error');
  const datalist = h('datalist', { id: 'queue-staff-users' });
  const email = h('input', { type: 'email', list: 'queue-staff-users', autocomplete: 'off', 'data-testid': 'queue-staff-email' });
  const add = h('button', { type: 'submit', class: 'button secondary', i18n: 'queues.staff.assign' });
  const form = h('form', { class: 'ev-inline', novalidate: true, 'data-testid': 'queue-staff-form' }, field('queues.staff.email', email, 'queues.staff.emailHint'), add);
  const changed = new Map<string, { user: User; staff: boolean }>();
  for (const id of staffIds) {
    const user = users.find((u) => u.id === id);
    if (user) changed.set(id, { user, staff: true });
  }
  const none = h('p', { class: 'hint', i18n: 'queues.staff.none', 'data-testid': 'queue-staff-none' });
  const list = h('ul', { class: 'ev-staff', 'data-testid': 'queue-staff-list' });

  const find = (): User | null => {
    const wanted = email.value.trim().toLowerCase();
    const user = users.find((u) => u.email.toLowerCase() === wanted);
    if (user) return user;
    setText(error, 'queues.staff.unknownEmail', { email: email.value.trim() });
    error.hidden = false;
    email.focus();
    return null;
  };

  async function change(user: User, on: boolean): Promise<void> {
    await setQueueStaff(q.id, user.id, on);
    changed.set(user.id, { user, staff: on });
    render();
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void actQ(add, error, async () => {
      const user = find();
      if (!user) return;
      await change(user, true);
      email.value = '';
    });
  });

  function render(): void {
    datalist.replaceChildren(...users.filter((u) => u.role !== 'member' && !u.disabled).map((u) => h('option', { value: u.email }, `${u.name} (${t(`role.${u.role}` as MessageKey)})`)));
    list.replaceChildren();
    for (const { user, staff } of changed.values()) {
      const li = h('li', { 'data-user-id': user.id, 'data-staff': String(staff) }, h('span', {}, h('strong', {}, user.name), ' ', h('span', { class: 'hint' }, user.email)));
      if (staff) {
        const remove = button('admin.remove', 'button danger small', { 'aria-label': t('queues.staff.removeNamed', { name: user.name }) });
        remove.addEventListener('click', () => void actQ(remove, error, () => change(user, false)));
        li.append(remove);
      } else {
        li.append(h('span', { class: 'badge revoked', i18n: 'queues.staff.removed' }));
      }
      list.append(li);
    }
    list.hidden = changed.size === 0;
    none.hidden = changed.size > 0;
  }
  return { el: card('q-staff', 'queues.staff.heading', 'queues.staff.intro', datalist, error, none, list, form), render };
}

/** The entrance QR now, fetched again when it rotates while this card is on screen; and its poster. */
function entranceCard(q: Queue): Part & { start: () => void } {
  const error = alertBox('entrance-error');
  const box = h('div', { class: 'q-entrance' });
  const poster = h('dialog', { class: 'q-poster', 'data-testid': 'queue-poster', 'aria-labelledby': 'q-poster-h' });
  const printBtn = button('queues.entrance.poster', 'button secondary', { 'data-testid': 'open-poster' });
  let current: Entrance | null = null;
  /** While the place has the printed poster on, the dialog prints its static code, not the rotating one. */
  let staticUrl: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const qr = (url: string, testid: string, width: number) => qrCanvas(url, { testid, label: t('queues.entrance.qrLabel', { name: q.name }), width, className: 'ev-qr q-qr' });

  function render(): void {
    if (!current) {
      box.replaceChildren(h('p', { class: 'status', role: 'status', i18n: 'common.loading' }));
      return;
    }
    box.replaceChildren(
      qr(current.url, 'entrance-qr', 480),
      copyRow('queues.entrance.url', current.url, 'entrance-url'),
      h('p', { class: 'hint', 'data-testid': 'entrance-expires', i18n: 'queues.entrance.rotates', vars: { time: clock(current.rotates_at), expires: clock(current.expires_at) } }),
    );
    if (poster.open) renderPoster();
  }

  function renderPoster(): void {
    if (!current) return;
    const url = staticUrl ?? current.url;
    const printIt = button('queues.poster.print', 'button');
    printIt.addEventListener('click', () => window.print());
    const close = button('queues.poster.close', 'button secondary');
    close.addEventListener('click', () => poster.close());
    poster.replaceChildren(
      h(
        'div',
        { class: 'q-poster-sheet' },
        h('h2', { id: 'q-poster-h' }, q.name),
        h('p', { class: 'q-poster-lead', i18n: 'queues.poster.scan' }),
        qr(url, 'poster-qr', 720),
        h('p', { class: 'mono q-poster-url' }, url),
        h('p', { class: 'hint', i18n: 'queues.poster.steps' }),
      ),
      h('p', { class: 'secret-warning q-poster-note', role: 'note', i18n: staticUrl ? 'queues.staticPoster.cost' : 'queues.poster.rotates' }),
      h('div', { class: 'ev-actions q-poster-actions' }, printIt, close),
    );
  }

  async function refresh(): Promise<void> {
    clearTimeout(timer);
    if (!box.isConnected) return; // another view is shown: stop
    try {
      current = await getEntranceCode(q.id);
      error.hidden = true;
      render();
      // Fetch again when the next code replaces this one (and no sooner than in 5 s).
      timer = setTimeout(() => void refresh(), Math.max(5000, current.rotates_at - Date.now() + 500));
    } catch (err) {
      showQueueErr(error, err);
      timer = setTimeout(() => void refresh(), 15_000);
    }
  }

  printBtn.addEventListener('click', () =>
    void actQ(printBtn, error, async () => {
      staticUrl = q.poster_enabled ? (await fetchPosterCode(q.id)).url : null;
      renderPoster();
      // Directly in <body> while open, so that printing can leave out everything else.
      document.body.append(poster);
      poster.showModal();
    }),
  );
  poster.addEventListener('close', () => {
    poster.remove();
    if (printBtn.isConnected) printBtn.focus();
  });
  const el = card('q-entrance', 'queues.entrance.heading', 'queues.entrance.intro', error, box, h('div', { class: 'ev-actions' }, printBtn));
  return { el, render, start: () => void refresh() };
}

export async function queueView(root: HTMLElement, id: string): Promise<void> {
  const loadError = alertBox('queue-error');
  root.replaceChildren(h('p', { class: 'status', role: 'status', i18n: 'common.loading' }), loadError);
  let q: Queue;
  let users: User[];
  let staff: StaffList;
  try {
    [q, users, staff] = await Promise.all([getQueue(id), listUsers(), getQueueStaff(id)]);
  } catch (err) {
    root.replaceChildren(h('p', {}, h('a', { href: '#queues', i18n: 'queues.back' })), loadError);
    showQueueErr(loadError, err);
    return;
  }
  const entrance = entranceCard(q);
  const devices = devicesCard(q);
  const staticPoster = posterCard(q);
  const parts: Part[] = [servicesCard(q), countersCard(q), staffCard(q, users, staff.staff.map((m) => m.id)), entrance, devices, staticPoster, statsCard(q)];
  const links = h(
    'div',
    { class: 'ev-head-actions' },
    h('a', { class: 'button secondary', href: boardUrl(q.id), target: '_blank', rel: 'noopener', 'data-testid': 'board-link', i18n: 'queues.board' }),
    h('a', { class: 'button secondary', href: counterUrl(q.id), target: '_blank', rel: 'noopener', 'data-testid': 'counter-link', i18n: 'queues.counterConsole' }),
  );
  root.replaceChildren(
    h('p', { class: 'ev-back' }, h('a', { href: '#queues', i18n: 'queues.back' })),
    h('h1', { tabindex: '-1', 'data-testid': 'queue-name' }, q.name),
    h('p', { class: 'lead', i18n: 'queues.zoneLead', vars: { zone: q.timezone } }),
    links,
    ...parts.map((p) => p.el),
  );
  view.rerender = () => {
    for (const p of parts) p.render();
  };
  view.rerender();
  entrance.start();
  devices.start();
  staticPoster.start();
}
