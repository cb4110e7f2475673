// A model's details: its facts, its runtime settings and port, and its server's log followed live,
// in a dialog over the models page.
import {api, follow} from './api.js';
import {$, fact, h} from './dom.js';
import {API, loadRegistry, state} from './store.js';
import {attempt, placeToasts, toast} from './toasts.js';

/** The model shown, and how to stop following its log. */
let shown = null;
let stopLog = null;

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

export function openDetail(id) {
    const model = state.registry.models[id];
    if (!model) {
        return;
    }
    shown = id;
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
    $('rt-ttl').value = model.ttlSeconds ?? '';
    $('rt-gpus').value = model.gpus ?? '';
    $('rt-cpus').value = model.cpus ?? '';
    $('rt-args').value = model.extraArgs.join('\n');
    $('rt-env').value = Object.entries(model.env).map(([name, value]) => `${name}=${value}`).join('\n');
    $('rt-port').value = model.portPinned ? model.port : '';
    $('rt-port').placeholder = model.port && !model.portPinned ? `${model.port} (from the range)` : 'from the range';
    const log = $('log');
    log.textContent = '';
    if (stopLog) {
        stopLog();
    }
    stopLog = follow(`${API}/servers/${encodeURIComponent(id)}/logs/stream`, (type, data) => {
        if (data && data.line !== undefined) {
            const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
            // MAGI's own notes (a start, an exit, a restart) stand out from what the server wrote.
            log.append(data.stream === 'magi' ? h('span', {className: 'note'}, `[magi] ${data.line}\n`)
                : `${data.line}\n`);
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

/** The non-blank lines of a text box; no shell-like splitting, so a line is one argument as typed. */
function lines(textarea) {
    return textarea.value.split(/\r?\n/).filter(line => line.trim() !== '');
}

/** NAME=VALUE lines as an object; throws, naming the line, when one has no '=' after a name. */
function variables(textarea) {
    const env = {};
    for (const line of lines(textarea)) {
        const equals = line.indexOf('=');
        if (equals < 1) {
            throw new Error(`Environment line "${line}" is not NAME=VALUE`);
        }
        env[line.slice(0, equals).trim()] = line.slice(equals + 1);
    }
    return env;
}

async function saveRuntime(event) {
    event.preventDefault();
    const id = shown;
    let env;
    try {
        env = variables($('rt-env'));
    } catch (e) {
        toast(e.message);
        return;
    }
    const body = {nGpuLayers: numberOrNull($('rt-ngl')), ctxSize: numberOrNull($('rt-ctx')),
        nThreads: numberOrNull($('rt-threads')), batchSize: numberOrNull($('rt-batch')),
        ttlSeconds: numberOrNull($('rt-ttl')), extraArgs: lines($('rt-args')), env,
        gpus: numberOrNull($('rt-gpus')), cpus: numberOrNull($('rt-cpus'))};
    if (await attempt(() => api('PUT', `${API}/${encodeURIComponent(id)}/runtime-settings`, body), 'Runtime settings saved')) {
        await loadRegistry();
    }
}

async function savePort(event) {
    event.preventDefault();
    const id = shown;
    const result = await attempt(() => api('PUT', `${API}/${encodeURIComponent(id)}/port`, {port: numberOrNull($('rt-port'))}),
        r => r.restartRequired ? `${r.message}; restart the server to use it` : r.message);
    if (result) {
        await loadRegistry();
    }
}

export function closeDetail() {
    $('detail').close();
}

export function setUpDetail() {
    $('runtime-form').addEventListener('submit', saveRuntime);
    $('port-form').addEventListener('submit', savePort);
    $('detail').addEventListener('close', () => {
        if (stopLog) {
            stopLog();
            stopLog = null;
        }
    });
}
