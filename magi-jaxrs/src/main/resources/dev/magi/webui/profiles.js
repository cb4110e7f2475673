// The profiles page: the profiles saved, and a form to write, activate or delete one.
import {api} from './api.js';
import {$, h} from './dom.js';
import {API, TIERS, loadProfiles, loadRegistry, loadServers, models, onChange, state} from './store.js';
import {attempt} from './toasts.js';

/** The name of the profile in the form, or null for a new one. */
let editing = null;

function renderProfiles() {
    $('profile-list').replaceChildren(...state.profiles.map(name => h('li', {},
        h('button', {type: 'button', className: 'link', 'aria-current': editing === name ? 'true' : 'false',
            onclick: () => editProfile(name)}, name),
        name === state.activeProfile ? h('span', {className: 'badge active'}, 'active') : null)));
    if (!state.profiles.length) {
        $('profile-list').append(h('li', {className: 'muted'}, 'No profiles yet.'));
    }
}

function tierSelect(id, value) {
    const select = $(id);
    select.replaceChildren(...TIERS.map(t => h('option', {value: t, selected: t === value}, t)));
}

function fillProfileForm(profile, isNew) {
    editing = isNew ? null : profile.name;
    $('profile-form').hidden = false;
    $('profile-form-title').textContent = isNew ? 'New profile' : `Profile ${profile.name}`;
    $('profile-name').value = profile.name ?? '';
    $('profile-name').readOnly = !isNew;
    $('profile-description').value = profile.description ?? '';
    const chosen = new Set(profile.enabledModels ?? []);
    const ids = [...new Set([...models().map(m => m.modelId), ...chosen])].sort();
    $('profile-models').replaceChildren(...ids.map(id => h('label', {},
        h('input', {type: 'checkbox', value: id, checked: chosen.has(id)}), ' ', id,
        state.registry?.models[id] ? null : h('span', {className: 'badge problem'}, 'unknown'))));
    const tierConfig = profile.tierConfig ?? TIERS.map((name, i) => ({name, maxScore: [3, 7, null][i],
        expectedTimeSeconds: [2, 5, 15][i]}));
    $('profile-tiers').replaceChildren(...tierConfig.map(t => h('div', {className: 'tier-row', 'data-tier': t.name},
        h('strong', {}, t.name),
        h('label', {}, 'max score ', h('input', {type: 'number', step: '0.1', min: '0', value: t.maxScore ?? '',
            placeholder: 'unbounded', 'data-field': 'maxScore'})),
        h('label', {}, 'expected seconds ', h('input', {type: 'number', min: '0', value: t.expectedTimeSeconds,
            'data-field': 'expectedTimeSeconds'})))));
    const twoStage = profile.twoStage ?? {enabled: false, stage1Tier: 'balanced', stage2Tier: 'powerful', stage1MaxTokens: 500};
    $('two-stage-enabled').checked = twoStage.enabled;
    tierSelect('stage1-tier', twoStage.stage1Tier);
    tierSelect('stage2-tier', twoStage.stage2Tier);
    $('stage1-max-tokens').value = twoStage.stage1MaxTokens;
    const balancing = profile.loadBalancing ?? {enabled: true, strategy: 'round_robin', healthCheckInterval: 30};
    $('lb-enabled').checked = balancing.enabled;
    $('lb-strategy').value = balancing.strategy;
    $('lb-interval').value = balancing.healthCheckInterval;
    $('activate-profile').disabled = isNew;
    $('delete-profile').disabled = isNew;
    $('profile-result').replaceChildren();
    renderProfiles();
}

async function editProfile(name) {
    const profile = await attempt(() => api('GET', `${API}/profiles/${encodeURIComponent(name)}`));
    if (profile) {
        fillProfileForm(profile, false);
    }
}

function profileFromForm() {
    return {
        name: $('profile-name').value.trim(),
        description: $('profile-description').value || null,
        enabledModels: [...$('profile-models').querySelectorAll('input:checked')].map(i => i.value),
        tierConfig: [...$('profile-tiers').querySelectorAll('.tier-row')].map(row => ({
            name: row.dataset.tier,
            maxScore: row.querySelector('[data-field=maxScore]').value === '' ? null
                : Number(row.querySelector('[data-field=maxScore]').value),
            expectedTimeSeconds: Number(row.querySelector('[data-field=expectedTimeSeconds]').value),
        })),
        twoStage: {enabled: $('two-stage-enabled').checked, stage1Tier: $('stage1-tier').value,
            stage2Tier: $('stage2-tier').value, stage1MaxTokens: Number($('stage1-max-tokens').value)},
        loadBalancing: {enabled: $('lb-enabled').checked, strategy: $('lb-strategy').value,
            healthCheckInterval: Number($('lb-interval').value)},
    };
}

async function saveProfile(event) {
    event.preventDefault();
    const profile = profileFromForm();
    const isNew = editing === null;
    const result = await attempt(() => isNew
        ? api('POST', `${API}/profiles`, profile)
        : api('PUT', `${API}/profiles/${encodeURIComponent(editing)}`, profile));
    if (result) {
        await loadProfiles();
        fillProfileForm(profile, false);
        $('profile-result').replaceChildren(h('p', {}, result.message),
            result.unknownModels?.length ? h('p', {}, `Not in the registry: ${result.unknownModels.join(', ')}`) : null);
    }
}

async function activateProfile() {
    const name = editing;
    const result = await attempt(() => api('POST', `${API}/profiles/${encodeURIComponent(name)}/activate`));
    if (result) {
        $('profile-result').replaceChildren(h('p', {}, result.message),
            h('p', {}, `Started: ${result.started.join(', ') || 'none'}; stopped: ${result.stopped.join(', ') || 'none'}`),
            result.failed.length ? h('ul', {}, result.failed.map(f => h('li', {}, `${f.modelId}: ${f.message}`))) : null,
            result.unknownModels.length ? h('p', {}, `Not in the registry: ${result.unknownModels.join(', ')}`) : null);
        await Promise.all([loadProfiles(), loadRegistry(), loadServers()]);
    }
}

async function deleteProfile() {
    const name = editing;
    if (!confirm(`Delete profile ${name}?`)) {
        return;
    }
    if (await attempt(() => api('DELETE', `${API}/profiles/${encodeURIComponent(name)}`), `Profile ${name} deleted`)) {
        $('profile-form').hidden = true;
        editing = null;
        await loadProfiles();
    }
}

export function setUpProfiles() {
    $('new-profile').addEventListener('click', () => fillProfileForm({name: '', enabledModels: []}, true));
    $('profile-form').addEventListener('submit', saveProfile);
    $('activate-profile').addEventListener('click', activateProfile);
    $('delete-profile').addEventListener('click', deleteProfile);
    $('profile-model-filter').addEventListener('input', event => {
        const query = event.target.value.toLowerCase();
        for (const label of $('profile-models').children) {
            label.hidden = !label.textContent.toLowerCase().includes(query);
        }
    });
    onChange('profiles', renderProfiles);
}
