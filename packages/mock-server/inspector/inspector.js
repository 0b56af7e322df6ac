// The inspector page of the local Pulse service. It talks to the service with the project's own
// client (pulse.js, the global `Pulse`): a session token from /_inspector/session, then the
// channel `inspector` on the service's inspector feed, which pushes a snapshot and then batched
// updates; actions are publishes of the event `action`. Plain DOM: every piece of data goes in
// with textContent or an attribute, never as HTML.
/* global Pulse, sessionStorage, getComputedStyle */
'use strict';

(() => {
  /** Log lines kept in the page (older ones are dropped). */
  const LOG_MAX = 1000;
  /** Samples kept for the chart (one per second). */
  const SAMPLES_MAX = 300;
  const KEY_STORE = 'pulse-inspector-key';

  const $ = (id) => document.getElementById(id);

  /** Creates an element; `text` sets textContent, other props become attributes. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null) continue;
      if (name === 'text') node.textContent = String(value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  const view = {
    state: { paused: false, tenants: [], connections: [], connectionTotal: 0, channels: [], channelTotal: 0 },
    log: [],
    held: [],
    logPaused: false,
    samples: [],
  };
  let feed;
  let nextId = 1;
  const pendingResults = new Map();

  // ---------------------------------------------------------------------------------------------
  // Formatting

  const two = (n) => String(n).padStart(2, '0');
  function clockTime(ms) {
    const d = new Date(ms);
    return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  }
  function dateTime(ms) {
    const d = new Date(ms);
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${clockTime(ms)}`;
  }

  /** Names as a list, with how many more there are than the service listed (it sends the first few). */
  function listed(names, total) {
    const more = total > names.length ? ` +${total - names.length} more` : '';
    return names.length ? `${names.join(', ')}${more}` : '—';
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering

  function renderState() {
    renderCounters();
    renderConnections();
    renderChannels();
  }

  /** Only what publishes and pauses change: the lists (and their Drop buttons) stay as they are. */
  function renderCounters() {
    const paused = view.state.paused;
    document.body.dataset.paused = String(paused);
    const serviceState = $('service-state');
    serviceState.textContent = paused ? 'service paused' : 'service answering';
    serviceState.className = paused ? 'paused' : '';
    renderTenants();
  }

  function renderTenants() {
    const rows = view.state.tenants.map((t) =>
      el(
        'tr',
        { 'data-kb-id': t.kbId },
        ...[t.kbId, t.enabled ? 'yes' : 'no', t.region, t.connections, t.channels, t.published, t.delivered].map((v) => el('td', { text: v })),
      ),
    );
    $('tenants').tBodies[0].replaceChildren(...rows);
    // The publish form's kb list follows the tenants; the choice is kept when it still exists.
    const select = $('pub-kb');
    const chosen = select.value;
    const kbs = view.state.tenants.map((t) => t.kbId);
    if (kbs.join('\n') !== [...select.options].map((o) => o.value).join('\n')) {
      select.replaceChildren(...kbs.map((kb) => el('option', { value: kb, text: kb })));
      if (kbs.includes(chosen)) select.value = chosen;
    }
  }

  function renderConnections() {
    const s = view.state;
    const rows = s.connections.map((c) => {
      const drop = el('button', { type: 'button', class: 'drop', 'data-connection-id': c.connectionId, text: 'Drop', title: 'Drop this connection (no close frame)' });
      return el(
        'tr',
        { 'data-connection-id': c.connectionId, 'data-user-id': c.userId },
        el('td', { text: c.userId, title: c.connectionId }),
        el('td', { text: c.kbId }),
        el('td', { class: 'channels', text: listed(c.channels, c.channelCount) }),
        el('td', { text: dateTime(c.connectedAt) }),
        el('td', { text: dateTime(c.closesAt) }),
        el('td', {}, drop),
      );
    });
    $('connections').tBodies[0].replaceChildren(...rows);
    $('connections-count').textContent = s.connectionTotal > s.connections.length ? `${s.connections.length} of ${s.connectionTotal}` : String(s.connectionTotal);
  }

  function renderChannels() {
    const s = view.state;
    const items = s.channels.map((c) => {
      const members = el(
        'ul',
        { class: 'members' },
        ...c.members.map((m) =>
          el(
            'li',
            { 'data-user-id': m.userId, 'data-connection-id': m.connectionId },
            el('span', { class: 'user', text: m.userId }),
            ' ',
            el('code', { class: 'data', text: m.data ?? '' }),
          ),
        ),
      );
      const shown = c.members.length < c.presenceCount ? ` (${c.members.length} listed)` : '';
      return el(
        'li',
        { 'data-channel': c.channel, 'data-kb-id': c.kbId },
        el('b', { class: 'name', text: c.channel }),
        el('span', { class: 'muted', text: ` ${c.kbId} · ` }),
        el('span', { class: 'subscribers', text: `${c.subscribers} subscribed` }),
        el('span', { class: 'muted', text: ' · ' }),
        el('span', { class: 'present', text: `${c.presenceCount} present${shown}` }),
        c.members.length > 0 ? members : null,
      );
    });
    $('channels').replaceChildren(...items);
    $('channels-count').textContent = s.channelTotal > s.channels.length ? `${s.channels.length} of ${s.channelTotal}` : String(s.channelTotal);
  }

  // ---------------------------------------------------------------------------------------------
  // Log

  function matches(entry) {
    const channel = $('filter-channel').value.trim();
    const user = $('filter-user').value.trim().toLowerCase();
    const kind = $('filter-kind').value;
    if (kind && entry.kind !== kind) return false;
    if (channel && !(entry.channel ?? '').includes(channel)) return false;
    if (user && !(entry.userId ?? '').toLowerCase().includes(user)) return false;
    return true;
  }

  function logItem(entry) {
    return el(
      'li',
      { 'data-kind': entry.kind, 'data-seq': entry.seq, 'data-channel': entry.channel, 'data-user-id': entry.userId, 'data-code': entry.code },
      el('span', { class: 'time', text: clockTime(entry.time), title: dateTime(entry.time) }),
      el('span', { class: 'kind', text: entry.kind }),
      el('span', { class: 'text' }, entry.code ? el('span', { class: 'code', text: `${entry.code} ` }) : null, entry.text),
      entry.detail ? el('span', { class: 'detail', text: entry.detail }) : null,
    );
  }

  function renderLog() {
    const items = [];
    for (let i = view.log.length - 1; i >= 0; i--) if (matches(view.log[i])) items.push(logItem(view.log[i]));
    $('log').replaceChildren(...items);
    renderLogCount();
  }

  function renderLogCount() {
    $('log-count').textContent = String(view.log.length);
    $('log-held').textContent = view.held.length > 0 ? `${view.held.length} new while paused` : '';
  }

  function addLog(entries, skipped) {
    if (skipped) entries = [...entries, { seq: -1, time: entries.at(-1)?.time ?? Date.now(), kind: 'action', text: `${skipped} events not shown (too many at once)` }];
    if (view.logPaused) {
      view.held.push(...entries);
      if (view.held.length > LOG_MAX) view.held.splice(0, view.held.length - LOG_MAX);
      return renderLogCount();
    }
    view.log.push(...entries);
    const list = $('log');
    for (const entry of entries) if (matches(entry)) list.prepend(logItem(entry));
    if (view.log.length > LOG_MAX) {
      view.log.splice(0, view.log.length - LOG_MAX);
      while (list.children.length > LOG_MAX) list.lastElementChild.remove();
    }
    renderLogCount();
  }

  // ---------------------------------------------------------------------------------------------
  // Chart: messages per second and connections, one point per second

  function drawChart() {
    const canvas = $('chart');
    const ratio = globalThis.devicePixelRatio || 1;
    const width = canvas.clientWidth || 600;
    const height = canvas.clientHeight || 140;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const samples = view.samples;
    const rates = [];
    for (let i = 1; i < samples.length; i++) {
      const seconds = Math.max(0.001, (samples[i].time - samples[i - 1].time) / 1000);
      rates.push(Math.max(0, (samples[i].published - samples[i - 1].published) / seconds));
    }
    const conns = samples.slice(1).map((s) => s.connections);
    $('rate-now').textContent = rates.length ? String(Math.round(rates.at(-1))) : '0';
    $('conns-now').textContent = samples.length ? String(samples.at(-1).connections) : '0';
    const style = getComputedStyle(document.documentElement);
    ctx.strokeStyle = style.getPropertyValue('--line') || '#ddd';
    ctx.beginPath();
    ctx.moveTo(0, height - 0.5);
    ctx.lineTo(width, height - 0.5);
    ctx.stroke();
    const line = (values, color) => {
      if (values.length < 2) return;
      const max = Math.max(1, ...values);
      const step = width / (SAMPLES_MAX - 1);
      const x0 = width - (values.length - 1) * step;
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      values.forEach((v, i) => {
        const x = x0 + i * step;
        const y = height - 4 - (v / max) * (height - 12);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.fillText(`max ${Math.round(max)}`, color === rateColor ? 4 : width - 60, 10);
    };
    const rateColor = style.getPropertyValue('--rate').trim() || '#2f6fed';
    line(rates, rateColor);
    line(conns, style.getPropertyValue('--conns').trim() || '#12a150');
  }

  // ---------------------------------------------------------------------------------------------
  // Feed

  function onSnapshot(data) {
    view.state = data.state;
    view.samples = data.samples.slice(-SAMPLES_MAX);
    // A snapshot after a reconnection replaces what the page had: the service's log is the truth.
    view.log = data.log.slice(-LOG_MAX);
    view.held = [];
    renderState();
    renderLog();
    drawChart();
  }

  function onUpdate(data) {
    if (data.state) {
      view.state = data.state;
      renderState();
    } else if (data.counters) {
      view.state = { ...view.state, ...data.counters };
      renderCounters();
    }
    if (data.log) addLog(data.log, data.skipped);
    if (data.sample) {
      view.samples.push(data.sample);
      if (view.samples.length > SAMPLES_MAX) view.samples.shift();
      drawChart();
    }
  }

  function onResult(data) {
    const done = pendingResults.get(data.id);
    if (done) {
      pendingResults.delete(data.id);
      done(data);
    }
  }

  /** Sends one action; resolves with the service's result. */
  function act(op, fields) {
    const id = nextId++;
    return new Promise((resolve) => {
      pendingResults.set(id, resolve);
      feed.publish('action', { id, op, ...fields }).catch((error) => {
        pendingResults.delete(id);
        resolve({ ok: false, code: error.code ?? 'not_connected', error: error.message });
      });
    });
  }

  async function session() {
    const key = sessionStorage.getItem(KEY_STORE);
    const response = await fetch('/_inspector/session', { headers: key ? { Authorization: `Bearer ${key}` } : {} });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.error ?? `session refused (${response.status})`);
      error.code = body.code;
      error.status = response.status;
      throw error;
    }
    return body;
  }

  function askForKey(reason) {
    document.body.dataset.state = 'locked';
    $('feed-state').textContent = 'API key needed';
    $('key-reason').textContent = reason;
    $('key-form').hidden = false;
    $('api-key').focus();
  }

  async function start() {
    let grant;
    try {
      grant = await session();
    } catch (error) {
      if (error.status === 401) return askForKey(error.message);
      document.body.dataset.state = 'failed';
      $('feed-state').textContent = error.message;
      return;
    }
    $('key-form').hidden = true;
    const pulse = new Pulse({
      kbId: grant.kbId,
      token: grant.token,
      endpoint: grant.endpoint,
      authCallback: async () => (await session()).token,
    });
    const label = { connecting: 'Connecting…', connected: 'Live', reconnecting: 'Reconnecting…', disconnected: 'Disconnected', failed: 'Failed' };
    const showState = (state) => {
      document.body.dataset.state = state;
      $('feed-state').textContent = label[state] ?? state;
    };
    pulse.onStateChange(showState);
    showState(pulse.state);
    feed = pulse.channel(grant.channel);
    feed.subscribe('snapshot', onSnapshot);
    feed.subscribe('update', onUpdate);
    feed.subscribe('result', onResult);
  }

  // ---------------------------------------------------------------------------------------------
  // Controls

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORE, $('api-key').value);
    void start();
  });
  $('pause').addEventListener('click', () => void act('pause', {}));
  $('resume').addEventListener('click', () => void act('resume', {}));
  $('drop-all').addEventListener('click', () => void act('dropAll', {}));
  $('connections').addEventListener('click', (event) => {
    const button = event.target.closest('button.drop');
    if (button) void act('kill', { connectionId: button.dataset.connectionId });
  });
  $('publish').addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = $('pub-result');
    let data;
    const text = $('pub-data').value.trim();
    try {
      data = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      result.className = 'bad';
      result.textContent = `data is not JSON: ${error.message}`;
      return;
    }
    // Channel, event and data are checked by the service with the protocol's rules.
    const answer = await act('publish', { kbId: $('pub-kb').value, channel: $('pub-channel').value, event: $('pub-event').value, data });
    result.className = answer.ok ? 'ok' : 'bad';
    result.dataset.code = answer.ok ? '' : answer.code;
    result.textContent = answer.ok ? `delivered to ${answer.delivered}` : `${answer.code}: ${answer.error}`;
  });
  for (const id of ['filter-channel', 'filter-user', 'filter-kind']) $(id).addEventListener('input', renderLog);
  $('log-toggle').addEventListener('click', () => {
    view.logPaused = !view.logPaused;
    $('log-toggle').textContent = view.logPaused ? 'Resume log' : 'Pause log';
    if (!view.logPaused) {
      const held = view.held;
      view.held = [];
      addLog(held);
    }
  });
  $('log-clear').addEventListener('click', () => {
    view.log = [];
    view.held = [];
    renderLog();
  });
  window.addEventListener('resize', drawChart);

  if (typeof Pulse === 'undefined') {
    document.body.dataset.state = 'failed';
    $('feed-state').textContent = 'pulse.js did not load: see /_inspector/pulse.js';
  } else void start();
})();
