// The playground: one question to a model, a tier or `auto` through the gateway's /v1, the answer
// streamed in as it is written, and the route MAGI chose (its X-MAGI-* headers). Whatever comes
// back, answers and error messages alike, is shown as text, never parsed as HTML.
import {fetchWithKey, readEvents} from './api.js';
import {$, fact, h} from './dom.js';
import {onChange} from './store.js';

const ROUTE_HEADERS = [['Model', 'X-MAGI-Model'], ['Route', 'X-MAGI-Route'], ['Tier', 'X-MAGI-Tier'],
    ['Score', 'X-MAGI-Score']];

let running = null;

/** An error answer of the gateway (OpenAI's shape) or of anything in front of it, as one readable line. */
function errorMessage(status, body) {
    try {
        const error = JSON.parse(body).error;
        if (error && typeof error === 'object') {
            return `${error.message ?? 'The request failed'} (${error.code ?? error.type ?? `HTTP ${status}`})`;
        }
    } catch (e) {
        // Not JSON: the text itself, shortened, says the most.
    }
    return `HTTP ${status}: ${body.slice(0, 200) || 'no message'}`;
}

function showError(message) {
    $('pg-error').textContent = message;
    $('pg-error').hidden = false;
    $('pg-answer').dataset.state = 'failed';
}

async function loadChoices() {
    const select = $('pg-model');
    let list;
    try {
        const response = await fetchWithKey('v1/models');
        const body = await response.text();
        if (!response.ok) {
            showError(errorMessage(response.status, body));
            return;
        }
        list = JSON.parse(body).data ?? [];
    } catch (e) {
        showError(`The models could not be read: ${e.message}`);
        return;
    }
    const chosen = select.value || 'auto';
    const virtual = list.filter(m => m.magi?.virtual);
    const models = list.filter(m => !m.magi?.virtual);
    select.replaceChildren(
        h('optgroup', {label: 'MAGI chooses'}, virtual.map(m => h('option', {value: m.id}, m.id))),
        h('optgroup', {label: 'Models'}, models.map(m => h('option', {value: m.id}, m.id))));
    select.value = list.some(m => m.id === chosen) ? chosen : (list[0]?.id ?? '');
}

async function send(event) {
    event.preventDefault();
    running?.abort();
    const controller = new AbortController();
    running = controller;
    const answer = $('pg-answer');
    answer.replaceChildren();
    answer.dataset.state = 'waiting';
    $('pg-error').hidden = true;
    $('pg-route').replaceChildren();
    $('pg-send').disabled = true;
    $('pg-stop').disabled = false;
    try {
        const response = await fetchWithKey('v1/chat/completions', {
            method: 'POST',
            headers: {'Content-Type': 'application/json', Accept: 'text/event-stream'},
            body: JSON.stringify({model: $('pg-model').value, stream: true,
                messages: [{role: 'user', content: $('pg-prompt').value}]}),
            signal: controller.signal,
        });
        $('pg-route').replaceChildren(...ROUTE_HEADERS.flatMap(([label, name]) => fact(label, response.headers.get(name))));
        if (!response.ok) {
            showError(errorMessage(response.status, await response.text()));
            return;
        }
        answer.dataset.state = 'streaming';
        await readEvents(response.body, (type, data) => {
            if (data?.error) {
                // The server broke off after the answer began: its error is the stream's last event.
                showError(errorMessage(response.status, JSON.stringify(data)));
                return;
            }
            const delta = data?.choices?.[0]?.delta?.content;
            if (typeof delta === 'string') {
                answer.append(delta);
            }
        });
        if (answer.dataset.state === 'streaming') {
            answer.dataset.state = 'done';
        }
    } catch (e) {
        if (e.name === 'AbortError') {
            answer.dataset.state = 'stopped';
        } else {
            showError(`The request failed: ${e.message}`);
        }
    } finally {
        if (running === controller) {
            running = null;
            $('pg-send').disabled = false;
            $('pg-stop').disabled = true;
        }
    }
}

export function setUpPlayground() {
    $('playground').addEventListener('submit', send);
    $('pg-stop').addEventListener('click', () => running?.abort());
    const refresh = () => {
        if (!$('tab-gateway').hidden) {
            loadChoices();
        }
    };
    window.addEventListener('hashchange', refresh);
    onChange('registry', refresh);
    refresh();
}
