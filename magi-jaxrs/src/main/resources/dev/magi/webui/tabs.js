// Which page is shown: the address's #hash picks it, so a reload, a link or the back
// button keeps the page a person was on.

function showTab() {
    const tab = (location.hash || '#models').slice(1);
    for (const section of document.querySelectorAll('.tab')) {
        section.hidden = section.id !== `tab-${tab}`;
    }
    for (const link of document.querySelectorAll('nav a')) {
        link.setAttribute('aria-current', link.dataset.tab === tab ? 'page' : 'false');
    }
}

export function followTabs() {
    window.addEventListener('hashchange', showTab);
    showTab();
}
