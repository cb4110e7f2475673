// The gateway's traffic as two charts: requests and generated tokens per second, by tier, over the
// last five minutes, binned here from the request log. The charts are drawn by uPlot, a small canvas
// chart library served from its WebJar under vendor/; it is loaded the first time a chart is drawn,
// so the other pages never fetch it.
import {$} from './dom.js';

const WINDOW_SECONDS = 300;
const BIN_SECONDS = 5;
const BINS = WINDOW_SECONDS / BIN_SECONDS;
/** The series of each chart: the tiers, and the requests refused before a tier was chosen. */
const SERIES = [
    {key: 'fast', label: 'fast', stroke: '#2b8a3e'},
    {key: 'balanced', label: 'balanced', stroke: '#3b5bdb'},
    {key: 'powerful', label: 'powerful', stroke: '#c92a2a'},
    {key: null, label: 'not routed', stroke: '#868e96'},
];

let library = null;

function uPlotLibrary() {
    library ??= import('./vendor/uPlot.esm.js').then(module => module.default);
    return library;
}

/**
 * Bins requests by the second their answer ended, into {times, requests, tokens}: the bins' start
 * times (seconds since the epoch, as uPlot's time axis takes them) and, per series, the requests and
 * the completion tokens per second in each bin.
 */
export function bin(requests, nowMillis) {
    const last = Math.floor(nowMillis / 1000 / BIN_SECONDS) * BIN_SECONDS;
    const first = last - WINDOW_SECONDS + BIN_SECONDS;
    const times = Array.from({length: BINS}, (_, i) => first + i * BIN_SECONDS);
    const perSecond = () => SERIES.map(() => new Array(BINS).fill(0));
    const result = {times, requests: perSecond(), tokens: perSecond()};
    for (const request of requests) {
        const ended = (Date.parse(request.time) + (request.totalMs ?? 0)) / 1000;
        const index = Math.floor((ended - first) / BIN_SECONDS);
        if (!(index >= 0 && index < BINS)) {
            continue;
        }
        const series = Math.max(0, SERIES.findIndex(s => s.key === (request.tier ?? null)));
        result.requests[series][index] += 1 / BIN_SECONDS;
        result.tokens[series][index] += (request.completionTokens ?? 0) / BIN_SECONDS;
    }
    return result;
}

function options(element, unit) {
    return {
        width: Math.max(element.clientWidth, 280),
        height: 180,
        series: [{}, ...SERIES.map(s => ({label: s.label, stroke: s.stroke, width: 2,
            value: (plot, value) => value === null ? '—' : `${value.toFixed(2)} ${unit}`}))],
        axes: [{}, {size: 50}],
        scales: {y: {range: (plot, min, max) => [0, Math.max(1, max)]}},
    };
}

function place(id, unit, times, series, uPlot) {
    const element = $(id);
    const data = [times, ...series];
    // The chart is kept on its element: the next draw updates it, and the page's tests read its data there.
    if (element.plot) {
        element.plot.setData(data);
    } else {
        element.replaceChildren();
        element.plot = new uPlot(options(element, unit), data, element);
    }
}

/** Draws (or updates) both charts from the request log. */
export async function drawTraffic(requests) {
    let uPlot;
    try {
        uPlot = await uPlotLibrary();
    } catch (e) {
        library = null;
        for (const id of ['chart-requests', 'chart-tokens']) {
            $(id).textContent = `The chart library could not be loaded: ${e.message}`;
        }
        return;
    }
    const data = bin(requests, Date.now());
    place('chart-requests', 'req/s', data.times, data.requests, uPlot);
    place('chart-tokens', 'tok/s', data.times, data.tokens, uPlot);
}

/** Fits the charts to their boxes again, after the window changed size. */
export function resizeTraffic() {
    for (const id of ['chart-requests', 'chart-tokens']) {
        const element = $(id);
        if (element.plot && element.clientWidth) {
            element.plot.setSize({width: element.clientWidth, height: 180});
        }
    }
}
