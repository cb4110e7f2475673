// The system page: the registry's facts and rescan, the tier thresholds, the port range, and the
// servers as a whole.
import {api} from './api.js';
import {$, fact, h} from './dom.js';
import {API, TIERS, loadRegistry, loadServers, models, onChange, state} from './store.js';
import {attempt} from './toasts.js';

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
    renderLlamaServer(state.llamaServer);
}

/** The binary the servers run: its version, or why it cannot be used, which no start would fix. */
function renderLlamaServer(binary) {
    if (!binary) {
        return;
    }
    $('llama-server-facts').replaceChildren(
        ...fact('Path', h('code', {}, binary.path)),
        ...fact('Version', binary.version),
        ...fact('Built with', binary.build));
    const problem = $('llama-server-error');
    problem.textContent = binary.error ?? '';
    problem.hidden = !binary.error;
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

export function setUpSystem() {
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
    onChange('registry', renderSystem);
    onChange('servers', renderSystem);
}
