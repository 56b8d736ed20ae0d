import { $, el, setText, showError } from './dom.js';

/** Who leads, who stands by, each worker's slots and labels, and the queue: one GET /cluster or cluster event. */
export function showCluster(cluster) {
  showError($('cluster-error'), '');
  const masters = cluster.masters || [];
  const leader = masters.find((m) => m.role === 'leader');
  setText($('cluster-leader'), leader ? leader.id : cluster.master ? cluster.master.id : 'none');
  $('cluster-leader').dataset.leader = leader ? leader.id : '';
  const standbys = masters.filter((m) => m.role !== 'leader').map((m) => m.id);
  setText($('cluster-standbys'), standbys.length ? standbys.join(', ') : 'none');
  setText($('cluster-queue-depth'), cluster.queueDepth);
  const workers = cluster.workers || [];
  const used = workers.reduce((sum, w) => sum + (w.assigned || 0), 0);
  const total = workers.reduce((sum, w) => sum + (w.slots || 0), 0);
  setText($('cluster-slots'), `${used} / ${total}`);

  const items = workers.map((worker) => workerItem(worker));
  if (items.length === 0) items.push(el('li', { className: 'muted', text: 'No workers.' }));
  $('workers').replaceChildren(...items);
}

export function showClusterError(message) {
  showError($('cluster-error'), message);
}

function workerItem(worker) {
  const slots = worker.slots || 0;
  const assigned = worker.assigned || 0;
  const meter = el('div', { className: 'meter', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': String(slots),
    'aria-valuenow': String(assigned), 'aria-label': `${worker.id} slots in use` });
  const fill = el('span');
  // a style property set from script, not a style attribute: a strict CSP (no unsafe-inline) still allows it
  fill.style.width = `${slots ? Math.min(100, (100 * assigned) / slots) : 0}%`;
  meter.append(fill);
  const labels = Object.entries(worker.labels || {}).map(([name, value]) =>
    el('span', { className: 'label', 'data-label': name, text: `${name}=${value}` }));
  if (worker.reserved) labels.push(el('span', { className: 'label reserved', text: 'reserved' }));
  return el('li', { 'data-worker-id': worker.id, className: 'worker' },
    el('div', { className: 'worker-head' },
      el('span', { className: 'worker-id mono', text: worker.id }),
      el('span', { className: 'worker-slots', 'data-field': 'slots', text: `${assigned} / ${slots} slots` })),
    meter,
    el('div', { className: 'worker-meta' },
      el('span', { className: 'muted', text: [worker.host, worker.pid ? `pid ${worker.pid}` : null, worker.version]
        .filter(Boolean).join(' · ') }),
      ...labels));
}
