// MAGI's WebUI: one page, plain ES modules, no build step. Every change goes through the REST API;
// live state arrives as server-sent events, so the page polls only what no event tells (the gateway
// page's request log, while it is shown). This module only starts the
// page: each of its pages (models, gateway, system, profiles) lives in a module of its own.
import {closeDetail, setUpDetail} from './detail.js';
import {setUpGateway} from './gateway.js';
import {followEvents, unfollowEvents} from './live.js';
import {setUpModels} from './models.js';
import {setUpPlayground} from './playground.js';
import {setUpProfiles} from './profiles.js';
import {loadProfiles, loadRegistry, loadServers} from './store.js';
import {setUpSystem} from './system.js';
import {followTabs} from './tabs.js';
import {keepToastsInView} from './toasts.js';

function start() {
    keepToastsInView();
    followTabs();
    // The models page before the system page: a change redraws the table first, then the counts.
    setUpModels();
    setUpSystem();
    setUpDetail();
    setUpProfiles();
    setUpGateway();
    setUpPlayground();

    // In parallel: the table is drawn once, when the registry comes; servers known by then are in it.
    loadServers();
    loadRegistry();
    loadProfiles();
    followEvents();
    // A page left for another stays alive in the back/forward cache: its streams would hold two of
    // the browser's six connections to MAGI each, and a seventh page would wait for a free one.
    window.addEventListener('pagehide', () => {
        unfollowEvents();
        closeDetail();
    });
    window.addEventListener('pageshow', event => {
        if (event.persisted) {
            followEvents();
            loadRegistry();
            loadProfiles();
        }
    });
}

start();
