// Owns the console page's script, as text the page inlines: it reads GET /v1/topology once and
// GET /v1/instances every two seconds and draws the topology, the task placement across the fleet,
// throughput, consumer lag per partition, restore progress, and dropped and dead-lettered records. It builds the page
// with DOM nodes and text (never HTML from data) and loads nothing from anywhere else. A token in the
// page's fragment (#token=...) is sent as the bearer token.
export const CONSOLE_SCRIPT = String.raw`
'use strict';
(function () {
  var base = document.body.getAttribute('data-base') || '';
  var token = new URLSearchParams(location.hash.slice(1)).get('token');
  var headers = token ? { authorization: 'Bearer ' + token } : {};
  var POLL_MS = 2000;
  var previous = new Map();
  var topology = null;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    });
    return e;
  }
  function fill(id, children) {
    var box = document.getElementById(id);
    box.replaceChildren.apply(box, children);
  }
  function num(n) {
    return n === undefined || n === null ? '–' : Math.round(n).toLocaleString('en-US');
  }
  function none(text) {
    return el('p', { class: 'none' }, [text]);
  }
  async function get(path) {
    var r = await fetch(base + path, { headers: headers, cache: 'no-store' });
    var body = await r.json().catch(function () { return {}; });
    if (!r.ok) throw new Error(body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + r.status + ' from ' + path);
    return body;
  }
  function taskOf(id) {
    var m = /^(\d+)_(\d+)/.exec(id);
    return m ? { sub: Number(m[1]), partition: Number(m[2]) } : null;
  }
  function short(endpoint, instance) {
    return endpoint + (instance && instance.self ? ' (this worker)' : '');
  }

  // ---- topology ----
  function topicChip(t, internal) {
    return el('span', { class: 'topic' + (internal.has(t) ? ' internal' : ''), 'data-topic': t }, [t]);
  }
  function nodeItem(n) {
    var detail = n.type === 'source' ? '← ' + (n.pattern || (n.topics || []).join(', ')) : n.type === 'sink' ? '→ ' + (n.topic || n.extractor || '') : null;
    var stores = (n.stores || []).map(function (s) { return el('span', { class: 'store', 'data-store': s }, ['▤ ' + s]); });
    return el('li', { class: 'node ' + n.type }, [el('span', { class: 'kind' }, [n.type]), el('span', { class: 'name' }, [n.name]), detail && el('span', { class: 'detail' }, [detail])].concat(stores));
  }
  function card(s, label, nodes, internal) {
    var topics = function (list, cls) { return el('div', { class: 'topics ' + cls }, list.length ? list.map(function (t) { return topicChip(t, internal); }) : [el('span', { class: 'none' }, ['none'])]); };
    return el('section', { class: 'card subtopology', 'data-subtopology': label.global ? 'global-' + s.id : s.id }, [
      el('h3', null, [label.text]),
      el('div', { class: 'flow' }, [topics(s.sourceTopics, 'in'), el('div', { class: 'arrow' }, ['→']), el('ol', { class: 'nodes' }, nodes.map(nodeItem)), el('div', { class: 'arrow' }, ['→']), topics(s.sinkTopics, 'out')]),
      el('div', { class: 'stores-row' }, s.stores.length ? ['stores '].concat(s.stores.map(function (n) { return el('span', { class: 'store', 'data-store': n }, ['▤ ' + n]); })) : ['stateless']),
    ]);
  }
  function renderTopology(t) {
    var sinks = new Set(t.subtopologies.flatMap(function (s) { return s.sinkTopics; }));
    var internal = new Set(t.subtopologies.flatMap(function (s) { return s.sourceTopics.filter(function (x) { return sinks.has(x); }); }));
    var cards = t.subtopologies.map(function (s) { return card(s, { text: 'Sub-topology ' + s.id }, s.nodes, internal); });
    t.globalStores.forEach(function (g) { cards.push(card(g, { text: 'Global store (sub-topology ' + g.id + ')', global: true }, [g.source, g.processor], internal)); });
    fill('topology', cards.length ? cards : [none('The topology has no sub-topologies.')]);
  }

  // ---- the fleet ----
  function renderPlacement(fleet) {
    var width = new Map();
    (topology ? topology.subtopologies : []).forEach(function (s) { width.set(s.id, 0); });
    fleet.instances.forEach(function (i) {
      (i.activeTasks || []).concat(i.standbyTasks || []).forEach(function (t) {
        var p = taskOf(t.taskId);
        if (p) width.set(p.sub, Math.max(width.get(p.sub) || 0, p.partition + 1));
      });
    });
    var tables = [...width.keys()].sort(function (a, b) { return a - b; }).map(function (sub) {
      var parts = [...Array(width.get(sub)).keys()];
      var head = el('tr', null, [el('th', null, ['sub-topology ' + sub])].concat(parts.map(function (p) { return el('th', { class: 'num' }, ['p' + p]); })));
      var rows = fleet.instances.map(function (i) {
        var roles = new Map();
        var threads = new Map();
        (i.activeTasks || []).forEach(function (t) { roles.set(t.taskId, 'active'); });
        (i.standbyTasks || []).forEach(function (t) { if (!roles.has(t.taskId)) roles.set(t.taskId, 'standby'); });
        (i.threads || []).forEach(function (th) { th.activeTasks.concat(th.standbyTasks).forEach(function (id) { threads.set(id, th.name); }); });
        return el('tr', { 'data-instance': i.endpoint }, [el('td', null, [short(i.endpoint, i)])].concat(parts.map(function (p) {
          var id = sub + '_' + p;
          var role = roles.get(id);
          return el('td', { class: 'cell ' + (role || 'empty'), 'data-task': id, 'data-role': role || '', title: threads.get(id) }, [role === 'active' ? 'active' : role === 'standby' ? 'standby' : i.reachable === false ? '?' : '']);
        })));
      });
      return el('table', { class: 'placement' }, [el('thead', null, [head]), el('tbody', null, rows)]);
    });
    fill('placement', tables.length ? tables : [none('No tasks are assigned yet.')]);
  }

  function lagOf(i) {
    return (i.consumerLags || []).reduce(function (n, l) { return n + l.lag; }, 0);
  }
  function renderInstances(fleet, now) {
    var total = { processed: 0, rate: 0, dropped: 0, deadLettered: 0, lag: 0 };
    var rows = fleet.instances.map(function (i) {
      var m = i.metrics || {};
      var before = previous.get(i.endpoint);
      var rate = before && m.processTotal !== undefined && now > before.at ? Math.max(0, (m.processTotal - before.processTotal) * 1000 / (now - before.at)) : undefined;
      if (m.processTotal !== undefined) previous.set(i.endpoint, { at: now, processTotal: m.processTotal });
      total.processed += m.processTotal || 0;
      total.rate += rate || 0;
      total.dropped += m.droppedRecordsTotal || 0;
      total.deadLettered += m.deadLetterRecordsTotal || 0;
      total.lag += lagOf(i);
      if (i.reachable === false) {
        return el('tr', { 'data-instance': i.endpoint, class: 'unreachable' }, [el('td', null, [i.endpoint]), el('td', { colspan: 9 }, ['unreachable: ' + (i.error || '')])]);
      }
      return el('tr', { 'data-instance': i.endpoint }, [
        el('td', null, [short(i.endpoint, i)]),
        el('td', null, [el('span', { class: 'state ' + i.state }, [i.state])]),
        el('td', { class: 'num' }, [(i.threads || []).length]),
        el('td', { class: 'num' }, [(i.activeTasks || []).length + ' / ' + (i.standbyTasks || []).length]),
        el('td', { class: 'num', 'data-processed': m.processTotal }, [num(m.processTotal)]),
        el('td', { class: 'num', 'data-rate': rate === undefined ? '' : rate.toFixed(1) }, [rate === undefined ? '–' : rate.toFixed(1)]),
        el('td', { class: 'num', 'data-dropped': m.droppedRecordsTotal }, [num(m.droppedRecordsTotal)]),
        el('td', { class: 'num', 'data-dead-lettered': m.deadLetterRecordsTotal }, [num(m.deadLetterRecordsTotal)]),
        el('td', { class: 'num' }, [num(m.restoreRemainingRecords)]),
        el('td', { class: 'num', 'data-lag': lagOf(i) }, [num(lagOf(i))]),
      ]);
    });
    var head = ['instance', 'state', 'threads', 'active / standby tasks', 'processed', 'records/s', 'dropped', 'dead-lettered', 'restore left', 'consumer lag'];
    fill('instances', [el('table', null, [
      el('thead', null, [el('tr', null, head.map(function (h, k) { return el('th', k > 1 ? { class: 'num' } : null, [h]); }))]),
      el('tbody', null, rows),
      el('tfoot', null, [el('tr', null, [el('td', { colspan: 4 }, ['fleet']), el('td', { class: 'num', id: 'total-processed', 'data-processed': total.processed }, [num(total.processed)]), el('td', { class: 'num' }, [total.rate.toFixed(1)]), el('td', { class: 'num' }, [num(total.dropped)]), el('td', { class: 'num', id: 'total-dead-lettered', 'data-dead-lettered': total.deadLettered }, [num(total.deadLettered)]), el('td'), el('td', { class: 'num', id: 'total-lag', 'data-lag': total.lag }, [num(total.lag)])])]),
    ])]);
  }

  function renderLag(fleet) {
    var rows = [];
    fleet.instances.forEach(function (i) {
      (i.consumerLags || []).slice().sort(function (a, b) { return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition; }).forEach(function (l) {
        rows.push(el('tr', { 'data-lag-partition': l.topic + ':' + l.partition }, [el('td', null, [i.endpoint]), el('td', null, [l.topic]), el('td', { class: 'num' }, [l.partition]), el('td', { class: 'num' + (l.lag > 0 ? ' behind' : ''), 'data-lag': l.lag }, [num(l.lag)])]));
      });
    });
    fill('lag', rows.length ? [el('table', null, [el('thead', null, [el('tr', null, [el('th', null, ['instance']), el('th', null, ['topic']), el('th', { class: 'num' }, ['partition']), el('th', { class: 'num' }, ['records-lag'])])]), el('tbody', null, rows)])] : [none('No input partition fetched yet.')]);
  }

  function renderRestore(fleet) {
    var rows = [];
    fleet.instances.forEach(function (i) {
      Object.keys(i.lags || {}).sort().forEach(function (store) {
        Object.keys(i.lags[store]).forEach(function (p) {
          var l = i.lags[store][p];
          var sub = topology && topology.subtopologies.find(function (s) { return s.stores.indexOf(store) >= 0; });
          var standby = sub !== undefined && sub !== null && (i.standbyTasks || []).some(function (t) { return t.taskId === sub.id + '_' + p; });
          rows.push(el('tr', { 'data-store-lag': store + ':' + p }, [
            el('td', null, [i.endpoint]), el('td', null, [store]), el('td', { class: 'num' }, [p]), el('td', null, [standby ? 'standby' : 'active']),
            el('td', { class: 'num' }, [num(l.current) + ' / ' + num(l.end)]),
            el('td', null, [el('progress', { max: Math.max(1, l.end), value: l.end > 0 ? l.current : 1 })]),
            el('td', { class: 'num' + (l.lag > 0 ? ' behind' : '') }, [num(l.lag)]),
          ]));
        });
      });
    });
    var head = ['instance', 'store', 'partition', 'copy', 'changelog position / end', 'restored', 'lag'];
    fill('restore', rows.length ? [el('table', null, [el('thead', null, [el('tr', null, head.map(function (h) { return el('th', null, [h]); }))]), el('tbody', null, rows)])] : [none('No local store.')]);
  }

  function renderDropped(fleet) {
    var rows = [];
    fleet.instances.forEach(function (i) {
      var tasks = (i.metrics && i.metrics.tasks) || {};
      Object.keys(tasks).sort().forEach(function (t) {
        if (tasks[t].droppedRecordsTotal > 0) rows.push(el('tr', null, [el('td', null, [i.endpoint]), el('td', null, [t]), el('td', { class: 'num behind' }, [num(tasks[t].droppedRecordsTotal)])]));
      });
    });
    fill('dropped', rows.length ? [el('table', null, [el('thead', null, [el('tr', null, [el('th', null, ['instance']), el('th', null, ['task']), el('th', { class: 'num' }, ['dropped-records'])])]), el('tbody', null, rows)])] : [none('No record dropped.')]);
  }

  // ---- refreshing ----
  async function fleetOrSelf() {
    try {
      return { fleet: await get('/v1/instances') };
    } catch (err) {
      var self = await get('/v1/instance');
      return { fleet: { instances: [Object.assign({ self: true, reachable: true }, self)], stores: {} }, warning: 'fleet not known (' + err.message + '); showing this worker only' };
    }
  }
  async function refresh() {
    var status = document.getElementById('status');
    try {
      if (!topology) {
        topology = await get('/v1/topology');
        renderTopology(topology);
      }
      var got = await fleetOrSelf();
      var now = Date.now();
      var self = got.fleet.instances.find(function (i) { return i.self; });
      document.getElementById('worker').textContent = self ? self.endpoint + ' · ' + self.state : '';
      renderPlacement(got.fleet);
      renderInstances(got.fleet, now);
      renderLag(got.fleet);
      renderRestore(got.fleet);
      renderDropped(got.fleet);
      status.textContent = (got.warning ? got.warning + ' · ' : '') + 'updated ' + new Date(now).toLocaleTimeString('en-GB');
      status.className = got.warning ? 'warn' : 'ok';
      document.body.setAttribute('data-refreshed', String(now));
    } catch (err) {
      status.textContent = 'cannot refresh: ' + err.message;
      status.className = 'error';
    } finally {
      setTimeout(refresh, POLL_MS);
    }
  }
  void refresh();
})();
`;
