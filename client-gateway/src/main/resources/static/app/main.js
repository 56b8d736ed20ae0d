import { api, onUnauthorized } from './api.js';
import { ThroughputChart } from './chart.js';
import { showCluster, showClusterError } from './cluster-panel.js';
import { $, setText, showError } from './dom.js';
import { isTerminal } from './format.js';
import { KeyDialog } from './key-dialog.js';
import { EventStream } from './sse.js';
import { SubmitForm } from './submit-form.js';
import { TaskDetail } from './task-detail.js';
import { TaskStore } from './task-store.js';
import { TasksTable } from './tasks-table.js';

// How many tasks the page loads at start (newest first); the stream adds every new one after that.
const MAX_LOADED = 10000;

const store = new TaskStore();
new TasksTable(store);
new SubmitForm(store);
const detail = new TaskDetail(store);
const chart = new ThroughputChart();
let generation = 0;

const stream = new EventStream('/events', {
  event(type, data) {
    if (type === 'task') {
      const known = store.get(data.id);
      if (isTerminal(data.state) && !(known && isTerminal(known.state))) chart.finishedAt(data.finishedAt || data.at);
      store.merge(data);
    } else if (type === 'cluster') {
      showCluster(data);
      chart.queueDepth(data.queueDepth ?? 0);
    } else if (type === 'reset') {
      loadAll(); // events were missed that the gateway no longer keeps: start again from the lists
    }
  },
  status(state, detailText) {
    const badge = $('connection');
    badge.dataset.connection = state;
    setText(badge, state);
    badge.title = detailText || '';
  },
  unauthorized(detailText) {
    keys.ask(detailText);
  },
});

const keys = new KeyDialog(() => {
  loadAll();
  stream.restart();
}, () => {
  generation++;
  stream.stop();
  store.clear();
  $('workers').replaceChildren();
});

onUnauthorized((error) => {
  stream.stop();
  keys.ask(error.detail);
});

async function loadCluster() {
  try {
    showCluster(await api.cluster());
  } catch (error) {
    // a submit-only key may not read the cluster: the tasks still work
    if (error.status !== 401) showClusterError(error.detail);
  }
  try {
    chart.seed(await api.history());
  } catch {
    // no history (an older gateway, or a key without the read role): the chart starts empty and fills live
  }
}

async function loadTasks() {
  const mine = ++generation;
  let cursor;
  let loaded = 0;
  try {
    do {
      const page = await api.tasks({ limit: 500, cursor });
      if (mine !== generation) return;
      store.mergeAll(page.items || []);
      loaded += (page.items || []).length;
      cursor = page.nextCursor;
    } while (cursor && loaded < MAX_LOADED);
    showError($('tasks-error'), '');
  } catch (error) {
    if (error.status !== 401) showError($('tasks-error'), error.detail);
  }
}

function loadAll() {
  loadCluster();
  loadTasks();
}

function route() {
  const match = /^#\/tasks\/(.+)$/.exec(location.hash);
  const overview = !match;
  $('overview').hidden = !overview;
  $('tasks').hidden = !overview;
  if (match) detail.open(decodeURIComponent(match[1]));
  else detail.close();
  window.scrollTo(0, 0);
}

window.addEventListener('hashchange', route);
route();
loadAll();
stream.start();
