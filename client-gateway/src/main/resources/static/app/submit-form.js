import { api } from './api.js';
import { parseCommand, parseLabels } from './command-line.js';
import { $, el, showError } from './dom.js';

/** The submit form: builds POST /tasks's JSON from the fields, shows the new task or the problem's detail. */
export class SubmitForm {
  constructor(store) {
    this.store = store;
    this.form = $('submit-form');
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  body() {
    const command = parseCommand($('submit-command').value);
    if (command.length === 0) throw new Error('Enter a command.');
    const body = { command };
    const number = (id, name) => {
      const text = $(id).value.trim();
      if (text === '') return undefined;
      const value = Number(text);
      if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number.`);
      return value;
    };
    const timeout = number('submit-timeout', 'Timeout');
    const maxAttempts = number('submit-max-attempts', 'Max attempts');
    const delay = number('submit-delay', 'Delay');
    const priority = number('submit-priority', 'Priority');
    if (timeout !== undefined) body.timeoutSeconds = timeout;
    if (maxAttempts !== undefined) body.retry = { maxAttempts };
    if (delay !== undefined) body.delaySeconds = delay;
    if (priority !== undefined) body.priority = priority;
    const requires = parseLabels($('submit-requires').value);
    if (Object.keys(requires).length) body.requires = requires;
    return body;
  }

  async submit() {
    const button = $('submit-button');
    const result = $('submit-result');
    showError($('submit-error'), '');
    result.replaceChildren();
    let body;
    try {
      body = this.body();
    } catch (error) {
      showError($('submit-error'), error.message);
      return;
    }
    button.disabled = true;
    try {
      const task = await api.submit(body);
      this.store.merge(task);
      result.replaceChildren('Submitted ',
        el('a', { id: 'submit-result-link', href: `#/tasks/${encodeURIComponent(task.id)}`, text: task.id }));
      result.dataset.taskId = task.id;
    } catch (error) {
      showError($('submit-error'), error.detail);
    } finally {
      button.disabled = false;
    }
  }
}
