/** The event page's attendees: search, add by hand, registration per session, revoke, and a new pass link. */
import { addAttendee, listAttendees, newPassLink, revokeAttendee, setRegistered } from '../admin-events-api.js';
import { setText, t } from '../i18n.js';
import { copyRow } from './copy-row.js';
import { alertBox, button, card, cell, field, h, table } from './dom.js';
import { act } from './event-errors.js';
import type { EventState, Part } from './event-state.js';
import { requiredName } from './form-checks.js';
import { view } from './view-state.js';

export function attendeesCard(st: EventState): Part {
  const list = h('div', {});
  const count = h('span', { class: 'hint' });
  const listError = alertBox('attendees-error');
  const formError = alertBox('attendee-form-error');
  const linkBox = h('div', { class: 'created', 'data-testid': 'pass-link', hidden: true, tabindex: '-1' });
  const search = h('input', { type: 'search', autocomplete: 'off', 'data-testid': 'attendee-search' });
  const name = h('input', { name: 'name', type: 'text', maxlength: '200', autocomplete: 'off' });
  const email = h('input', { name: 'email', type: 'email', maxlength: '254', autocomplete: 'off' });
  const language = h('select', { name: 'language', 'data-testid': 'attendee-language' }, h('option', { value: 'en', i18n: 'events.attendees.languageEn' }), h('option', { value: 'zh-CN', i18n: 'events.attendees.languageZh' }));
  const sessionsBox = h('fieldset', { class: 'field scopes-field' });
  const submit = h('button', { type: 'submit', class: 'button', i18n: 'events.attendees.submit' });
  const form = h(
    'form',
    { novalidate: true, 'data-testid': 'attendee-form' },
    h('h3', { i18n: 'events.attendees.add' }),
    h('div', { class: 'ev-row' }, field('events.attendees.name', name), field('events.attendees.email', email, 'events.attendees.emailHint'), field('events.attendees.language', language)),
    sessionsBox,
    formError,
    submit,
  );

  const showLink = (who: string, url: string) => {
    const done = button('admin.created.done', 'button secondary');
    done.addEventListener('click', () => {
      linkBox.hidden = true;
      linkBox.replaceChildren();
    });
    linkBox.replaceChildren(
      h('h3', { i18n: 'events.attendees.linkHeading', vars: { name: who } }),
      copyRow('events.attendees.link', url, 'pass-link-url'),
      h('p', { class: 'secret-warning', role: 'note', i18n: 'events.attendees.linkWarning' }),
      done,
    );
    linkBox.hidden = false;
    linkBox.focus();
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(submit, formError, async () => {
      const attendeeName = requiredName(name, formError, 'events.attendees.nameRequired');
      if (attendeeName === null) return;
      const ids = [...sessionsBox.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
      const created = await addAttendee(st.event.id, { name: attendeeName, ...(email.value.trim() ? { email: email.value.trim() } : {}), session_ids: ids, language: language.value === 'zh-CN' ? 'zh-CN' : 'en' });
      name.value = '';
      email.value = '';
      st.attendees = await listAttendees(st.event.id);
      // The whole page: the passes card lists the new attendee too.
      if (view.rerender) view.rerender();
      else render();
      showLink(created.name, created.link_url);
    });
  });
  search.addEventListener('input', () => renderRows());

  const perSession = () => st.sessions.filter((s) => !s.all_attendees);

  function renderRows(): void {
    const q = search.value.trim().toLowerCase();
    const found = st.attendees.filter((a) => !q || a.name.toLowerCase().includes(q) || (a.email ?? '').toLowerCase().includes(q));
    setText(count, q ? 'events.attendees.countFound' : 'events.attendees.count', { count: st.attendees.length, found: found.length });
    if (!st.attendees.length) {
      list.replaceChildren(h('p', { class: 'hint', i18n: 'events.attendees.empty' }));
      return;
    }
    if (!found.length) {
      list.replaceChildren(h('p', { class: 'hint', i18n: 'events.attendees.noMatch' }));
      return;
    }
    const shown = found.slice(0, 300);
    const rows = shown.map((a) => {
      const regs = h('ul', { class: 'chips ev-regs' });
      for (const s of perSession()) {
        const box = h('input', { type: 'checkbox', 'data-session-id': s.id, checked: a.sessions.includes(s.id), disabled: a.revoked });
        box.addEventListener('change', () =>
          void act(null, listError, async () => {
            try {
              await setRegistered(s.id, a.id, box.checked);
              a.sessions = box.checked ? [...a.sessions, s.id] : a.sessions.filter((x) => x !== s.id);
            } catch (err) {
              box.checked = !box.checked;
              throw err;
            }
          }),
        );
        regs.append(h('li', {}, h('label', { class: 'check' }, box, ' ', s.name)));
      }
      const everyone = st.sessions.filter((s) => s.all_attendees);
      if (everyone.length) regs.append(h('li', { class: 'hint' }, h('span', { i18n: 'events.attendees.plusOpen', vars: { count: everyone.length } })));
      const actions = cell('admin.list.actions');
      actions.className = 'actions';
      if (a.revoked) {
        actions.append(h('span', { class: 'badge revoked', i18n: 'events.revoked' }));
      } else {
        const link = button('events.attendees.newLink', 'button secondary small', { 'aria-label': t('events.attendees.newLinkNamed', { name: a.name }) });
        link.addEventListener('click', () =>
          void act(link, listError, async () => {
            // Warn only when there is a link to lose: say so when it was e-mailed.
            const pass = st.passes?.deliveries.find((d) => d.attendee_id === a.id);
            const hasLink = !pass || pass.link !== 'none';
            if (hasLink && !window.confirm(t(pass?.status === 'sent' ? 'events.attendees.newLinkConfirmMailed' : 'events.attendees.newLinkConfirm', { name: a.name }))) return;
            const out = await newPassLink(a.id);
            if (pass) pass.link = 'kept';
            showLink(a.name, out.link_url);
          }),
        );
        const revoke = button('events.revoke', 'button danger small', { 'aria-label': t('events.revokeNamed', { name: a.name }) });
        revoke.addEventListener('click', () =>
          void act(revoke, listError, async () => {
            if (!window.confirm(t('events.attendees.revokeConfirm', { name: a.name }))) return;
            await revokeAttendee(a.id);
            a.revoked = true;
            renderRows();
          }),
        );
        actions.append(link, revoke);
      }
      return h(
        'tr',
        { 'data-attendee-id': a.id, 'data-testid': 'attendee-row' },
        cell('events.attendees.name', h('span', { class: 'client-name' }, a.name)),
        cell('events.attendees.email', a.email ?? '—'),
        cell('events.attendees.sessions', regs),
        actions,
      );
    });
    list.replaceChildren(table('attendees', ['events.attendees.name', 'events.attendees.email', 'events.attendees.sessions', 'admin.list.actions'], rows));
    if (found.length > shown.length) list.append(h('p', { class: 'hint', i18n: 'events.attendees.more', vars: { count: found.length - shown.length } }));
  }

  function render(): void {
    const ps = perSession();
    sessionsBox.replaceChildren(
      h('legend', { i18n: 'events.attendees.registerFor' }),
      ...(ps.length ? ps.map((s) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: s.id }), ' ', s.name)) : [h('p', { class: 'hint', i18n: 'events.attendees.noSessions' })]),
    );
    renderRows();
  }

  const el = card(
    'ev-attendees',
    'events.attendees.heading',
    'events.attendees.intro',
    h('div', { class: 'list-head' }, h('div', { class: 'field ev-search' }, h('label', { for: 'attendee-search', i18n: 'events.attendees.search' }), Object.assign(search, { id: 'attendee-search' })), count),
    listError,
    linkBox,
    list,
    form,
  );
  return { el, render };
}
