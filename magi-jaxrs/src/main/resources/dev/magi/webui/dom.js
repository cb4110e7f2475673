// Small helpers the pages share to build their parts: elements by id, elements made from text
// (never parsed as HTML), and the facts of a definition list.

export const $ = id => document.getElementById(id);

/** Creates an element; text is always set as text, never parsed as HTML. */
export function h(tag, attributes = {}, ...children) {
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

/** A term and its value for a definition list; a missing value shows as a dash. */
export function fact(label, value) {
    return [h('dt', {}, label), h('dd', {}, value === null || value === undefined || value === '' ? '–' : value)];
}
