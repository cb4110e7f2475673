// The gateway page: the running models with what the gateway sends them, the memory budget, the
// traffic of the last minutes and the last requests. The request log is not on the event stream (an
// event per request would flood /events under load, and the chart needs the log's tiers and tokens),
// so while this page is shown it reads the log and the servers every two seconds; hidden, it reads
// nothing. Server events, and the gateway's events of a queue's length, redraw the running models
// at once.
import {api} from './api.js';
import {$, h} from './dom.js';
import {loadServers, onChange, state} from './store.js';
import {drawTraffic, resizeTraffic} from './traffic.js';

/** What a field the server does not send (yet) shows: the page works with older and newer servers. */
const DASH = '—';
const RUNNING = ['starting', 'ready', 'restarting', 'stopping'];
const SHOWN_REQUESTS = 50;
const POLL_MILLIS = 2000;

let lastLog = '';
/** A read still under way: a slow MAGI gets no second one on top of it. */
let polling = false;

function shown() {
    return !$('tab-gateway').hidden;
}

function text(value) {
    return value === null || value === undefined || value === '' ? DASH : String(value);
}

function bytes(value) {
    if (typeof value !== 'number') {
        return DASH;
    }
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let size = value;
    let unit = 0;
    while (size >= 1024 && unit < units.length - 1) {
        size /= 1024;
        unit++;
    }
    return `${unit ? size.toFixed(1) : size} ${units[unit]}`;
}

/** Whole seconds until `instant` (ISO-8601), as "4m 05s"; a dash without one. */
function countdown(instant) {
    if (!instant) {
        return DASH;
    }
    const seconds = Math.max(0, Math.round((Date.parse(instant) - Date.now()) / 1000));
    const minutes = Math.floor(seconds / 60);
    return minutes ? `${minutes}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

function healthText(healthy) {
    return healthy === undefined || healthy === null ? DASH : healthy ? 'yes' : 'no';
}

function pinnedText(pinned) {
    return pinned === undefined || pinned === null ? DASH : pinned ? 'yes' : 'no';
}

function cell(field, value, attributes = {}) {
    return h('td', {'data-field': field, ...attributes}, value);
}

function runningRow(server) {
    const model = state.registry?.models[server.modelId];
    return h('tr', {'data-id': server.modelId},
        h('th', {scope: 'row'}, server.displayName ?? server.modelId),
        cell('state', h('span', {className: `state state-${server.state}`}, server.state)),
        cell('inFlight', text(server.inFlight)),
        cell('queued', text(server.queued)),
        cell('slots', text(server.slots)),
        cell('healthy', healthText(server.healthy)),
        cell('startedBy', text(server.startedBy)),
        cell('pinned', pinnedText(server.pinned)),
        cell('idle', countdown(server.idleExpiresAt), {'data-expires': server.idleExpiresAt ?? null}),
        cell('memory', bytes(model?.estimatedMemoryBytes)));
}

function renderRunning() {
    const servers = [...state.servers.values()].filter(s => RUNNING.includes(s.state))
        .sort((a, b) => a.modelId.localeCompare(b.modelId));
    $('running-table').tBodies[0].replaceChildren(...servers.map(runningRow));
    $('running-empty').hidden = servers.length > 0;
}

function renderMemory() {
    const memory = state.memory;
    const bar = $('memory-bar');
    const budget = memory?.budgetBytes;
    bar.hidden = !budget;
    const limit = memory?.maxLoadedModels ? `; at most ${memory.maxLoadedModels} models loaded at once` : '';
    if (budget) {
        bar.max = budget;
        bar.value = Math.min(memory.reservedBytes ?? 0, budget);
        $('memory-text').textContent = `${bytes(memory.reservedBytes ?? 0)} of ${bytes(budget)} reserved${limit}`;
    } else {
        $('memory-text').textContent = `No budget data${limit}`;
    }
}

function requestRow(request) {
    const tokens = request.promptTokens === null && request.completionTokens === null ? DASH
        : `${text(request.promptTokens)} / ${text(request.completionTokens)}`;
    return h('tr', {},
        cell('time', new Date(request.time).toLocaleTimeString()),
        cell('asked', text(request.asked)),
        cell('model', text(request.model), {title: request.tier ? `tier ${request.tier}` : null}),
        cell('route', text(request.route)),
        cell('status', text(request.status)),
        cell('queueMs', text(request.queueMs)),
        cell('loadMs', text(request.loadMs)),
        cell('totalMs', text(request.totalMs)),
        cell('tokens', tokens));
}

function renderRequests(requests) {
    const last = requests[requests.length - 1];
    const key = `${requests.length} ${last?.time} ${last?.asked} ${last?.totalMs}`;
    if (key === lastLog) {
        return;
    }
    lastLog = key;
    const newestFirst = requests.slice(-SHOWN_REQUESTS).reverse();
    $('requests-table').tBodies[0].replaceChildren(...newestFirst.map(requestRow));
    $('requests-empty').hidden = requests.length > 0;
}

/** The request log, with the servers read again beside it; null when MAGI has no request log. */
async function readLog() {
    try {
        const [log] = await Promise.all([api('GET', 'api/gateway/requests?tail=1000'), loadServers()]);
        return log;
    } catch (e) {
        // A MAGI without the gateway has no request log: the page then shows the servers only.
        return null;
    }
}

async function poll() {
    if (!shown() || polling) {
        return;
    }
    polling = true;
    try {
        const log = await readLog();
        if (log) {
            renderRequests(log.requests);
            await drawTraffic(log.requests);
        }
    } finally {
        polling = false;
    }
}

export function setUpGateway() {
    onChange('servers', () => {
        renderRunning();
        renderMemory();
    });
    onChange('registry', renderRunning);
    window.addEventListener('hashchange', poll);
    window.addEventListener('resize', resizeTraffic);
    setInterval(poll, POLL_MILLIS);
    setInterval(() => {
        for (const idle of document.querySelectorAll('#running-table td[data-expires]')) {
            idle.textContent = countdown(idle.dataset.expires);
        }
    }, 1000);
    poll();
}
