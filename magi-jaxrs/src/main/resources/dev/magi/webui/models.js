// The models page: a table of every model, filtered, sorted and kept live, with each model's
// controls (tier, thinking, enabled, start and stop) and its details.
import {api} from './api.js';
import {openDetail} from './detail.js';
import {$, h} from './dom.js';
import {API, TIERS, applyServer, eventsSeen, loadRegistry, models, onChange, serverOf, state} from './store.js';
import {attempt} from './toasts.js';

let sort = {key: 'displayName', direction: 1};
/** The rows drawn, by model id, in the table's order. */
const rows = new Map();

function sortValue(model, key) {
    if (key === 'state') {
        return serverOf(model.modelId)?.state ?? 'stopped';
    }
    if (key === 'effectiveTier') {
        return TIERS.indexOf(model.effectiveTier);
    }
    const value = model[key];
    return typeof value === 'string' ? value.toLowerCase() : value ?? -Infinity;
}

function visibleModels() {
    const query = $('search').value.trim().toLowerCase();
    const tier = $('filter-tier').value;
    const show = $('filter-state').value;
    const {key, direction} = sort;
    return models().filter(m => {
        if (tier && m.effectiveTier !== tier) {
            return false;
        }
        const running = ['pending', 'starting', 'ready', 'restarting'].includes(serverOf(m.modelId)?.state);
        if ((show === 'enabled' && !m.enabled) || (show === 'disabled' && m.enabled)
            || (show === 'running' && !running) || (show === 'problems' && !m.problems.length)) {
            return false;
        }
        if (!query) {
            return true;
        }
        return [m.modelId, m.displayName, m.family, m.quantization, m.architecture, m.filename]
            .some(v => v && v.toLowerCase().includes(query));
    }).sort((a, b) => {
        const x = sortValue(a, key);
        const y = sortValue(b, key);
        return (x < y ? -1 : x > y ? 1 : 0) * direction || a.modelId.localeCompare(b.modelId);
    });
}

function badges(model) {
    const list = [];
    if (model.thinkingOverride ?? model.isThinkingModel) list.push(['thinking', 'thinking']);
    if (model.isInstruct) list.push(['instruct', 'instruct']);
    if (model.isCoder) list.push(['coder', 'coder']);
    if (model.mmprojPath) list.push(['vision', 'vision']);
    if (model.problems.length) list.push(['problem', `${model.problems.length} problem${model.problems.length > 1 ? 's' : ''}`]);
    return list.map(([kind, text]) => h('span', {className: `badge ${kind}`}, text));
}

function sizeText(model) {
    if (model.sizeParams) return `${model.sizeParams} B`;
    return model.sizeLabel ?? '–';
}

function uptime(server) {
    if (!server || !server.startedAt || !['ready', 'starting', 'restarting'].includes(server.state)) {
        return '';
    }
    let seconds = Math.max(0, Math.round((Date.now() - Date.parse(server.startedAt)) / 1000));
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    seconds %= 60;
    return hours ? `${hours}h ${minutes}m` : minutes ? `${minutes}m ${seconds}s` : `${seconds}s`;
}

function serverCell(model) {
    const server = serverOf(model.modelId);
    const stateName = server?.state ?? 'stopped';
    return h('span', {className: `state state-${stateName}`, 'data-state': stateName},
        stateName, h('span', {className: 'uptime'}, uptime(server) ? ` · ${uptime(server)}` : ''));
}

/**
 * One model's row. Its controls have no listeners of their own: the table's body listens for all
 * (see onTableEvent), which keeps building 1,000 rows cheap.
 */
function modelRow(model) {
    const id = model.modelId;
    const name = model.displayName;
    const tier = h('select', {'aria-label': `Tier of ${name}`, 'data-control': 'tier'},
        h('option', {value: ''}, `auto (${model.assignedTier})`),
        TIERS.map(t => h('option', {value: t, selected: model.tierOverride === t}, t)));
    const thinking = h('select', {'aria-label': `Thinking of ${name}`, 'data-control': 'thinking'},
        h('option', {value: ''}, `auto (${model.isThinkingModel ? 'on' : 'off'})`),
        h('option', {value: 'on', selected: model.thinkingOverride === true}, 'on'),
        h('option', {value: 'off', selected: model.thinkingOverride === false}, 'off'));
    const enabled = h('input', {type: 'checkbox', checked: model.enabled, 'aria-label': `Enable ${name}`,
        'data-control': 'enabled'});
    const running = ['pending', 'starting', 'ready', 'restarting'].includes(serverOf(id)?.state);
    // Explicit roles: the table's parts are laid out as grids (see style.css), which would otherwise
    // cost the table its semantics in some browsers.
    return h('tr', {'data-id': id, role: 'row'},
        h('th', {scope: 'row', role: 'rowheader'},
            h('button', {type: 'button', className: 'link', 'data-control': 'details',
                'aria-label': `Details and log of ${name}`}, name),
            h('div', {className: 'badges'}, badges(model))),
        h('td', {role: 'cell', 'data-label': 'Size'}, sizeText(model)),
        h('td', {role: 'cell', 'data-label': 'Quant'}, model.quantization ?? '–'),
        h('td', {role: 'cell', 'data-label': 'Tier'}, tier, model.tierOverride ? h('button', {type: 'button',
            className: 'small', 'data-control': 'clear-tier', 'aria-label': `Clear tier override of ${name}`}, 'clear') : null),
        h('td', {role: 'cell', 'data-label': 'Thinking'}, thinking),
        h('td', {role: 'cell', 'data-label': 'Enabled'}, enabled),
        h('td', {role: 'cell', className: 'port', 'data-label': 'Port'}, model.port ?? '–'),
        h('td', {role: 'cell', className: 'server', 'data-label': 'Server'}, serverCell(model)),
        h('td', {role: 'cell', className: 'actions'},
            h('button', {type: 'button', disabled: running, 'data-control': 'start', 'aria-label': `Start ${name}`}, 'Start'),
            h('button', {type: 'button', disabled: !running, 'data-control': 'stop', 'aria-label': `Stop ${name}`}, 'Stop')));
}

/** Clicks and changes of every row's controls, dispatched by the control's data-control. */
function onTableEvent(event) {
    const control = event.target.closest('[data-control]');
    const row = control?.closest('tr[data-id]');
    if (!row) {
        return;
    }
    const id = row.dataset.id;
    const kind = control.dataset.control;
    if (event.type === 'change') {
        if (kind === 'tier') {
            setTier(id, control.value || null);
        } else if (kind === 'thinking') {
            setThinking(id, control.value === '' ? null : control.value === 'on');
        } else if (kind === 'enabled') {
            setEnabled(id, control.checked);
        }
    } else if (kind === 'details') {
        openDetail(id);
    } else if (kind === 'clear-tier') {
        setTier(id, null);
    } else if (kind === 'start') {
        startServer(id);
    } else if (kind === 'stop') {
        stopServer(id);
    }
}

/** The row control that has the focus, so that a re-render can give it back (keyboard users). */
function focusedControl() {
    const active = document.activeElement;
    const row = active?.closest?.('tr[data-id]');
    return row && active.dataset.control ? {id: row.dataset.id, control: active.dataset.control} : null;
}

function restoreFocus(focus) {
    const row = focus && rows.get(focus.id);
    if (!row || (document.activeElement && document.activeElement !== document.body)) {
        return;
    }
    let target = row.querySelector(`[data-control="${focus.control}"]:not(:disabled)`);
    if (!target && ['start', 'stop'].includes(focus.control)) {
        // Start turned into Stop, or the reverse: the other button of the pair.
        target = row.querySelector('[data-control=start]:not(:disabled), [data-control=stop]:not(:disabled)');
    }
    (target ?? row.querySelector('[data-control=details]')).focus();
}

function renderModels() {
    if (!state.registry) {
        return;
    }
    const focus = focusedControl();
    const list = visibleModels();
    const body = document.createDocumentFragment();
    rows.clear();
    for (const model of list) {
        const row = modelRow(model);
        rows.set(model.modelId, row);
        body.append(row);
    }
    const tbody = $('model-table').tBodies[0];
    tbody.replaceChildren(body);
    const total = models().length;
    $('model-count').textContent = `${list.length} of ${total} models`;
    const empty = $('models-empty');
    empty.hidden = total > 0;
    empty.textContent = state.registry && !total
        ? `No models found under ${state.registry.scanPath}. Add GGUF files there, or rescan from the System tab.`
        : '';
    for (const button of document.querySelectorAll('th button[data-sort]')) {
        const sorted = button.dataset.sort === sort.key;
        button.closest('th').setAttribute('aria-sort', sorted ? (sort.direction > 0 ? 'ascending' : 'descending') : 'none');
    }
    restoreFocus(focus);
}

/** A server's state changed: update its row only, so 1,000 rows are not rebuilt per event. */
function updateServerRow(server) {
    if (sort.key === 'state' || $('filter-state').value === 'running') {
        // The row may move or (dis)appear.
        renderModels();
        return;
    }
    const row = rows.get(server.modelId);
    const model = state.registry?.models[server.modelId];
    if (!row || !model) {
        return;
    }
    const focus = focusedControl();
    const fresh = modelRow(model);
    rows.set(server.modelId, fresh);
    row.replaceWith(fresh);
    restoreFocus(focus);
}

/**
 * After a registry change that leaves the table's rows and their order as they were (a tier, a port,
 * a setting), redraws only the rows of models that changed; answers false when the whole table must
 * be drawn again.
 */
function redrawChangedRows(before) {
    const list = visibleModels();
    if (!list.length || list.length !== rows.size) {
        return false;
    }
    let i = 0;
    for (const id of rows.keys()) {
        if (list[i++].modelId !== id) {
            return false;
        }
    }
    const focus = focusedControl();
    for (const model of list) {
        const old = before.models[model.modelId];
        if (!old || JSON.stringify(old) !== JSON.stringify(model)) {
            const fresh = modelRow(model);
            rows.get(model.modelId).replaceWith(fresh);
            rows.set(model.modelId, fresh);
        }
    }
    $('model-count').textContent = `${list.length} of ${models().length} models`;
    restoreFocus(focus);
    return true;
}

async function setTier(id, tier) {
    if (await attempt(() => api('PUT', `${API}/${encodeURIComponent(id)}/tier`, {tier}))) {
        await loadRegistry();
    }
}

async function setThinking(id, thinking) {
    if (await attempt(() => api('PUT', `${API}/${encodeURIComponent(id)}/thinking`, {thinking}))) {
        await loadRegistry();
    }
}

async function setEnabled(id, enabled) {
    await attempt(() => api('PUT', `${API}/${encodeURIComponent(id)}/enabled`, {enabled}));
    await loadRegistry();
}

async function startServer(id) {
    const seen = eventsSeen(id);
    const server = await attempt(() => api('POST', `${API}/servers/${encodeURIComponent(id)}/start?wait=false`),
        `Starting ${id}`);
    if (server) {
        applyServer(server, seen);
    }
}

async function stopServer(id) {
    const seen = eventsSeen(id);
    const server = await attempt(() => api('POST', `${API}/servers/${encodeURIComponent(id)}/stop`), `Stopped ${id}`);
    if (server) {
        applyServer(server, seen);
    }
}

export function setUpModels() {
    $('model-table').tBodies[0].addEventListener('click', onTableEvent);
    $('model-table').tBodies[0].addEventListener('change', onTableEvent);
    for (const id of ['search', 'filter-tier', 'filter-state']) {
        $(id).addEventListener('input', renderModels);
    }
    for (const button of document.querySelectorAll('th button[data-sort]')) {
        button.addEventListener('click', () => {
            const key = button.dataset.sort;
            sort = {key, direction: sort.key === key ? -sort.direction : 1};
            renderModels();
        });
    }
    onChange('registry', before => {
        if (!before || !redrawChangedRows(before)) {
            renderModels();
        }
    });
    onChange('server', updateServerRow);
    setInterval(() => {
        // Only running servers have an uptime: 1,000 idle rows cost nothing here.
        for (const server of state.servers.values()) {
            const cell = rows.get(server.modelId)?.querySelector('.uptime');
            const text = uptime(server);
            if (cell && cell.textContent !== (text ? ` · ${text}` : '')) {
                cell.textContent = text ? ` · ${text}` : '';
            }
        }
    }, 1000);
}
