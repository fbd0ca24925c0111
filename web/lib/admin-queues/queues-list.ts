/** `#queues`: the list of places (queues) and the "New place" form. */
import { listQueues, type Queue } from '../admin-queues-api.js';
import { setText } from '../i18n.js';
import { alertBox, cell, h, heading, table } from '../admin-events/dom.js';
import { view } from '../admin-events/view-state.js';
import { actQ } from './queue-errors.js';
import { queueForm } from './queue-form.js';

export const queueHref = (id: string) => `#queue=${encodeURIComponent(id)}`;

export async function queuesView(root: HTMLElement): Promise<void> {
  const listBox = h('div', {});
  const listError = alertBox('queues-error');
  const notice = h('p', { class: 'notice', role: 'status', 'data-testid': 'queue-created', hidden: true, tabindex: '-1' });
  let queues: Queue[] = [];

  const form = queueForm(async (created) => {
    notice.replaceChildren();
    setText(notice, 'queues.created', { name: created.name });
    notice.append(' ', h('a', { href: queueHref(created.id), i18n: 'queues.open' }));
    notice.hidden = false;
    await refresh();
    notice.focus();
  });

  root.replaceChildren(
    heading('queues.heading'),
    h('p', { class: 'lead', i18n: 'queues.intro' }),
    h('section', { class: 'card', 'aria-labelledby': 'q-create-h' }, h('h2', { id: 'q-create-h', i18n: 'queues.form.heading' }), notice, form.el),
    h('section', { class: 'card', 'aria-labelledby': 'q-list-h' }, h('h2', { id: 'q-list-h', i18n: 'queues.list.heading' }), listError, listBox),
  );

  const renderList = () => {
    if (!queues.length) {
      listBox.replaceChildren(h('p', { class: 'hint', i18n: 'queues.list.empty' }));
      return;
    }
    const rows = queues.map((q) =>
      h(
        'tr',
        { 'data-queue-id': q.id, 'data-testid': 'queue-row' },
        cell('queues.list.name', h('a', { href: queueHref(q.id), class: 'client-name' }, q.name)),
        cell('queues.list.zone', q.timezone),
        cell('queues.list.services', h('ul', { class: 'chips' }, ...q.services.map((s) => h('li', { class: `chip${s.open ? '' : ' q-closed'}` }, `${s.prefix} · ${s.name}`)))),
        cell('queues.list.counters', String(q.counters.length)),
      ),
    );
    listBox.replaceChildren(table('queues', ['queues.list.name', 'queues.list.zone', 'queues.list.services', 'queues.list.counters'], rows));
  };

  async function refresh(): Promise<void> {
    await actQ(null, listError, async () => {
      queues = (await listQueues()).sort((a, b) => a.name.localeCompare(b.name));
      renderList();
    });
  }

  view.rerender = () => {
    form.render();
    renderList();
  };
  await refresh();
}
