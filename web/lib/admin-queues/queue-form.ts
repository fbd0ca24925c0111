/**
 * The "New place" form: the place's name and time zone, its services (one row
 * each: name, prefix, what joining asks, cap on waiting, near-turn threshold,
 * no-show time) and its counters (name, the services it serves). Checked here
 * first (each failure names the row and focuses the field); what only the
 * server can refuse comes back with its reason.
 */
import { ASKS, canonicalZone, createQueue, PREFIX_RE, SERVICE_NUMBERS, type NewQueue, type NewService, type Queue } from '../admin-queues-api.js';
import { setText, t, type MessageKey, type Vars } from '../i18n.js';
import { alertBox, button, field, h } from '../admin-events/dom.js';
import { actQ } from './queue-errors.js';

/** Zones offered in the select; the browser's own is added when missing. */
export const COMMON_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Africa/Cairo',
  'Africa/Lagos',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/Sao_Paulo',
  'America/Mexico_City',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Toronto',
] as const;
const OTHER = '__other';

export function browserZone(): string {
  try {
    return canonicalZone(Intl.DateTimeFormat().resolvedOptions().timeZone) ?? 'UTC';
  } catch {
    return 'UTC';
  }
}

function offsetOf(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(Date.now()).find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    return '';
  }
}

interface ServiceRow {
  key: string;
  el: HTMLFieldSetElement;
  legend: HTMLLegendElement;
  name: HTMLInputElement;
  prefix: HTMLInputElement;
  ask: HTMLSelectElement;
  maxWaiting: HTMLInputElement;
  nearAhead: HTMLInputElement;
  noShow: HTMLInputElement;
}
interface CounterRow {
  el: HTMLFieldSetElement;
  legend: HTMLLegendElement;
  name: HTMLInputElement;
  serves: HTMLFieldSetElement;
  ticked: Set<string>;
}

let keys = 0;

export function queueForm(onCreated: (q: Queue) => Promise<void>): { el: HTMLFormElement; render: () => void } {
  const name = h('input', { name: 'name', type: 'text', maxlength: '200', autocomplete: 'off', required: true });
  const zone = h('select', { name: 'timezone', 'data-testid': 'queue-timezone' });
  const zoneOther = h('input', { name: 'timezone_other', type: 'text', maxlength: '64', autocomplete: 'off', spellcheck: 'false', class: 'mono', placeholder: 'Europe/Lisbon' });
  const zoneOtherField = field('queues.form.zoneOther', zoneOther, 'queues.form.zoneOtherHint');
  const services: ServiceRow[] = [];
  const counters: CounterRow[] = [];
  const serviceBox = h('div', { class: 'q-rows', 'data-testid': 'service-rows' });
  const counterBox = h('div', { class: 'q-rows', 'data-testid': 'counter-rows' });
  const addService = button('queues.form.addService', 'button secondary small', { 'data-testid': 'add-service' });
  const addCounter = button('queues.form.addCounter', 'button secondary small', { 'data-testid': 'add-counter' });
  const formError = alertBox('queue-form-error');
  const submit = h('button', { type: 'submit', class: 'button', i18n: 'queues.form.submit' });
  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'queue-form', class: 'q-form' },
    h('div', { class: 'ev-row' }, field('queues.form.name', name, 'queues.form.nameHint'), field('queues.form.zone', zone, 'queues.form.zoneHint')),
    zoneOtherField,
    h('fieldset', { class: 'q-group' }, h('legend', { i18n: 'queues.form.services' }), h('p', { class: 'hint', i18n: 'queues.form.servicesHint' }), serviceBox, addService),
    h('fieldset', { class: 'q-group' }, h('legend', { i18n: 'queues.form.counters' }), h('p', { class: 'hint', i18n: 'queues.form.countersHint' }), counterBox, addCounter),
    formError,
    submit,
  );

  // ---- time zone -------------------------------------------------------------------------

  function fillZones(selected: string): void {
    const own = browserZone();
    const zones: string[] = [...COMMON_ZONES];
    if (!zones.includes(own)) zones.unshift(own);
    zone.replaceChildren(
      ...zones.map((z) => {
        const o = h('option', { value: z }, `${z.replace(/_/g, ' ')} (${offsetOf(z)})`);
        if (z === own) setText(o, 'queues.form.zoneOwn', { zone: z.replace(/_/g, ' '), offset: offsetOf(z) });
        return o;
      }),
      h('option', { value: OTHER, i18n: 'queues.form.zoneOtherOption' }),
    );
    zone.value = zones.includes(selected) ? selected : OTHER;
    if (zone.value === OTHER) zoneOther.value = selected;
    zoneOtherField.hidden = zone.value !== OTHER;
  }
  zone.addEventListener('change', () => {
    zoneOtherField.hidden = zone.value !== OTHER;
    if (zone.value === OTHER) zoneOther.focus();
  });

  // ---- rows ------------------------------------------------------------------------------

  const numberInput = (n: keyof typeof SERVICE_NUMBERS) =>
    h('input', { type: 'number', inputmode: 'numeric', min: SERVICE_NUMBERS[n].min, max: SERVICE_NUMBERS[n].max, step: '1', value: SERVICE_NUMBERS[n].default, name: n });

  function nextPrefix(): string {
    const used = new Set(services.map((s) => s.prefix.value.trim().toUpperCase()));
    for (let c = 65; c <= 90; c++) if (!used.has(String.fromCharCode(c))) return String.fromCharCode(c);
    return '';
  }

  function newService(): ServiceRow {
    const key = `s${++keys}`;
    const legend = h('legend', {});
    const sName = h('input', { type: 'text', maxlength: '200', autocomplete: 'off', name: 'service_name' });
    const prefix = h('input', { type: 'text', maxlength: '3', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', class: 'mono q-prefix', name: 'prefix', value: nextPrefix() });
    const ask = h('select', { name: 'ask' }, ...ASKS.map((a) => h('option', { value: a, i18n: `queues.ask.${a}` as MessageKey })));
    const maxWaiting = numberInput('max_waiting');
    const nearAhead = numberInput('near_ahead');
    const noShow = numberInput('no_show_seconds');
    const remove = button('queues.form.removeRow', 'button secondary small q-remove');
    const el = h(
      'fieldset',
      { class: 'q-row', 'data-testid': 'service-row', 'data-key': key },
      legend,
      h('div', { class: 'q-grid' }, field('queues.service.name', sName), field('queues.service.prefix', prefix, 'queues.service.prefixHint'), field('queues.service.ask', ask)),
      h(
        'div',
        { class: 'q-grid' },
        field('queues.service.maxWaiting', maxWaiting),
        field('queues.service.nearAhead', nearAhead, 'queues.service.nearAheadHint'),
        field('queues.service.noShow', noShow, 'queues.service.noShowHint'),
      ),
      remove,
    );
    const row: ServiceRow = { key, el, legend, name: sName, prefix, ask, maxWaiting, nearAhead, noShow };
    prefix.addEventListener('input', () => {
      const up = prefix.value.toUpperCase();
      if (up !== prefix.value) prefix.value = up;
      renderCounterChoices();
    });
    sName.addEventListener('input', () => renderCounterChoices());
    remove.addEventListener('click', () => {
      services.splice(services.indexOf(row), 1);
      for (const c of counters) c.ticked.delete(key);
      renderRows();
      (services.at(-1)?.name ?? addService).focus();
    });
    return row;
  }

  function newCounter(): CounterRow {
    const legend = h('legend', {});
    const cName = h('input', { type: 'text', maxlength: '200', autocomplete: 'off', name: 'counter_name' });
    const serves = h('fieldset', { class: 'q-serves' });
    const remove = button('queues.form.removeRow', 'button secondary small q-remove');
    const el = h('fieldset', { class: 'q-row', 'data-testid': 'counter-row' }, legend, field('queues.counter.name', cName, 'queues.counter.nameHint'), serves, remove);
    // A new counter serves every service until told otherwise.
    const row: CounterRow = { el, legend, name: cName, serves, ticked: new Set(services.map((s) => s.key)) };
    remove.addEventListener('click', () => {
      counters.splice(counters.indexOf(row), 1);
      renderRows();
      (counters.at(-1)?.name ?? addCounter).focus();
    });
    return row;
  }

  function serviceLabel(s: ServiceRow, i: number): string {
    const n = s.name.value.trim() || t('queues.form.serviceN', { n: i + 1 });
    const p = s.prefix.value.trim();
    return p ? `${p} · ${n}` : n;
  }

  function renderCounterChoices(): void {
    for (const c of counters) {
      c.serves.replaceChildren(
        h('legend', { i18n: 'queues.counter.serves' }),
        ...services.map((s, i) => {
          const box = h('input', { type: 'checkbox', value: s.key, checked: c.ticked.has(s.key) });
          box.addEventListener('change', () => {
            if (box.checked) c.ticked.add(s.key);
            else c.ticked.delete(s.key);
            c.serves.removeAttribute('aria-invalid');
          });
          return h('label', { class: 'check' }, box, ' ', h('span', {}, serviceLabel(s, i)));
        }),
      );
    }
  }

  function renderRows(): void {
    services.forEach((s, i) => {
      setText(s.legend, 'queues.form.serviceN', { n: i + 1 });
      s.el.querySelector<HTMLButtonElement>('.q-remove')!.hidden = services.length === 1;
      s.el.querySelector<HTMLButtonElement>('.q-remove')!.setAttribute('aria-label', t('queues.form.removeService', { n: i + 1 }));
    });
    counters.forEach((c, i) => {
      setText(c.legend, 'queues.form.counterN', { n: i + 1 });
      c.el.querySelector<HTMLButtonElement>('.q-remove')!.setAttribute('aria-label', t('queues.form.removeCounter', { n: i + 1 }));
    });
    serviceBox.replaceChildren(...services.map((s) => s.el));
    counterBox.replaceChildren(...counters.map((c) => c.el));
    if (!counters.length) counterBox.append(h('p', { class: 'hint', i18n: 'queues.form.noCounters' }));
    addService.disabled = services.length >= 26;
    renderCounterChoices();
  }

  addService.addEventListener('click', () => {
    const row = newService();
    services.push(row);
    // Counters that serve everything keep doing so.
    for (const c of counters) if (c.ticked.size === services.length - 1) c.ticked.add(row.key);
    renderRows();
    row.name.focus();
  });
  addCounter.addEventListener('click', () => {
    const row = newCounter();
    counters.push(row);
    renderRows();
    row.name.focus();
  });

  function reset(): void {
    name.value = '';
    fillZones(browserZone());
    zoneOther.value = '';
    services.length = 0;
    counters.length = 0;
    services.push(newService());
    counters.push(newCounter());
    renderRows();
  }

  // ---- checks ----------------------------------------------------------------------------

  function refuse(input: HTMLElement, key: MessageKey, vars?: Vars): null {
    setText(formError, key, vars);
    formError.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return null;
  }

  function intOf(input: HTMLInputElement, n: keyof typeof SERVICE_NUMBERS): number | null {
    const raw = input.value.trim();
    if (raw === '') return SERVICE_NUMBERS[n].default;
    const v = Number(raw);
    return Number.isInteger(v) && v >= SERVICE_NUMBERS[n].min && v <= SERVICE_NUMBERS[n].max ? v : null;
  }

  function read(): NewQueue | null {
    for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
    const placeName = name.value.trim();
    if (!placeName) return refuse(name, 'queues.form.nameRequired');
    const zoneInput = zone.value === OTHER ? zoneOther : zone;
    const tz = canonicalZone(zoneInput.value.trim());
    if (!tz) return refuse(zoneInput, 'queues.form.zoneInvalid', { zone: zoneInput.value.trim() });
    const body: NewService[] = [];
    for (const [i, s] of services.entries()) {
      const n = i + 1;
      const sName = s.name.value.trim();
      if (!sName) return refuse(s.name, 'queues.form.serviceNameRequired', { n });
      const prefix = s.prefix.value.trim().toUpperCase();
      if (!PREFIX_RE.test(prefix)) return refuse(s.prefix, 'queues.form.prefixInvalid', { n });
      const maxWaiting = intOf(s.maxWaiting, 'max_waiting');
      if (maxWaiting === null) return refuse(s.maxWaiting, 'queues.form.numberInvalid', { n, min: 1, max: SERVICE_NUMBERS.max_waiting.max });
      const nearAhead = intOf(s.nearAhead, 'near_ahead');
      if (nearAhead === null) return refuse(s.nearAhead, 'queues.form.numberInvalid', { n, min: 0, max: SERVICE_NUMBERS.near_ahead.max });
      const noShow = intOf(s.noShow, 'no_show_seconds');
      if (noShow === null) return refuse(s.noShow, 'queues.form.numberInvalid', { n, min: SERVICE_NUMBERS.no_show_seconds.min, max: SERVICE_NUMBERS.no_show_seconds.max });
      body.push({ name: sName, prefix, ask: s.ask.value as NewService['ask'], max_waiting: maxWaiting, near_ahead: nearAhead, no_show_seconds: noShow });
    }
    const byKey = new Map(services.map((s) => [s.key, s.prefix.value.trim().toUpperCase()]));
    const out: NewQueue['counters'] = [];
    for (const [i, c] of counters.entries()) {
      const cName = c.name.value.trim();
      if (!cName) return refuse(c.name, 'queues.form.counterNameRequired', { n: i + 1 });
      const prefixes = services.filter((s) => c.ticked.has(s.key)).map((s) => byKey.get(s.key)!);
      if (!prefixes.length) {
        refuse(c.serves, 'queues.form.counterServesRequired', { n: i + 1 });
        c.serves.querySelector<HTMLInputElement>('input')?.focus();
        return null;
      }
      out.push({ name: cName, services: prefixes });
    }
    // Unique prefixes are the server's rule: it answers with its reason.
    return { name: placeName, timezone: tz, services: body, counters: out };
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void actQ(submit, formError, async () => {
      const body = read();
      if (!body) return;
      form.setAttribute('aria-busy', 'true');
      try {
        const created = await createQueue(body);
        reset();
        await onCreated(created);
      } finally {
        form.removeAttribute('aria-busy');
      }
    });
  });
  for (const input of [name, zoneOther]) input.addEventListener('input', () => input.removeAttribute('aria-invalid'));

  reset();
  return {
    el: form,
    render: () => {
      // A language switch: re-label what was built from data, keeping what was typed and ticked.
      const keepZone = zone.value;
      fillZones(keepZone === OTHER ? zoneOther.value : keepZone);
      if (keepZone === OTHER) zone.value = OTHER;
      renderRows();
    },
  };
}
