// MAGI's WebUI: one page, plain ES modules, no build step. Every change goes through the REST API;
// live state arrives as server-sent events, so the page never polls.
import {api, ApiError, follow} from './api.js';

const TIERS = ['fast', 'balanced', 'powerful'];
const API = 'api/models';
const state = {
    registry: null,
    servers: new Map(),
    sort: {key: 'displayName', direction: 1},
    rows: new Map(),
    profiles: [],
    activeProfile: null,
    editing: null,
    stopLog: null,
    stopEvents: null,
};

const $ = id => document.getElementById(id);

/** Creates an element; text is always set as text, never parsed as HTML. */
function h(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
        if (value === undefined || value === null || value === false) {
            continue;
        }
        if (name.startsWith('on')) {
            element.addEventListener(name.slice(2), value);
        } else if (name === 'className') {
            element.className = value;
        } else if (value === true) {
            element.setAttribute(name, '');
        } else {
            element.setAttribute(name, value);
        }
    }
    for (const child of children.flat()) {
        if (child !== null && child !== undefined && child !== false) {
            element.append(child instanceof Node ? child : String(child));
        }
    }
    return element;
}

/**
 * Keeps the toasts inside the modal dialog that is open, if any: everything outside a modal dialog is
 * inert, so a toast there could be neither seen above it nor read out by a screen reader.
 */
function placeToasts() {
    const toasts = $('toasts');
    const host = document.querySelector('dialog[open]:modal') ?? document.body;
    if (toasts.parentElement !== host) {
        host.append(toasts);
    }
}

function toast(message, kind = 'error') {
    const item = h('div', {className: `toast ${kind}`, 'data-kind': kind}, message);
    placeToasts();
    $('toasts').append(item);
    setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

/** Runs an API call, showing the API's message when it fails. */
async function attempt(call, success) {
    try {
        const result = await call();
        if (success) {
            toast(typeof success === 'function' ? success(result) : success, 'ok');
        }
        return result;
    } catch (e) {
        toast(e instanceof ApiError ? e.message : `Request failed: ${e.message}`);
        return undefined;
    }
}

// ------------------------------------------------------------------ tabs

function showTab() {
    const tab = (location.hash || '#models').slice(1);
    for (const section of document.querySelectorAll('.tab')) {
        section.hidden = section.id !== `tab-${tab}`;
    }
    for (const link of document.querySelectorAll('nav a')) {
        link.setAttribute('aria-current', link.dataset.tab === tab ? 'page' : 'false');
    }
}

// ------------------------------------------------------------------ models

function models() {
    return state.registry ? Object.values(state.registry.models) : [];
}

function serverOf(id) {
    return state.servers.get(id);
}

/** How many server events have arrived for a model: an answer older than the last event is stale. */
const serverEvents = new Map();

function eventsSeen(id) {
    return serverEvents.get(id) ?? 0;
}

/** Applies a server status from an API answer, unless an event about that server came since `seen`. */
function applyServer(server, seen) {
    if (eventsSeen(server.modelId) !== seen) {
        return;
    }
    state.servers.set(server.modelId, server);
    updateServerRow(server);
}

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
    const {key, direction} = state.sort;
    return models().filter(m => {
        if (tier && m.effectiveTier !== tier) {
            return false;
        }
        const running = ['starting', 'ready', 'restarting'].includes(serverOf(m.modelId)?.state);
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
    const running = ['starting', 'ready', 'restarting'].includes(serverOf(id)?.state);
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
    const row = focus && state.rows.get(focus.id);
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
    state.rows.clear();
    for (const model of list) {
        const row = modelRow(model);
        state.rows.set(model.modelId, row);
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
        const sorted = button.dataset.sort === state.sort.key;
        button.closest('th').setAttribute('aria-sort', sorted ? (state.sort.direction > 0 ? 'ascending' : 'descending') : 'none');
    }
    restoreFocus(focus);
}

/** A server's state changed: update its row only, so 1,000 rows are not rebuilt per event. */
function updateServerRow(server) {
    if (state.sort.key === 'state' || $('filter-state').value === 'running') {
        // The row may move or (dis)appear.
        renderModels();
        return;
    }
    const row = state.rows.get(server.modelId);
    const model = state.registry?.models[server.modelId];
    if (!row || !model) {
        return;
    }
    const focus = focusedControl();
    const fresh = modelRow(model);
    state.rows.set(server.modelId, fresh);
    row.replaceWith(fresh);
    restoreFocus(focus);
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

// ------------------------------------------------------------------ detail panel

function fact(label, value) {
    return [h('dt', {}, label), h('dd', {}, value === null || value === undefined || value === '' ? '–' : value)];
}

function bytes(count) {
    const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
    let value = count;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
        value /= 1000;
        unit++;
    }
    return unit ? `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}` : `${count} bytes`;
}

function openDetail(id) {
    const model = state.registry.models[id];
    if (!model) {
        return;
    }
    state.detail = id;
    $('detail-title').textContent = model.displayName;
    $('detail-body').replaceChildren(
        h('dl', {className: 'facts'},
            fact('Id', model.modelId),
            fact(model.parts.length > 1 ? 'Files' : 'File', model.parts.length > 1
                ? h('ol', {}, model.parts.map(p => h('li', {}, p))) : model.filePath),
            fact('Size on disk', bytes(model.fileSizeBytes)),
            fact('Architecture', model.architecture),
            fact('Family / version', [model.family, model.version].filter(Boolean).join(' ')),
            fact('Parameters', model.parameterCount ? model.parameterCount.toLocaleString() : model.sizeLabel),
            fact('Quantization', model.quantization),
            fact('Context length', model.contextLength?.toLocaleString()),
            fact('Tier', `${model.effectiveTier}${model.tierOverride ? ' (set by you)' : ''}`),
            fact('Projector', model.mmprojPath),
            fact('Facts from', model.metadataSource === 'gguf' ? 'GGUF header' : 'file name'),
            fact('Problems', model.problems.length ? h('ul', {}, model.problems.map(p => h('li', {}, p))) : 'none')));
    $('rt-ngl').value = model.nGpuLayers ?? '';
    $('rt-ctx').value = model.ctxSize ?? '';
    $('rt-threads').value = model.nThreads ?? '';
    $('rt-batch').value = model.batchSize ?? '';
    $('rt-port').value = model.portPinned ? model.port : '';
    $('rt-port').placeholder = model.port && !model.portPinned ? `${model.port} (from the range)` : 'from the range';
    const log = $('log');
    log.textContent = '';
    if (state.stopLog) {
        state.stopLog();
    }
    state.stopLog = follow(`${API}/servers/${encodeURIComponent(id)}/logs/stream`, (type, data) => {
        if (data && data.line !== undefined) {
            const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
            log.append(`${data.line}\n`);
            if (atBottom) {
                log.scrollTop = log.scrollHeight;
            }
        }
    }, connected => {
        // Each connection starts with the log's tail again: show it once, not once per reconnect.
        if (connected) {
            log.textContent = '';
        }
    });
    $('detail').showModal();
    placeToasts();
}

function numberOrNull(input) {
    return input.value === '' ? null : Number(input.value);
}

async function saveRuntime(event) {
    event.preventDefault();
    const id = state.detail;
    const body = {nGpuLayers: numberOrNull($('rt-ngl')), ctxSize: numberOrNull($('rt-ctx')),
        nThreads: numberOrNull($('rt-threads')), batchSize: numberOrNull($('rt-batch'))};
    if (await attempt(() => api('PUT', `${API}/${encodeURIComponent(id)}/runtime-settings`, body), 'Runtime settings saved')) {
        await loadRegistry();
    }
}

async function savePort(event) {
    event.preventDefault();
    const id = state.detail;
    const result = await attempt(() => api('PUT', `${API}/${encodeURIComponent(id)}/port`, {port: numberOrNull($('rt-port'))}),
        r => r.restartRequired ? `${r.message}; restart the server to use it` : r.message);
    if (result) {
        await loadRegistry();
    }
}

// ------------------------------------------------------------------ system

function renderSystem() {
    const registry = state.registry;
    if (!registry) {
        return;
    }
    const all = models();
    $('system-facts').replaceChildren(
        ...fact('Scan path', registry.scanPath),
        ...fact('Last scan', registry.lastScan ? new Date(registry.lastScan).toLocaleString() : 'never'),
        ...fact('Models', all.length),
        ...fact('Enabled', all.filter(m => m.enabled).length));
    $('tier-counts').replaceChildren(...TIERS.flatMap(t => fact(t, all.filter(m => m.effectiveTier === t).length)));
    if (document.activeElement?.form !== $('thresholds-form')) {
        $('powerful-min').value = registry.tierThresholds.powerful_min;
        $('fast-max').value = registry.tierThresholds.fast_max;
    }
    if (document.activeElement?.form !== $('port-range-form')) {
        $('port-start').value = registry.portRange[0];
        $('port-end').value = registry.portRange[1];
    }
    const servers = [...state.servers.values()];
    $('server-counts').replaceChildren(
        ...fact('Running', servers.filter(s => s.isRunning).length),
        ...fact('Ready', servers.filter(s => s.isReady).length),
        ...fact('Failed', servers.filter(s => s.state === 'failed').length));
}

async function rescan() {
    const button = $('rescan');
    button.disabled = true;
    const summary = await attempt(() => api('POST', `${API}/rescan`));
    button.disabled = false;
    if (!summary) {
        return;
    }
    $('rescan-result').replaceChildren(
        h('p', {}, summary.message),
        h('p', {}, `Found ${summary.modelsFound}, added ${summary.modelsAdded}, removed ${summary.modelsRemoved}, `
            + `skipped ${summary.skipped.length} in ${summary.durationMs} ms`),
        summary.skipped.length ? h('details', {}, h('summary', {}, 'Skipped files'),
            h('ul', {}, summary.skipped.map(s => h('li', {}, h('code', {}, s.path), ': ', s.reason)))) : null);
    await loadRegistry();
}

async function startAll() {
    const result = await attempt(() => api('POST', `${API}/servers/start-all`));
    if (result) {
        $('servers-result').replaceChildren(
            h('p', {}, `Started ${result.started.length}, already running ${result.alreadyRunning.length}, failed ${result.failed.length}`),
            result.failed.length ? h('ul', {}, result.failed.map(f => h('li', {}, `${f.modelId}: ${f.message}`))) : null);
        await loadServers();
    }
}

async function stopAll() {
    const result = await attempt(() => api('POST', `${API}/servers/stop-all`));
    if (result) {
        $('servers-result').replaceChildren(h('p', {}, `Stopped ${result.stopped} servers`));
        await loadServers();
    }
}

// ------------------------------------------------------------------ profiles

function renderProfiles() {
    $('profile-list').replaceChildren(...state.profiles.map(name => h('li', {},
        h('button', {type: 'button', className: 'link', 'aria-current': state.editing === name ? 'true' : 'false',
            onclick: () => editProfile(name)}, name),
        name === state.activeProfile ? h('span', {className: 'badge active'}, 'active') : null)));
    if (!state.profiles.length) {
        $('profile-list').append(h('li', {className: 'muted'}, 'No profiles yet.'));
    }
}

function tierSelect(id, value) {
    const select = $(id);
    select.replaceChildren(...TIERS.map(t => h('option', {value: t, selected: t === value}, t)));
}

function fillProfileForm(profile, isNew) {
    state.editing = isNew ? null : profile.name;
    $('profile-form').hidden = false;
    $('profile-form-title').textContent = isNew ? 'New profile' : `Profile ${profile.name}`;
    $('profile-name').value = profile.name ?? '';
    $('profile-name').readOnly = !isNew;
    $('profile-description').value = profile.description ?? '';
    const chosen = new Set(profile.enabledModels ?? []);
    const ids = [...new Set([...models().map(m => m.modelId), ...chosen])].sort();
    $('profile-models').replaceChildren(...ids.map(id => h('label', {},
        h('input', {type: 'checkbox', value: id, checked: chosen.has(id)}), ' ', id,
        state.registry?.models[id] ? null : h('span', {className: 'badge problem'}, 'unknown'))));
    const tierConfig = profile.tierConfig ?? TIERS.map((name, i) => ({name, maxScore: [3, 7, null][i],
        expectedTimeSeconds: [2, 5, 15][i]}));
    $('profile-tiers').replaceChildren(...tierConfig.map(t => h('div', {className: 'tier-row', 'data-tier': t.name},
        h('strong', {}, t.name),
        h('label', {}, 'max score ', h('input', {type: 'number', step: '0.1', min: '0', value: t.maxScore ?? '',
            placeholder: 'unbounded', 'data-field': 'maxScore'})),
        h('label', {}, 'expected seconds ', h('input', {type: 'number', min: '0', value: t.expectedTimeSeconds,
            'data-field': 'expectedTimeSeconds'})))));
    const twoStage = profile.twoStage ?? {enabled: false, stage1Tier: 'balanced', stage2Tier: 'powerful', stage1MaxTokens: 500};
    $('two-stage-enabled').checked = twoStage.enabled;
    tierSelect('stage1-tier', twoStage.stage1Tier);
    tierSelect('stage2-tier', twoStage.stage2Tier);
    $('stage1-max-tokens').value = twoStage.stage1MaxTokens;
    const balancing = profile.loadBalancing ?? {enabled: true, strategy: 'round_robin', healthCheckInterval: 30};
    $('lb-enabled').checked = balancing.enabled;
    $('lb-strategy').value = balancing.strategy;
    $('lb-interval').value = balancing.healthCheckInterval;
    $('activate-profile').disabled = isNew;
    $('delete-profile').disabled = isNew;
    $('profile-result').replaceChildren();
    renderProfiles();
}

async function editProfile(name) {
    const profile = await attempt(() => api('GET', `${API}/profiles/${encodeURIComponent(name)}`));
    if (profile) {
        fillProfileForm(profile, false);
    }
}

function profileFromForm() {
    return {
        name: $('profile-name').value.trim(),
        description: $('profile-description').value || null,
        enabledModels: [...$('profile-models').querySelectorAll('input:checked')].map(i => i.value),
        tierConfig: [...$('profile-tiers').querySelectorAll('.tier-row')].map(row => ({
            name: row.dataset.tier,
            maxScore: row.querySelector('[data-field=maxScore]').value === '' ? null
                : Number(row.querySelector('[data-field=maxScore]').value),
            expectedTimeSeconds: Number(row.querySelector('[data-field=expectedTimeSeconds]').value),
        })),
        twoStage: {enabled: $('two-stage-enabled').checked, stage1Tier: $('stage1-tier').value,
            stage2Tier: $('stage2-tier').value, stage1MaxTokens: Number($('stage1-max-tokens').value)},
        loadBalancing: {enabled: $('lb-enabled').checked, strategy: $('lb-strategy').value,
            healthCheckInterval: Number($('lb-interval').value)},
    };
}

async function saveProfile(event) {
    event.preventDefault();
    const profile = profileFromForm();
    const isNew = state.editing === null;
    const result = await attempt(() => isNew
        ? api('POST', `${API}/profiles`, profile)
        : api('PUT', `${API}/profiles/${encodeURIComponent(state.editing)}`, profile));
    if (result) {
        await loadProfiles();
        fillProfileForm(profile, false);
        $('profile-result').replaceChildren(h('p', {}, result.message),
            result.unknownModels?.length ? h('p', {}, `Not in the registry: ${result.unknownModels.join(', ')}`) : null);
    }
}

async function activateProfile() {
    const name = state.editing;
    const result = await attempt(() => api('POST', `${API}/profiles/${encodeURIComponent(name)}/activate`));
    if (result) {
        $('profile-result').replaceChildren(h('p', {}, result.message),
            h('p', {}, `Started: ${result.started.join(', ') || 'none'}; stopped: ${result.stopped.join(', ') || 'none'}`),
            result.failed.length ? h('ul', {}, result.failed.map(f => h('li', {}, `${f.modelId}: ${f.message}`))) : null,
            result.unknownModels.length ? h('p', {}, `Not in the registry: ${result.unknownModels.join(', ')}`) : null);
        await Promise.all([loadProfiles(), loadRegistry(), loadServers()]);
    }
}

async function deleteProfile() {
    const name = state.editing;
    if (!confirm(`Delete profile ${name}?`)) {
        return;
    }
    if (await attempt(() => api('DELETE', `${API}/profiles/${encodeURIComponent(name)}`), `Profile ${name} deleted`)) {
        $('profile-form').hidden = true;
        state.editing = null;
        await loadProfiles();
    }
}

// ------------------------------------------------------------------ loading and live updates

let registryLoads = 0;
let registryShown = 0;

async function loadRegistry() {
    const load = ++registryLoads;
    const registry = await attempt(() => api('GET', `${API}/registry`));
    // Answers may arrive out of order: an older one never replaces a newer one.
    if (registry && load > registryShown) {
        registryShown = load;
        const before = state.registry;
        state.registry = registry;
        if (!before || !redrawChangedRows(before)) {
            renderModels();
        }
        renderSystem();
    }
}

/**
 * After a registry change that leaves the table's rows and their order as they were (a tier, a port,
 * a setting), redraws only the rows of models that changed; answers false when the whole table must
 * be drawn again.
 */
function redrawChangedRows(before) {
    const list = visibleModels();
    if (!list.length || list.length !== state.rows.size) {
        return false;
    }
    let i = 0;
    for (const id of state.rows.keys()) {
        if (list[i++].modelId !== id) {
            return false;
        }
    }
    const focus = focusedControl();
    for (const model of list) {
        const old = before.models[model.modelId];
        if (!old || JSON.stringify(old) !== JSON.stringify(model)) {
            const fresh = modelRow(model);
            state.rows.get(model.modelId).replaceWith(fresh);
            state.rows.set(model.modelId, fresh);
        }
    }
    $('model-count').textContent = `${list.length} of ${models().length} models`;
    restoreFocus(focus);
    return true;
}

/** Reads every server's status, updating only the rows that changed (1,000 rows are not rebuilt). */
async function loadServers() {
    const seen = new Map(serverEvents);
    let result;
    try {
        result = await api('GET', `${API}/servers`);
    } catch (e) {
        // Servers are optional for the page: a MAGI without supervision still lists models.
        return;
    }
    const fresh = new Map(result.servers.map(s => [s.modelId, s]));
    const ids = new Set([...state.servers.keys(), ...fresh.keys()]);
    for (const id of ids) {
        if (eventsSeen(id) !== (seen.get(id) ?? 0)) {
            continue;
        }
        const before = state.servers.get(id);
        const after = fresh.get(id);
        if (after) {
            state.servers.set(id, after);
        } else {
            state.servers.delete(id);
        }
        if (before?.state !== after?.state || before?.startedAt !== after?.startedAt || before?.port !== after?.port) {
            updateServerRow(after ?? {modelId: id});
        }
    }
    renderSystem();
}

async function loadProfiles() {
    const [names, active] = await Promise.all([
        attempt(() => api('GET', `${API}/profiles`)),
        attempt(() => api('GET', `${API}/profiles/active`)),
    ]);
    state.profiles = names ?? [];
    state.activeProfile = active?.profileName ?? null;
    renderProfiles();
}

let registryReload = null;

function onEvent(type, data) {
    if (type === 'server' && data && data.modelId) {
        serverEvents.set(data.modelId, eventsSeen(data.modelId) + 1);
        state.servers.set(data.modelId, data);
        updateServerRow(data);
        renderSystem();
    } else if (type === 'registry') {
        // Bursts (a rescan of many files) give one reload, and none when a load started since the
        // event arrived (the page's own change reloads at once): that load already sees the change.
        clearTimeout(registryReload);
        const loads = registryLoads;
        registryReload = setTimeout(() => {
            if (registryLoads === loads) {
                loadRegistry();
            }
        }, 100);
    } else if (type === 'profile') {
        loadProfiles();
    }
}

function start() {
    for (const dialog of document.querySelectorAll('dialog')) {
        dialog.addEventListener('close', placeToasts);
    }
    window.addEventListener('hashchange', showTab);
    showTab();
    $('model-table').tBodies[0].addEventListener('click', onTableEvent);
    $('model-table').tBodies[0].addEventListener('change', onTableEvent);
    for (const id of ['search', 'filter-tier', 'filter-state']) {
        $(id).addEventListener('input', renderModels);
    }
    for (const button of document.querySelectorAll('th button[data-sort]')) {
        button.addEventListener('click', () => {
            const key = button.dataset.sort;
            state.sort = {key, direction: state.sort.key === key ? -state.sort.direction : 1};
            renderModels();
        });
    }
    $('rescan').addEventListener('click', rescan);
    $('start-all').addEventListener('click', startAll);
    $('stop-all').addEventListener('click', stopAll);
    $('enable-all').addEventListener('click', async () => {
        await attempt(() => api('POST', `${API}/enable-all`), r => r.message);
        await loadRegistry();
    });
    $('disable-all').addEventListener('click', async () => {
        await attempt(() => api('POST', `${API}/disable-all`), r => r.message);
        await loadRegistry();
    });
    $('thresholds-form').addEventListener('submit', async event => {
        event.preventDefault();
        await attempt(() => api('PUT', `${API}/tier-thresholds`,
            {powerful_min: Number($('powerful-min').value), fast_max: Number($('fast-max').value)}), r => r.message);
        await loadRegistry();
    });
    $('port-range-form').addEventListener('submit', async event => {
        event.preventDefault();
        await attempt(() => api('PUT', `${API}/port-range`,
            {start: Number($('port-start').value), end: Number($('port-end').value)}), r => r.message);
        await loadRegistry();
    });
    $('runtime-form').addEventListener('submit', saveRuntime);
    $('port-form').addEventListener('submit', savePort);
    $('detail').addEventListener('close', () => {
        if (state.stopLog) {
            state.stopLog();
            state.stopLog = null;
        }
    });
    $('new-profile').addEventListener('click', () => fillProfileForm({name: '', enabledModels: []}, true));
    $('profile-form').addEventListener('submit', saveProfile);
    $('activate-profile').addEventListener('click', activateProfile);
    $('delete-profile').addEventListener('click', deleteProfile);
    $('profile-model-filter').addEventListener('input', event => {
        const query = event.target.value.toLowerCase();
        for (const label of $('profile-models').children) {
            label.hidden = !label.textContent.toLowerCase().includes(query);
        }
    });
    setInterval(() => {
        // Only running servers have an uptime: 1,000 idle rows cost nothing here.
        for (const server of state.servers.values()) {
            const cell = state.rows.get(server.modelId)?.querySelector('.uptime');
            const text = uptime(server);
            if (cell && cell.textContent !== (text ? ` · ${text}` : '')) {
                cell.textContent = text ? ` · ${text}` : '';
            }
        }
    }, 1000);

    // In parallel: the table is drawn once, when the registry comes; servers known by then are in it.
    loadServers();
    loadRegistry();
    loadProfiles();
    followEvents();
    // A page left for another stays alive in the back/forward cache: its streams would hold two of
    // the browser's six connections to MAGI each, and a seventh page would wait for a free one.
    window.addEventListener('pagehide', () => {
        state.stopEvents?.();
        state.stopEvents = null;
        $('detail').close();
    });
    window.addEventListener('pageshow', event => {
        if (event.persisted) {
            followEvents();
            loadRegistry();
            loadProfiles();
        }
    });
}

function followEvents() {
    let reconnect = false;
    state.stopEvents = follow(`${API}/events`, onEvent, connected => {
        $('live').textContent = connected ? 'live' : 'reconnecting…';
        $('live').className = `live ${connected ? 'on' : 'off'}`;
        if (connected) {
            // Servers change fast: read them again at every connection. After a break, so may have
            // the registry and the profiles.
            loadServers();
            if (reconnect) {
                loadRegistry();
                loadProfiles();
            }
            reconnect = true;
        }
    });
}

start();
