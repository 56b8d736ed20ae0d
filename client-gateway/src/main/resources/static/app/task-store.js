import { isTerminal } from './format.js';

/**
 * Every task the page knows, by id (a Map: 10 000 tasks cost nothing until shown). Listeners hear which ids
 * changed; the views decide when to draw.
 */
export class TaskStore {
  constructor() {
    this.tasks = new Map();
    this.listeners = new Set();
    this.orderDirty = true;
    this.ordered = [];
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id) {
    return this.tasks.get(id);
  }

  get size() {
    return this.tasks.size;
  }

  /** Merges what is known of a task: an event has no output, a list item no command, so keep what each lacks. */
  merge(task, { notify = true } = {}) {
    const known = this.tasks.get(task.id);
    if (known && this.isStale(known, task)) return;
    if (!known) this.orderDirty = true;
    this.tasks.set(task.id, known ? { ...known, ...task } : { ...task });
    if (notify) this.emit([task.id]);
  }

  /**
   * A list page read before the task ended, or an event replayed, must not take an ended task back to running;
   * a retry (a later attempt) or a later event may.
   */
  isStale(known, task) {
    if (!isTerminal(known.state) || isTerminal(task.state)) return false;
    if ((task.attempt || 0) > (known.attempt || 0)) return false;
    return !task.at || !known.at || task.at < known.at;
  }

  mergeAll(tasks) {
    tasks.forEach((task) => this.merge(task, { notify: false }));
    this.emit(tasks.map((task) => task.id));
  }

  clear() {
    this.tasks.clear();
    this.orderDirty = true;
    this.emit([]);
  }

  /** Newest first: ids are ZooKeeper sequence numbers, zero padded, so they sort as they were created. */
  newestFirst() {
    if (this.orderDirty) {
      this.ordered = [...this.tasks.keys()].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
      this.orderDirty = false;
    }
    return this.ordered;
  }

  emit(ids) {
    this.listeners.forEach((listener) => listener(ids));
  }
}
