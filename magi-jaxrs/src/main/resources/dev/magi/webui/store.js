// What the page knows of MAGI: the registry, the servers and the profiles as the API last told them,
// and the loads that bring them up to date. The pages draw from it; each says through onChange what
// it redraws after which change, so that loading knows nothing of the pages.
import {api} from './api.js';
import {attempt} from './toasts.js';

export const TIERS = ['fast', 'balanced', 'powerful'];
export const API = 'api/models';
export const state = {
    registry: null,
    servers: new Map(),
    // The binary the servers run and its version, or why it cannot be used.
    llamaServer: null,
    // The memory budget, {budgetBytes, reservedBytes, maxLoadedModels}, or null when MAGI has none.
    memory: null,
    profiles: [],
    activeProfile: null,
};

const listeners = {registry: [], server: [], servers: [], profiles: []};

/**
 * Calls `listener` after every change of `part`, in the order the listeners were added:
 * 'registry' (given the registry before), 'server' (given one server's new status), 'servers' (any
 * server changed) or 'profiles'.
 */
export function onChange(part, listener) {
    listeners[part].push(listener);
}

function changed(part, value) {
    for (const listener of listeners[part]) {
        listener(value);
    }
}

export function models() {
    return state.registry ? Object.values(state.registry.models) : [];
}

export function serverOf(id) {
    return state.servers.get(id);
}

/** How many server events have arrived for a model: an answer older than the last event is stale. */
const serverEvents = new Map();

export function eventsSeen(id) {
    return serverEvents.get(id) ?? 0;
}

/** Applies a server status from an API answer, unless an event about that server came since `seen`. */
export function applyServer(server, seen) {
    if (eventsSeen(server.modelId) !== seen) {
        return;
    }
    state.servers.set(server.modelId, server);
    changed('server', server);
}

const TRAFFIC = ['inFlight', 'queued', 'slots', 'requestsTotal'];

/** Applies a server status from the event stream: it makes any answer still on its way stale. */
export function serverEvent(server) {
    serverEvents.set(server.modelId, eventsSeen(server.modelId) + 1);
    // An event comes from the supervisor, which does not know the gateway's traffic (0 in it): the
    // last counts read from GET /servers stay until the next read.
    const before = state.servers.get(server.modelId);
    if (before) {
        server = {...server};
        for (const field of TRAFFIC) {
            if (field in before) {
                server[field] = before[field];
            }
        }
    }
    state.servers.set(server.modelId, server);
    changed('server', server);
    changed('servers');
}

/** A `gateway` event of the stream: a model's queue length is applied at once, without a read. */
export function gatewayEvent(event) {
    const server = state.servers.get(event.modelId);
    if (event.kind === 'queue' && server && typeof event.queued === 'number') {
        state.servers.set(event.modelId, {...server, queued: event.queued});
        changed('servers');
    }
}

let registryLoads = 0;
let registryShown = 0;

export async function loadRegistry() {
    const load = ++registryLoads;
    const registry = await attempt(() => api('GET', `${API}/registry`));
    // Answers may arrive out of order: an older one never replaces a newer one.
    if (registry && load > registryShown) {
        registryShown = load;
        const before = state.registry;
        state.registry = registry;
        changed('registry', before);
    }
}

let registryReload = null;

/** The registry changed on the server: loads it again, soon. */
export function registryChanged() {
    // Bursts (a rescan of many files) give one reload, and none when a load started since the
    // event arrived (the page's own change reloads at once): that load already sees the change.
    clearTimeout(registryReload);
    const loads = registryLoads;
    registryReload = setTimeout(() => {
        if (registryLoads === loads) {
            loadRegistry();
        }
    }, 100);
}

/** Reads every server's status, telling only of the servers that changed (1,000 rows are not rebuilt). */
export async function loadServers() {
    const seen = new Map(serverEvents);
    let result;
    try {
        result = await api('GET', `${API}/servers`);
    } catch (e) {
        // Servers are optional for the page: a MAGI without supervision still lists models.
        return;
    }
    state.llamaServer = result.llamaServer ?? null;
    state.memory = result.memory ?? null;
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
            changed('server', after ?? {modelId: id});
        }
    }
    changed('servers');
}

export async function loadProfiles() {
    const [names, active] = await Promise.all([
        attempt(() => api('GET', `${API}/profiles`)),
        attempt(() => api('GET', `${API}/profiles/active`)),
    ]);
    state.profiles = names ?? [];
    state.activeProfile = active?.profileName ?? null;
    changed('profiles');
}
