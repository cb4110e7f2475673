// Live updates: MAGI's event stream tells of every change, so the page never polls. What may have
// changed while the stream was down is read again when it is back.
import {follow} from './api.js';
import {$} from './dom.js';
import {API, gatewayEvent, loadProfiles, loadRegistry, loadServers, registryChanged, serverEvent} from './store.js';

let stopEvents = null;

function onEvent(type, data) {
    if (type === 'server' && data && data.modelId) {
        serverEvent(data);
    } else if (type === 'registry') {
        registryChanged();
    } else if (type === 'profile') {
        loadProfiles();
    } else if (type === 'gateway' && data && data.modelId) {
        gatewayEvent(data);
    }
}

export function followEvents() {
    let reconnect = false;
    stopEvents = follow(`${API}/events`, onEvent, connected => {
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

export function unfollowEvents() {
    stopEvents?.();
    stopEvents = null;
}
