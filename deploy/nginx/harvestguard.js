// harvestguard's njs helpers for nginx (deploy/nginx/harvestguard.conf loads them).
//
// keyHash: sha256 (hex) of the request's bearer token, as LiteLLM hashes its keys: an
//   account for the check and the log without any key database, and never the key itself.
// usage: a body filter that reads the token usage, the model and the finish reason off the
//   upstream's answer as it passes (a JSON body or a server-sent-event stream whose last
//   chunk carries usage) into $hg_usage, for the access log. It keeps only a short tail of
//   the body between chunks, so a long answer costs no memory.
import crypto from 'crypto';

const TAIL = 4096;
const FIELDS = {
    prompt_tokens: /"prompt_tokens"\s*:\s*(\d+)/g,
    completion_tokens: /"completion_tokens"\s*:\s*(\d+)/g,
    reasoning_tokens: /"reasoning_tokens"\s*:\s*(\d+)/g,
    finish_reason: /"finish_reason"\s*:\s*"([A-Za-z_]+)"/g,
    model: /"model"\s*:\s*"([^"\\]{1,200})"/g,
};

function keyHash(r) {
    const auth = r.headersIn['Authorization'] || '';
    const match = auth.match(/^Bearer\s+(\S+)$/i);
    return match ? crypto.createHash('sha256').update(match[1]).digest('hex') : '';
}

function scan(found, text) {
    for (const name in FIELDS) {
        const pattern = FIELDS[name];
        pattern.lastIndex = 0;
        let match;
        while ((match = pattern.exec(text)) !== null) {
            // The last value wins: a stream's final chunk has the totals.
            found[name] = /tokens$/.test(name) ? Number(match[1]) : match[1];
        }
    }
}

function usage(r, data, flags) {
    r.sendBuffer(data, flags);
    const state = r.hgUsage || (r.hgUsage = { tail: '', found: {} });
    // A value split across two chunks is whole in tail + data.
    const text = state.tail + data;
    scan(state.found, text);
    state.tail = text.length > TAIL ? text.slice(-TAIL) : text;
    if (flags.last) {
        r.variables.hg_usage = JSON.stringify(state.found);
    }
}

export default { keyHash, usage };
