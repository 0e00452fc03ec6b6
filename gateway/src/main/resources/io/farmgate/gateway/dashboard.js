(function () {
  'use strict';
  var TOKEN_KEY = 'farmgate.adminToken';
  var POLL_MILLIS = 2000;
  var HISTORY_SECONDS = 300;
  var COLORS = ['#2457c5', '#c4320a', '#067647', '#7a5af8', '#b54708', '#0e9384', '#475467', '#a15c07'];
  var WAVE_COLOR = '#c11574';
  var ASSIGN_COLOR = '#2457c5', UNAVAILABLE_COLOR = '#b42318', RECONNECT_COLOR = '#0e9384';
  var charts = {};    // element id -> {plot, key, labels}
  var waves = [];     // the rebalancer's waves in the window, from /v1/history
  var kept = null;    // the samples so far, as columns: {times, hosts: {id: columns}, rates, hostsLeftOut}
  var windowEnd = 0;  // seconds; the time axis ends here (the gateway's clock at the last answer)
  var windowSpan = HISTORY_SECONDS;  // seconds shown: five minutes, less while the gateway has less
  var MIN_SPAN_SECONDS = 10;
  var timer = null;

  function $(id) { return document.getElementById(id); }
  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function api(method, path, body) {
    var init = { method: method, headers: { 'Authorization': 'Bearer ' + token() }, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (r) {
      if (r.status === 401) { throw refused('the token was refused'); }
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.status === 429) {
          // Locked out after too many wrong tokens: back to the form with the server's reason
          // (it says how long), and no polling that would only be refused again.
          throw refused(j.error || 'too many wrong tokens from this address; try again later');
        }
        if (!r.ok) { throw new Error(j.error || ('HTTP ' + r.status)); }
        return j;
      });
    });
  }

  /** Back to the login form with this message; the error it returns is already shown. */
  function refused(message) {
    logout(message);
    var e = new Error(message);
    e.shown = true;
    return e;
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function fmt(n, digits) { return n === null || n === undefined ? '–' : Number(n).toFixed(digits); }
  function age(ms) { return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s'; }

  function showLogin(message) {
    $('login').classList.remove('hidden');
    $('app').classList.add('hidden');
    $('logout').classList.add('hidden');
    $('status').textContent = 'not logged in';
    $('login-error').textContent = message || '';
  }

  function logout(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (timer) { clearInterval(timer); timer = null; }
    kept = null;
    showLogin(message);
  }

  function start() {
    $('login').classList.add('hidden');
    $('app').classList.remove('hidden');
    $('logout').classList.remove('hidden');
    refresh();
    timer = setInterval(refresh, POLL_MILLIS);
  }

  function refresh() {
    Promise.all([api('GET', '/v1/farm'), api('GET', '/v1/hosts'), api('GET', '/v1/events?limit=50'),
                 api('GET', '/v1/history?seconds=' + HISTORY_SECONDS + (kept && kept.times.length
                   ? '&after=' + kept.times[kept.times.length - 1] : ''))])
      .then(function (r) {
        renderTotals(r[0]);
        renderHosts(r[1].hosts);
        renderScaleDown(r[0].scaleDown || []);
        renderHistory(r[3]);
        renderEvents(r[2].events);
        $('status').textContent = 'snapshot ' + r[1].snapshot.status + ', ' + age(r[1].snapshot.ageMillis) + ' old'
          + (r[0].rebalancer.enabled ? (r[0].rebalancer.leader ? ' · this gateway rebalances' : ' · rebalancer follower') : ' · rebalancer off');
      })
      .catch(function (e) { if (!e.shown) { $('status').textContent = 'refresh failed: ' + e.message; } });
  }

  function renderTotals(f) {
    var items = [
      ['hosts', f.hosts], ['active', f.activeHosts], ['draining', f.drainingHosts], ['stale', f.staleHosts],
      ['eligible', f.eligibleHosts], ['connections', f.connections], ['capacity', f.capacity],
      ['utilisation', (f.utilisation * 100).toFixed(1) + ' %'], ['desired hosts', f.desiredHosts + ' @ ' + Math.round(f.targetUtilisation * 100) + ' %']
    ];
    var box = $('totals');
    box.replaceChildren();
    items.forEach(function (it) {
      var d = el('div', null, 'total');
      d.appendChild(el('div', it[1], 'v'));
      d.appendChild(el('div', it[0], 'k'));
      box.appendChild(d);
    });
  }

  function renderHosts(hosts) {
    var body = $('hosts').tBodies[0];
    body.replaceChildren();
    hosts.forEach(function (h) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-host', h.id);
      tr.appendChild(el('td', h.id));
      tr.appendChild(el('td', h.state, 'state state-' + h.state));
      tr.appendChild(el('td', h.eligibility, h.eligibility === 'stale' ? 'stale' : ''));
      tr.appendChild(el('td', h.connections + ' / ' + h.capacity));
      tr.appendChild(el('td', h.targetConnections === null ? '–' : h.targetConnections));
      tr.appendChild(el('td', fmt(h.cpu * 100, 0) + ' %'));
      tr.appendChild(el('td', fmt(h.score, 3)));
      tr.appendChild(el('td', age(h.heartbeatAgeMillis)));
      tr.appendChild(el('td', h.slowStart.active ? Math.round(h.slowStart.progress * 100) + ' %' : 'done'));
      var actions = el('td');
      if (h.state === 'draining') {
        actions.appendChild(button('Undrain', 'undrain', h.id, function () { act('undrain', h.id); }));
      } else {
        actions.appendChild(button('Drain', 'drain danger', h.id, function () { act('drain', h.id); }));
      }
      actions.appendChild(document.createTextNode(' '));
      actions.appendChild(button('Shed…', 'shed', h.id, function () { shed(h.id, h.connections); }));
      tr.appendChild(actions);
      body.appendChild(tr);
    });
  }

  function button(label, cls, host, onClick) {
    var b = el('button', label, cls);
    b.type = 'button';
    b.setAttribute('data-host', host);
    b.addEventListener('click', onClick);
    return b;
  }

  function done(p) {
    return p.then(function () { $('action-error').textContent = ''; refresh(); })
      .catch(function (e) { if (!e.shown) { $('action-error').textContent = e.message; } });
  }

  function act(what, id) {
    if (!confirm(what === 'drain' ? 'Drain ' + id + '? It takes no new clients and closes its clients over the drain period.'
                                  : 'Undrain ' + id + '? It takes clients again.')) { return; }
    done(api('POST', '/v1/hosts/' + encodeURIComponent(id) + '/' + what));
  }

  function shed(id, connections) {
    var answer = prompt('How many connections should ' + id + ' shed? (it has ' + connections + ')', '10');
    if (answer === null) { return; }
    var n = parseInt(answer, 10);
    if (!(n >= 1)) { $('action-error').textContent = 'shed: a whole number of at least 1, please'; return; }
    if (!confirm('Ask ' + id + ' to shed ' + n + ' connection(s)?')) { return; }
    done(api('POST', '/v1/hosts/' + encodeURIComponent(id) + '/shed', { count: n }));
  }

  function renderScaleDown(list) {
    var body = $('scale-down').tBodies[0];
    body.replaceChildren();
    $('scale-down-section').classList.toggle('hidden', list.length === 0);
    list.forEach(function (p) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-host', p.id);
      tr.appendChild(el('td', p.id));
      tr.appendChild(el('td', p.connections));
      tr.appendChild(el('td', p.ratePerSecond === null ? '–' : fmt(p.ratePerSecond, 1) + ' /s'));
      tr.appendChild(el('td', p.etaSeconds === null ? '–' : p.etaSeconds + ' s'));
      tr.appendChild(el('td', p.safeToRemove ? 'yes' : 'no', p.safeToRemove ? 'state-active' : ''));
      body.appendChild(tr);
    });
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function clockTime(seconds) {
    var d = new Date(seconds * 1000);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }

  /** Draws the rebalancer's waves over a chart's plot area: a dashed line at each, its size on top. */
  function wavesPlugin() {
    return {
      hooks: {
        draw: function (u) {
          var ctx = u.ctx, box = u.bbox, drawn = 0, ratio = window.devicePixelRatio || 1;
          ctx.save();
          ctx.strokeStyle = WAVE_COLOR;
          ctx.fillStyle = WAVE_COLOR;
          ctx.lineWidth = 2 * ratio;
          ctx.setLineDash([5 * ratio, 4 * ratio]);
          ctx.font = (10 * ratio) + 'px system-ui, sans-serif';
          ctx.textBaseline = 'top';
          ctx.textAlign = 'left'; // uPlot leaves it as its last axis had it
          waves.forEach(function (w) {
            var x = Math.round(u.valToPos(w.atMillis / 1000, 'x', true));
            if (x < box.left || x > box.left + box.width) { return; }
            ctx.beginPath();
            ctx.moveTo(x, box.top);
            ctx.lineTo(x, box.top + box.height);
            ctx.stroke();
            var label = 'wave −' + w.connections;
            var width = ctx.measureText(label).width;
            var left = x + 4 * ratio + width > box.left + box.width ? x - 4 * ratio - width : x + 4 * ratio;
            ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
            ctx.fillRect(left - 2 * ratio, box.top, width + 4 * ratio, 13 * ratio);
            ctx.fillStyle = WAVE_COLOR;
            ctx.fillText(label, left, box.top + 1 * ratio);
            drawn++;
          });
          ctx.restore();
          var chart = charts[u.root.parentNode.id];
          u.root.parentNode.setAttribute('data-waves', String(drawn));
          u.root.parentNode.setAttribute('data-time-labels', chart ? chart.labels.join(' ') : '');
        }
      }
    };
  }

  function chartWidth(box) { return Math.max(240, box.clientWidth - 12); } // less the figure's padding
  function chartHeight() { return window.innerWidth < 640 ? 150 : 190; }

  /**
   * Draws one chart into the figure with this id: a new uPlot when its series changed (hosts came or
   * went), else new data into the one there. The time axis ends at the gateway's now.
   */
  function plot(id, series, data, yLabel) {
    var box = $(id);
    var key = series.map(function (s) { return s.label + s.stroke; }).join('|');
    var chart = charts[id];
    if (chart && chart.key === key) {
      chart.plot.setData(data);
      return;
    }
    if (chart) { chart.plot.destroy(); }
    chart = charts[id] = { key: key, labels: [], plot: null };
    var opts = {
      width: chartWidth(box),
      height: chartHeight(),
      legend: { show: false },
      cursor: { y: false, points: { show: false } },
      plugins: [wavesPlugin()],
      scales: {
        x: { time: true, range: function () { return [windowEnd - windowSpan, windowEnd]; } },
        y: { range: function (u, min, max) { return [0, Math.max(yLabel === '%' ? 100 : 1, max * 1.1)]; } }
      },
      axes: [
        { stroke: '#667085', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6ea' }, space: 90,
          values: function (u, splits) { chart.labels = splits.map(clockTime); return chart.labels; } },
        { stroke: '#667085', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e3e6ea' }, size: 52,
          values: function (u, splits) { return splits.map(function (v) { return formatValue(v, yLabel); }); } }
      ],
      series: [{}].concat(series)
    };
    chart.plot = new uPlot(opts, data, box);
  }

  function formatValue(v, unit) {
    var text = v >= 10000 ? (v / 1000).toFixed(0) + 'k' : v >= 1000 ? (v / 1000).toFixed(1) + 'k'
      : Math.round(v) === v ? String(v) : v.toFixed(1);
    return unit ? text + ' ' + unit : text;
  }

  function line(label, color, extra) {
    var s = { label: label, stroke: color, width: 2, points: { show: false } };
    Object.keys(extra || {}).forEach(function (k) { s[k] = extra[k]; });
    return s;
  }

  function nulls(n) { var a = new Array(n); a.fill(null); return a; }

  /**
   * Adds the samples of one answer to those kept (the first answer has the whole window, later ones
   * only what is new) and drops what fell out of the window. Samples already kept are skipped, so two
   * answers that overlap (a refresh after an action meets the timer's) add nothing twice.
   */
  function merge(h) {
    if (!kept || h.after === null) {
      kept = { times: [], hosts: {}, assignmentsPerSecond: [], unavailablePerSecond: [], reconnectsPerSecond: [],
               hostsLeftOut: 0 };
    }
    var last = kept.times.length ? kept.times[kept.times.length - 1] : -Infinity;
    var skip = 0;
    while (skip < h.times.length && h.times[skip] <= last) { skip++; }
    var n = h.times.length - skip, before = kept.times.length;
    function add(to, from) { return to.concat(from.slice(skip)); }
    kept.times = add(kept.times, h.times);
    ['assignmentsPerSecond', 'unavailablePerSecond', 'reconnectsPerSecond'].forEach(function (k) {
      kept[k] = add(kept[k], h[k]);
    });
    var seen = {};
    h.hosts.forEach(function (host) {
      var k = kept.hosts[host.id] || (kept.hosts[host.id] =
        { connections: nulls(before), targetConnections: nulls(before), cpu: nulls(before) });
      k.connections = add(k.connections, host.connections);
      k.targetConnections = add(k.targetConnections, host.targetConnections);
      k.cpu = add(k.cpu, host.cpu);
      seen[host.id] = true;
    });
    Object.keys(kept.hosts).forEach(function (id) {
      if (seen[id]) { return; }
      var k = kept.hosts[id];
      ['connections', 'targetConnections', 'cpu'].forEach(function (c) { k[c] = k[c].concat(nulls(n)); });
    });
    if (n > 0) { kept.hostsLeftOut = h.hostsLeftOut; }
    var from = h.nowMillis - HISTORY_SECONDS * 1000, drop = 0;
    while (drop < kept.times.length && kept.times[drop] < from) { drop++; }
    if (drop > 0) {
      kept.times = kept.times.slice(drop);
      ['assignmentsPerSecond', 'unavailablePerSecond', 'reconnectsPerSecond'].forEach(function (k) {
        kept[k] = kept[k].slice(drop);
      });
      Object.keys(kept.hosts).forEach(function (id) {
        var k = kept.hosts[id];
        ['connections', 'targetConnections', 'cpu'].forEach(function (c) { k[c] = k[c].slice(drop); });
        if (k.connections.every(function (v) { return v === null; })) { delete kept.hosts[id]; }
      });
    }
  }

  function renderHistory(answer) {
    merge(answer);
    var h = kept;
    windowEnd = answer.nowMillis / 1000;
    // A gateway that started a minute ago has a minute to show: spread it over the width.
    windowSpan = h.times.length === 0 ? HISTORY_SECONDS
      : Math.min(HISTORY_SECONDS, Math.max(MIN_SPAN_SECONDS, windowEnd - h.times[0] / 1000));
    waves = answer.waves || [];
    var xs = h.times.map(function (t) { return t / 1000; });
    var hosts = Object.keys(h.hosts).sort().map(function (id) {
      var k = h.hosts[id];
      return { id: id, connections: k.connections, targetConnections: k.targetConnections, cpu: k.cpu };
    });
    var conn = [], connData = [xs], cpu = [], cpuData = [xs];
    hosts.forEach(function (host, i) {
      var color = COLORS[i % COLORS.length];
      conn.push(line(host.id, color));
      connData.push(host.connections);
      conn.push(line(host.id + ' target', color, { width: 1.5, dash: [6, 4] }));
      connData.push(host.targetConnections);
      cpu.push(line(host.id, color));
      cpuData.push(host.cpu.map(function (c) { return c === null ? null : c * 100; }));
    });
    plot('chart-connections', conn, connData, '');
    plot('chart-cpu', cpu, cpuData, '%');
    plot('chart-assignments', [line('assignments/s', ASSIGN_COLOR), line('503s/s', UNAVAILABLE_COLOR)],
      [xs, h.assignmentsPerSecond, h.unavailablePerSecond], '/s');
    plot('chart-reconnects', [line('reconnects/s', RECONNECT_COLOR)], [xs, h.reconnectsPerSecond], '/s');
    renderLegend(hosts, h.hostsLeftOut);
    renderWaves(answer);
  }

  function swatch(color, dashed) {
    var i = el('i', null, dashed ? 'dashed' : '');
    i.style.borderColor = color;
    return i;
  }

  function renderLegend(hosts, leftOut) {
    var legend = $('legend');
    legend.replaceChildren();
    hosts.forEach(function (host, i) {
      var s = el('span', host.id);
      s.setAttribute('data-host', host.id);
      s.prepend(swatch(COLORS[i % COLORS.length]));
      legend.appendChild(s);
    });
    var target = el('span', 'target (dashed)');
    target.prepend(swatch('#667085', true));
    legend.appendChild(target);
    var wave = el('span', 'rebalancer wave (−connections it ordered shed)');
    wave.prepend(swatch(WAVE_COLOR, true));
    legend.appendChild(wave);
    if (leftOut > 0) {
      legend.appendChild(el('span', leftOut + ' more host(s) not charted (targets and the busiest are shown)'));
    }
  }

  function renderWaves(h) {
    var list = $('waves');
    list.replaceChildren();
    if (h.wavesError) {
      list.appendChild(el('li', 'waves unavailable: ' + h.wavesError, 'error'));
    } else if (waves.length === 0) {
      list.appendChild(el('li', 'no rebalancer wave in the last ' + (HISTORY_SECONDS / 60) + ' minutes'));
    }
    waves.slice().reverse().forEach(function (w) {
      var li = el('li', clockTime(w.atMillis / 1000) + ' · ' + w.actor + ' asked ' + w.hosts.join(', ')
        + ' to shed ' + w.connections + ' connection(s)');
      li.setAttribute('data-wave', String(w.atMillis));
      list.appendChild(li);
    });
  }

  window.addEventListener('resize', function () {
    Object.keys(charts).forEach(function (id) {
      charts[id].plot.setSize({ width: chartWidth($(id)), height: chartHeight() });
    });
  });

  function renderEvents(events) {
    var body = $('events').tBodies[0];
    body.replaceChildren();
    events.forEach(function (e) {
      var tr = document.createElement('tr');
      tr.appendChild(el('td', new Date(e.atMillis).toLocaleTimeString()));
      tr.appendChild(el('td', e.type));
      tr.appendChild(el('td', e.hostId || '–'));
      tr.appendChild(el('td', e.actor));
      var details = Object.keys(e.details || {}).map(function (k) { return k + '=' + e.details[k]; }).join(', ');
      tr.appendChild(el('td', e.reason + (details ? ' (' + details + ')' : ''), 'reason'));
      body.appendChild(tr);
    });
  }

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var t = $('token').value.trim();
    if (!t) { return; }
    sessionStorage.setItem(TOKEN_KEY, t);
    $('token').value = '';
    api('GET', '/v1/farm').then(start).catch(function (e) {
      if (!e.shown) { showLogin('cannot reach the gateway: ' + e.message); }
    });
  });

  $('scale-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var n = parseInt($('scale-count').value, 10);
    if (!(n >= 1)) { $('action-error').textContent = 'scale down: a whole number of at least 1, please'; return; }
    if (!confirm('Scale down by ' + n + ' host(s)? The cheapest hosts are drained.')) { return; }
    done(api('POST', '/v1/scale-down', { count: n }));
  });

  $('logout').addEventListener('click', function () { logout(''); });

  if (token()) { start(); } else { showLogin(''); }
})();
