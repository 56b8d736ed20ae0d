import { $, el, setText } from './dom.js';
import { commandLine, dateTime, time } from './format.js';
import { frameScheduler } from './frame.js';

const PAGE = 200;

/**
 * The tasks table: newest first, filtered by state, at most {@code shown} rows in the DOM (rows are reused by id),
 * redrawn at most once per frame however many events arrive.
 */
export class TasksTable {
  constructor(store) {
    this.store = store;
    this.body = $('tasks-body');
    this.filter = $('state-filter');
    this.more = $('show-more');
    this.rows = new Map();
    this.shown = PAGE;
    this.schedule = frameScheduler(() => this.draw());
    store.subscribe(() => this.schedule());
    this.filter.addEventListener('change', () => {
      this.shown = PAGE;
      this.schedule();
    });
    this.more.addEventListener('click', () => {
      this.shown += PAGE;
      this.schedule();
    });
    this.body.addEventListener('click', (event) => {
      const row = event.target.closest('tr[data-task-id]');
      if (row && !event.target.closest('a')) location.hash = `#/tasks/${encodeURIComponent(row.dataset.taskId)}`;
    });
  }

  draw() {
    const state = this.filter.value;
    const visible = [];
    let matching = 0;
    for (const id of this.store.newestFirst()) {
      const task = this.store.get(id);
      if (state && task.state !== state) continue;
      matching++;
      if (visible.length < this.shown) visible.push(task);
    }
    const keep = new Set(visible.map((task) => task.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        this.rows.delete(id);
        row.remove();
      }
    }
    const rows = visible.map((task) => this.row(task));
    // Reorder only when needed: replaceChildren of 200 rows is cheap, but not free on every event.
    const current = this.body.children;
    let inOrder = current.length === rows.length;
    for (let i = 0; inOrder && i < rows.length; i++) inOrder = current[i] === rows[i];
    if (!inOrder) this.body.replaceChildren(...rows);

    setText($('tasks-count'), state ? `${matching} ${state} of ${this.store.size}` : `${this.store.size}`);
    $('tasks-empty').hidden = matching > 0;
    this.more.hidden = matching <= visible.length;
    if (!this.more.hidden) this.more.textContent = `Show more (${matching - visible.length} more)`;
  }

  row(task) {
    let row = this.rows.get(task.id);
    if (!row) {
      const link = el('a', { href: `#/tasks/${encodeURIComponent(task.id)}`, text: task.id });
      row = el('tr', { 'data-task-id': task.id },
        el('td', { 'data-field': 'id', className: 'mono' }, link),
        el('td', { 'data-field': 'state' }, el('span', { className: 'state' })),
        el('td', { 'data-field': 'command', className: 'mono wide command' }),
        el('td', { 'data-field': 'worker' }),
        el('td', { 'data-field': 'attempt', className: 'opt num' }),
        el('td', { 'data-field': 'submittedAt', className: 'opt' }),
        el('td', { 'data-field': 'finishedAt', className: 'opt' }));
      this.rows.set(task.id, row);
    }
    const cells = row.children;
    const badge = cells[1].firstChild;
    if (row.dataset.state !== task.state) {
      row.dataset.state = task.state;
      badge.dataset.state = task.state;
      badge.textContent = task.state.replace('_', ' ');
    }
    setText(cells[2], commandLine(task.command));
    cells[2].title = commandLine(task.command);
    setText(cells[3], task.worker);
    setText(cells[4], task.attempt);
    setText(cells[5], time(task.submittedAt));
    cells[5].title = dateTime(task.submittedAt);
    setText(cells[6], time(task.finishedAt));
    cells[6].title = dateTime(task.finishedAt);
    return row;
  }
}
