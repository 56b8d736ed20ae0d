import { api } from './api.js';
import { $, el, setText, showError } from './dom.js';
import { commandLine, dateTime, isTerminal } from './format.js';

/**
 * One task's page (#/tasks/<id>): GET /tasks/{id} for everything, output included, fetched again whenever the
 * stream says the task changed, so a running task's page follows it to its end.
 */
export class TaskDetail {
  constructor(store) {
    this.store = store;
    this.id = null;
    this.loading = null;
    this.again = false;
    store.subscribe((ids) => {
      if (this.id && (ids.length === 0 || ids.includes(this.id))) this.refresh();
    });
    $('cancel-button').addEventListener('click', () => this.cancel());
  }

  open(id) {
    if (this.id !== id) {
      this.id = id;
      this.clear();
    }
    $('task-detail').hidden = false;
    this.refresh();
  }

  close() {
    this.id = null;
    $('task-detail').hidden = true;
  }

  /** One request at a time; changes that arrive meanwhile ask for one more. */
  async refresh() {
    if (this.loading) {
      this.again = true;
      return;
    }
    const id = this.id;
    this.loading = api.task(id).then((task) => {
      if (this.id !== id) return;
      showError($('task-error'), '');
      this.show(task);
      const known = this.store.get(id);
      if (!known || known.state !== task.state) this.store.merge(task);
    }).catch((error) => {
      if (this.id === id) showError($('task-error'), error.detail);
    }).finally(() => {
      this.loading = null;
      if (this.again) {
        this.again = false;
        if (this.id) this.refresh();
      }
    });
  }

  clear() {
    setText($('task-id'), this.id);
    for (const field of ['task-state', 'task-worker', 'task-attempt', 'task-exit-code', 'task-submitted',
      'task-started', 'task-finished', 'task-submitted-by', 'task-command', 'task-message', 'task-output']) {
      $(field).textContent = '';
    }
    $('task-state').removeAttribute('data-state');
    $('task-attempts').tBodies[0].replaceChildren();
    $('cancel-button').hidden = true;
    showError($('task-error'), '');
  }

  show(task) {
    setText($('task-id'), task.id);
    const state = $('task-state');
    state.dataset.state = task.state;
    state.textContent = task.state.replace('_', ' ');
    setText($('task-worker'), task.worker);
    setText($('task-attempt'), task.attempt);
    setText($('task-exit-code'), task.exitCode);
    setText($('task-submitted'), dateTime(task.submittedAt));
    setText($('task-started'), dateTime(task.startedAt));
    setText($('task-finished'), dateTime(task.finishedAt));
    setText($('task-submitted-by'), task.submittedBy);
    $('task-command').textContent = commandLine(task.command);
    $('task-message').textContent = task.message || '';
    const output = $('task-output');
    output.textContent = task.output ?? (isTerminal(task.state) ? '' : 'The output is shown when the task ends.');
    output.dataset.complete = String(isTerminal(task.state));
    if (task.outputTruncated) output.append(el('span', { className: 'muted', text: '\n… (truncated)' }));
    $('cancel-button').hidden = isTerminal(task.state);
    const rows = (task.attempts || []).map((a) => el('tr', { 'data-attempt': String(a.attempt) },
      el('td', { className: 'num', text: String(a.attempt) }),
      el('td', {}, el('span', { className: 'state', 'data-state': a.state, text: a.state.replace('_', ' ') })),
      el('td', { text: a.worker || '–' }),
      el('td', { className: 'num', text: a.exitCode ?? '–' }),
      el('td', { className: 'opt', text: dateTime(a.startedAt) || '–' }),
      el('td', { className: 'opt', text: dateTime(a.finishedAt) || '–' }),
      el('td', { className: 'wide', text: a.message || '' })));
    $('task-attempts').tBodies[0].replaceChildren(...rows);
  }

  async cancel() {
    const id = this.id;
    const button = $('cancel-button');
    button.disabled = true;
    try {
      const task = await api.cancel(id);
      showError($('task-error'), '');
      if (task) this.store.merge(task);
      this.refresh();
    } catch (error) {
      showError($('task-error'), error.detail);
    } finally {
      button.disabled = false;
    }
  }
}
