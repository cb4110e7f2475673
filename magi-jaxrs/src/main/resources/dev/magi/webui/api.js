// The MAGI API from the browser: JSON requests with the session's API key, the API's error
// message on failure, and server-sent event streams read with fetch (EventSource cannot send a key).

const KEY_STORAGE = 'magi.apiKey';

/** An API failure: `status`, and the API's `error`, `message` and `details`. */
export class ApiError extends Error {
    constructor(status, body) {
        super(body && body.message ? body.message : `Request failed with HTTP ${status}`);
        this.status = status;
        this.error = body && body.error;
        this.details = body && body.details;
    }
}

let keyPrompt = null;

/** Shows the key dialog once, however many requests are waiting for it. */
function askForKey() {
    if (!keyPrompt) {
        keyPrompt = new Promise(resolve => {
            const dialog = document.getElementById('key-dialog');
            const input = document.getElementById('key-input');
            const form = document.getElementById('key-form');
            input.value = '';
            // Without a key the page can do nothing: Escape does not dismiss the question.
            dialog.oncancel = event => event.preventDefault();
            form.onsubmit = event => {
                event.preventDefault();
                if (!input.value) {
                    return;
                }
                sessionStorage.setItem(KEY_STORAGE, input.value);
                dialog.close();
                keyPrompt = null;
                resolve();
            };
            dialog.showModal();
            input.focus();
        });
    }
    return keyPrompt;
}

/** Forgets the key, if it still is the one a refused request sent (a newer one may have been entered since). */
function forgetKey(sent) {
    if (sessionStorage.getItem(KEY_STORAGE) === sent) {
        sessionStorage.removeItem(KEY_STORAGE);
    }
}

function keyHeader() {
    const key = sessionStorage.getItem(KEY_STORAGE);
    return key ? {'X-API-Key': key} : {};
}

function headers(json) {
    const result = {Accept: 'application/json', ...keyHeader()};
    if (json) {
        result['Content-Type'] = 'application/json';
    }
    return result;
}

/**
 * Fetches `path` with the session's key (an API path, or the gateway's /v1, which takes the same key);
 * a refusal for want of a key asks for one and tries again. Answers the response.
 */
export async function fetchWithKey(path, init = {}) {
    for (;;) {
        const sent = sessionStorage.getItem(KEY_STORAGE);
        // The key last and read afresh at each try: the one entered after a refusal must be the one sent.
        const response = await fetch(path, {...init, headers: {Accept: 'application/json', ...init.headers,
            ...keyHeader()}});
        if (response.status !== 401) {
            return response;
        }
        forgetKey(sent);
        if (sessionStorage.getItem(KEY_STORAGE) === null) {
            await askForKey();
        }
    }
}

/** Calls the API; answers the parsed body, or throws ApiError carrying the API's message. */
export async function api(method, path, body) {
    const response = await fetchWithKey(path, {
        method,
        headers: body === undefined ? {} : {'Content-Type': 'application/json'},
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let data = null;
    if (text) {
        try {
            data = JSON.parse(text);
        } catch (e) {
            data = {message: text.slice(0, 200)};
        }
    }
    if (!response.ok) {
        throw new ApiError(response.status, data);
    }
    return data;
}

/**
 * Follows a server-sent event stream, reconnecting with back-off. `onEvent(type, data)` gets each
 * event; `onStatus(connected)` tells when the stream is up or down. Answers a function that stops it.
 */
export function follow(path, onEvent, onStatus = () => {}) {
    let stopped = false;
    let controller = null;
    let delay = 500;

    async function run() {
        while (!stopped) {
            controller = new AbortController();
            try {
                const sent = sessionStorage.getItem(KEY_STORAGE);
                const response = await fetch(path, {headers: {...headers(false), Accept: 'text/event-stream'},
                    signal: controller.signal});
                if (response.status === 401) {
                    forgetKey(sent);
                    if (sessionStorage.getItem(KEY_STORAGE) === null) {
                        await askForKey();
                    }
                    continue;
                }
                if (!response.ok || !response.body) {
                    throw new Error(`HTTP ${response.status}`);
                }
                onStatus(true);
                delay = 500;
                await readEvents(response.body, onEvent);
            } catch (e) {
                if (stopped) {
                    return;
                }
            }
            onStatus(false);
            await new Promise(resolve => setTimeout(resolve, delay));
            delay = Math.min(delay * 2, 10000);
        }
    }

    run();
    return () => {
        stopped = true;
        if (controller) {
            controller.abort();
        }
    };
}

/**
 * Reads a server-sent event stream to its end: `onEvent(type, data)` for each event, its data parsed
 * as JSON when it is JSON, else left as text (the gateway's `[DONE]`).
 */
export async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let type = 'message';
    let data = [];
    for (;;) {
        const {value, done} = await reader.read();
        if (done) {
            return;
        }
        buffer += value;
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline).replace(/\r$/, '');
            buffer = buffer.slice(newline + 1);
            if (line === '') {
                if (data.length) {
                    let parsed = data.join('\n');
                    try {
                        parsed = JSON.parse(parsed);
                    } catch (e) {
                        // Plain text data stays text.
                    }
                    onEvent(type, parsed);
                }
                type = 'message';
                data = [];
            } else if (line.startsWith('event:')) {
                type = line.slice(6).trim();
            } else if (line.startsWith('data:')) {
                data.push(line.slice(5).replace(/^ /, ''));
            }
        }
    }
}
