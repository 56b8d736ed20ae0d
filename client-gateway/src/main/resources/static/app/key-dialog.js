import { api } from './api.js';
import { $, setText, showError } from './dom.js';
import { currentKey, forgetKey, rememberKey } from './key-store.js';

/**
 * Asks for an API key when the gateway answers 401, checks it before keeping it (a wrong key shows the 401's
 * detail), and offers to forget it. {@code onKey} runs once a key works, to load everything with it;
 * {@code onForget} when the key is forgotten, to take its data off the page.
 */
export class KeyDialog {
  constructor(onKey, onForget) {
    this.onKey = onKey;
    this.dialog = $('key-dialog');
    this.forget = $('forget-key');
    this.forget.hidden = !currentKey();
    $('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.tryKey($('key-input').value.trim());
    });
    this.dialog.addEventListener('cancel', (event) => event.preventDefault()); // no data without a key
    this.forget.addEventListener('click', () => {
      forgetKey();
      this.forget.hidden = true;
      onForget();
      this.ask('The key was forgotten.');
    });
  }

  /** Opens the dialog, saying why: the detail of the 401 that brought it up. */
  ask(reason) {
    setText($('key-reason'), reason);
    if (!this.dialog.open) {
      showError($('key-error'), '');
      $('key-input').value = '';
      this.dialog.showModal();
    }
    $('key-input').focus();
  }

  async tryKey(key) {
    if (!key) {
      showError($('key-error'), 'Enter a key.');
      return;
    }
    const before = currentKey();
    rememberKey(key);
    $('key-submit').disabled = true;
    try {
      await api.probe();
      this.dialog.close();
      this.forget.hidden = false;
      this.onKey();
    } catch (error) {
      if (before) rememberKey(before);
      else forgetKey();
      showError($('key-error'), error.detail);
    } finally {
      $('key-submit').disabled = false;
    }
  }
}
