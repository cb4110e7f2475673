// Messages to the user: toasts that come and go, and API calls that show the API's message when
// they fail, so that no page handles a failure on its own.
import {ApiError} from './api.js';
import {$, h} from './dom.js';

/**
 * Keeps the toasts inside the modal dialog that is open, if any: everything outside a modal dialog is
 * inert, so a toast there could be neither seen above it nor read out by a screen reader.
 */
export function placeToasts() {
    const toasts = $('toasts');
    const host = document.querySelector('dialog[open]:modal') ?? document.body;
    if (toasts.parentElement !== host) {
        host.append(toasts);
    }
}

export function toast(message, kind = 'error') {
    const item = h('div', {className: `toast ${kind}`, 'data-kind': kind}, message);
    placeToasts();
    $('toasts').append(item);
    setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

/** Runs an API call, showing the API's message when it fails. */
export async function attempt(call, success) {
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

/** Gives the toasts back to the page when a dialog that held them closes. */
export function keepToastsInView() {
    for (const dialog of document.querySelectorAll('dialog')) {
        dialog.addEventListener('close', placeToasts);
    }
}
