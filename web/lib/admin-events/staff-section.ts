/** The event page's staff: who may scan at each session. */
import { listStaff, setStaff } from '../admin-events-api.js';
import { setText, t, type MessageKey } from '../i18n.js';
import { alertBox, button, card, field, h } from './dom.js';
import { act } from './event-errors.js';
import type { EventState, Part } from './event-state.js';

export function staffCard(st: EventState): Part {
  const body = h('div', {});
  const error = alertBox('staff-error');
  const datalist = h('datalist', { id: 'staff-users' });
  const render = () => {
    datalist.replaceChildren(...st.users.filter((u) => u.role !== 'member' && !u.disabled).map((u) => h('option', { value: u.email }, `${u.name} (${t(`role.${u.role}` as MessageKey)})`)));
    if (!st.sessions.length) {
      body.replaceChildren(h('p', { class: 'hint', i18n: 'events.sessions.empty' }));
      return;
    }
    body.replaceChildren(
      ...st.sessions.map((s) => {
        const staff = st.staff.get(s.id) ?? [];
        const list = h('ul', { class: 'ev-staff', 'data-testid': 'staff-list' });
        for (const m of staff) {
          const remove = button('admin.remove', 'button danger small', { 'aria-label': t('events.staff.removeNamed', { name: m.name, session: s.name }) });
          remove.addEventListener('click', () =>
            void act(remove, error, async () => {
              await setStaff(s.id, m.id, false);
              st.staff.set(s.id, await listStaff(s.id));
              render();
            }),
          );
          list.append(h('li', { 'data-user-id': m.id }, h('span', {}, h('strong', {}, m.name), ' ', h('span', { class: 'hint' }, m.email)), remove));
        }
        if (!staff.length) list.append(h('li', { class: 'hint', i18n: 'events.staff.none' }));
        const input = h('input', { type: 'email', list: 'staff-users', autocomplete: 'off', 'data-testid': 'staff-email' });
        const add = h('button', { type: 'submit', class: 'button secondary', i18n: 'events.staff.assign' });
        const form = h('form', { class: 'ev-inline', novalidate: true }, field('events.staff.email', input, 'events.staff.emailHint'), add);
        form.addEventListener('submit', (ev) => {
          ev.preventDefault();
          void act(add, error, async () => {
            const wanted = input.value.trim().toLowerCase();
            const user = st.users.find((u) => u.email.toLowerCase() === wanted);
            if (!user) {
              setText(error, 'events.staff.unknownEmail', { email: input.value.trim() });
              error.hidden = false;
              return;
            }
            if (user.role === 'member') {
              setText(error, 'events.staff.notStaff', { email: user.email });
              error.hidden = false;
              return;
            }
            await setStaff(s.id, user.id, true);
            st.staff.set(s.id, await listStaff(s.id));
            render();
          });
        });
        return h('div', { class: 'ev-staff-session', 'data-session-id': s.id }, h('h3', {}, s.name), list, form);
      }),
    );
  };
  return { el: card('ev-staff', 'events.staff.heading', 'events.staff.intro', datalist, error, body), render };
}
