#include "server/explorer_page.h"

namespace vouch::server::explorer {

const std::string_view kIndexHtml = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vouch ledger explorer</title>
<link rel="stylesheet" href="/explorer.css">
</head>
<body>
<header>
  <h1>Vouch ledger <span id="origin"></span></h1>
  <p id="status" class="muted">Loading…</p>
  <p id="error" class="bad" hidden></p>
</header>
<main>
<section id="checkpoint-section">
  <h2>Latest checkpoint</h2>
  <dl class="facts">
    <dt>Tree size</dt><dd id="summary-size">–</dd>
    <dt>Root hash</dt><dd id="summary-root" class="hash">–</dd>
    <dt>Entries</dt><dd id="summary-entries">–</dd>
    <dt>By type</dt><dd id="summary-classes">–</dd>
    <dt>Quorum</dt><dd id="summary-quorum">–</dd>
  </dl>
  <h3>Cosignatures</h3>
  <div class="scroll"><table id="witnesses"><thead><tr><th>Witness</th><th>Cosigned at</th><th>Age</th></tr></thead><tbody></tbody></table></div>
  <p><button id="check-checkpoint" type="button">Check the signatures in this browser</button>
     <span id="checkpoint-result" class="result"></span></p>
</section>
<section>
  <h2>Root sets</h2>
  <div class="scroll"><table id="rootsets"><thead><tr><th>Version</th><th>Entry</th><th>Threshold</th><th>Roots</th><th>Issued</th><th>Expires</th></tr></thead><tbody></tbody></table></div>
</section>
<section>
  <h2>Admitted now</h2>
  <div class="scroll"><table id="admitted"><thead><tr><th>Role</th><th>Constraint</th><th>Entry</th><th>Expires</th></tr></thead><tbody></tbody></table></div>
</section>
<section>
  <h2>Entries</h2>
  <form id="search">
    <input id="query" name="q" placeholder="Measurement or entry hash (hex)" autocomplete="off" spellcheck="false">
    <button type="submit">Search</button>
    <button id="clear" type="button">All entries</button>
  </form>
  <p id="page-info" class="muted"></p>
  <div class="scroll"><table id="entries"><thead><tr><th>#</th><th>Type</th><th>Verdict</th><th>What</th><th>Signed by</th><th>Issued</th><th>Check</th></tr></thead><tbody></tbody></table></div>
  <p class="pager"><button id="newer" type="button">← Newer</button> <button id="older" type="button">Older →</button></p>
</section>
</main>
<footer class="muted">Everything here is read from the log's public API and replayed as an auditor
does. “Check” verifies, in this browser, that the entry is in the log's tree (its inclusion proof
to a checkpoint) and the checkpoint's signatures against the witness policy's keys.</footer>
<script src="/explorer.js"></script>
</body>
</html>
)HTML";

const std::string_view kStyle = R"CSS(
:root { --fg: #1b1f24; --muted: #5c6670; --ok: #116329; --bad: #b3261e; --line: #d8dee4; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0 auto; max-width: 72rem;
       padding: 0.75rem; }
h1 { font-size: 1.4rem; margin: 0.2rem 0; word-break: break-all; }
h2 { font-size: 1.15rem; margin: 1.4rem 0 0.4rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
.muted { color: var(--muted); }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.hash, code, td.mono { font-family: ui-monospace, monospace; font-size: 0.85rem; word-break: break-all; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.3rem 0.45rem; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { font-size: 0.85rem; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
form#search { display: flex; gap: 0.4rem; flex-wrap: wrap; }
form#search input { flex: 1 1 16rem; padding: 0.35rem; font-family: ui-monospace, monospace; }
button { padding: 0.3rem 0.7rem; }
.result { margin-left: 0.4rem; }
footer { margin-top: 2rem; font-size: 0.85rem; }
@media (max-width: 40rem) {
  body { font-size: 14px; padding: 0.5rem; }
  th, td { padding: 0.25rem; }
  /* Wide tables scroll sideways in their own box rather than squeeze their columns. */
  table#entries { min-width: 46rem; }
  table#rootsets, table#admitted { min-width: 34rem; }
}
)CSS";

const std::string_view kScript = R"JS('use strict';
// The Vouch ledger explorer's page. Reads /api/* (the explorer's audited view) and the log's own
// API under /log/; checks proofs and signatures itself with WebCrypto.
const PAGE = 25;
let summary = null;
let pageStart = null;  // index of the first row shown; null: the newest page
const keyNames = new Map();  // keyid -> who (roots, builders)

const $ = (id) => document.getElementById(id);
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.appendChild(c instanceof Node ? c : el('td', c));
  return tr;
}
function short(hex) { return hex && hex.length > 16 ? hex.slice(0, 16) + '…' : (hex || ''); }
function age(s) {
  if (s < 120) return s + ' s ago';
  if (s < 7200) return Math.round(s / 60) + ' min ago';
  return Math.round(s / 3600) + ' h ago';
}
async function getJson(url) {
  const r = await fetch(url, {cache: 'no-store'});
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r.json();
}

// ---- bytes, base64, hashes ----
const enc = new TextEncoder();
function b64(s) { const bin = atob(s.trim()); const out = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i); return out; }
function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''); }
function concat(...parts) { const n = parts.reduce((a, p) => a + p.length, 0); const out = new Uint8Array(n); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; }
function equal(a, b) { return a.length === b.length && a.every((x, i) => x === b[i]); }
async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)); }

// ---- keys from the witness policy (c2sp.org/tlog-policy) ----
function parseVkey(v) {
  // NAME+HASH+BASE64: the base64 may itself hold '+'.
  const a = v.indexOf('+'), b = v.indexOf('+', a + 1);
  const name = v.slice(0, a), hash = v.slice(a + 1, b), raw = b64(v.slice(b + 1));
  return {name, hash, type: raw[0], key: raw.slice(1)};
}
function policyKeys(text) {
  const keys = {log: null, witnesses: []};
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'log' && f[1]) keys.log = parseVkey(f[1]);
    if (f[0] === 'witness' && f[2]) keys.witnesses.push({label: f[1], ...parseVkey(f[2])});
  }
  return keys;
}
async function ed25519Verify(pub, sig, msg) {
  const key = await crypto.subtle.importKey('raw', pub, {name: 'Ed25519'}, false, ['verify']);
  return crypto.subtle.verify({name: 'Ed25519'}, key, sig, msg);
}

// ---- signed notes: the log's signature and the witnesses' cosignatures (cosignature/v1) ----
async function checkNote(note, keys) {
  const cut = note.indexOf('\n\n');
  if (cut < 0) throw new Error('the checkpoint has no signature lines');
  const body = note.slice(0, cut + 1);
  const result = {log: false, cosigners: [], failures: []};
  for (const line of note.slice(cut + 2).split('\n')) {
    if (!line.startsWith('\u2014 ')) continue;
    const [, name, sigB64] = line.split(' ');
    const sig = b64(sigB64);
    const keyHash = hex(sig.slice(0, 4));
    if (keys.log && name === keys.log.name && keyHash === keys.log.hash) {
      const ok = await ed25519Verify(keys.log.key, sig.slice(4), enc.encode(body));
      if (ok) result.log = true; else result.failures.push('the log signature does not verify');
      continue;
    }
    const w = keys.witnesses.find((k) => k.name === name && k.hash === keyHash);
    if (!w || w.type !== 4 || sig.length !== 76) continue;
    let t = 0n;
    for (const b of sig.slice(4, 12)) t = (t << 8n) | BigInt(b);
    const msg = enc.encode('cosignature/v1\ntime ' + t.toString() + '\n' + body);
    if (await ed25519Verify(w.key, sig.slice(12), msg)) {
      result.cosigners.push({name: w.label, time: Number(t)});
    } else {
      result.failures.push('the cosignature of ' + w.label + ' does not verify');
    }
  }
  return result;
}
function noteTree(note) {
  const lines = note.split('\n');
  return {origin: lines[0], size: BigInt(lines[1]), root: b64(lines[2])};
}

// ---- inclusion (RFC 9162 §2.1.3.2) ----
async function nodeHash(left, right) { return sha256(concat(new Uint8Array([1]), left, right)); }
async function rootFromProof(index, size, leaf, proof) {
  if (index >= size) throw new Error('index beyond the tree');
  let fn = index, sn = size - 1n, r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new Error('the proof is too long');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) { while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; } }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('the proof is too short');
  return r;
}
function tileIndexPath(n) {
  let s = n.toString(); while (s.length % 3) s = '0' + s;
  const parts = s.match(/.../g);
  return parts.map((p, i) => (i < parts.length - 1 ? 'x' : '') + p).join('/');
}
// The entry bytes of index i, from the log's entry bundle (tile/entries).
// The bytes of entry bundle n of a tree of `size` entries (tile/entries; partial when last).
async function fetchBundle(n, size) {
  const width = size - n * 256n;
  const path = tileIndexPath(n) + (width < 256n ? '.p/' + width : '');
  const r = await fetch('/log/tile/entries/' + path, {cache: 'no-store'});
  if (!r.ok) throw new Error('entry bundle: HTTP ' + r.status);
  return new Uint8Array(await r.arrayBuffer());
}
// The entry bytes of index i, from its bundle; `bundles` (optional) keeps each bundle's fetch, so
// that a page of entries reads each bundle once.
async function fetchEntry(i, size, bundles) {
  const n = i / 256n;
  let pending = bundles && bundles.get(n);
  if (!pending) {
    pending = fetchBundle(n, size);
    if (bundles) bundles.set(n, pending);
  }
  const bundle = await pending;
  let off = 0;
  for (let j = 0n; off + 2 <= bundle.length; j++) {
    const len = (bundle[off] << 8) | bundle[off + 1];
    if (j === i - n * 256n) return bundle.slice(off + 2, off + 2 + len);
    off += 2 + len;
  }
  throw new Error('entry ' + i + ' is not in its bundle');
}
function parseReceipt(text) {
  const lines = text.split('\n');
  if (lines[0] !== 'c2sp.org/tlog-proof@v1') throw new Error('not a c2sp.org/tlog-proof@v1 receipt');
  const index = BigInt(lines[1].replace(/^index /, ''));
  let k = 2;
  if (lines[k] && lines[k].startsWith('extra ')) k++;
  const proof = [];
  for (; k < lines.length && lines[k] !== ''; k++) proof.push(b64(lines[k]));
  return {index, proof, note: lines.slice(k + 1).join('\n')};
}
function quorumText(check) {
  if (!check.cosigners.length) return 'the log';
  return 'the log and ' + check.cosigners.length + ' witness' + (check.cosigners.length === 1 ? '' : 'es') +
      ' (' + check.cosigners.map((c) => c.name).join(', ') + ')';
}
async function checkEntry(index, expectedHash) {
  const keys = policyKeys(summary.policy);
  const receipt = parseReceipt(await (await fetch('/log/proof/' + index, {cache: 'no-store'})).text());
  if (receipt.index !== BigInt(index)) throw new Error('the receipt is for entry ' + receipt.index);
  const tree = noteTree(receipt.note);
  const entry = await fetchEntry(BigInt(index), tree.size);
  const entryHash = hex(await sha256(entry));
  if (entryHash !== expectedHash) throw new Error('the entry the log serves hashes to ' + short(entryHash));
  const leaf = await sha256(concat(new Uint8Array([0]), entry));
  const root = await rootFromProof(BigInt(index), tree.size, leaf, receipt.proof);
  if (!equal(root, tree.root)) throw new Error('the inclusion proof does not lead to the checkpoint\'s root');
  const sigs = await checkNote(receipt.note, keys);
  if (sigs.failures.length) throw new Error(sigs.failures[0]);
  if (!sigs.log) throw new Error('the checkpoint is not signed by the log\'s key');
  return 'in the tree of size ' + tree.size + ', signed by ' + quorumText(sigs);
}
function showResult(target, promise) {
  target.textContent = 'checking…';
  target.className = 'result muted';
  delete target.dataset.result;
  promise.then((text) => {
    target.textContent = '✔ verified: ' + text;
    target.className = 'result ok';
    target.dataset.result = 'verified';
  }, (e) => {
    target.textContent = '✘ failed: ' + e.message;
    target.className = 'result bad';
    target.dataset.result = 'failed';
  });
}

// ---- statements: one line per entry, from the entry itself ----
function decodeStatement(entry) {
  try {
    const env = JSON.parse(new TextDecoder().decode(entry));
    return JSON.parse(new TextDecoder().decode(b64(env.payload)));
  } catch (e) { return null; }
}
function describe(cls, st) {
  if (!st) return '';
  const p = st.predicate || {};
  const subj = (st.subject || []).map((s) => s.name).filter(Boolean).join(', ');
  switch (cls) {
    case 'root-set': return 'version ' + p.version + ', ' + p.threshold + '-of-' + (p.roots || []).length + ': ' + (p.roots || []).map((r) => r.name).join(', ');
    case 'admission': return (p.role || '') + ' ' + (p.constraint || '');
    case 'revocation': {
      const t = p.target || {};
      return (t.kind || '') + ' ' + (t.mrenclave || t.mrsigner || t.keyid || (t.index !== undefined ? 'entry ' + t.index : '')) + (p.reason ? ' (' + p.reason + ')' : '');
    }
    case 'release': {
      const target = (st.subject || []).find((x) => x.name === 'target');
      return 'envelope ' + ((p.envelope || {}).id || '') + ' to ' + (target ? short((target.digest || {}).sgxMrenclave) : '?') +
          ((p.activity || {}).id ? ', activity ' + p.activity.id : '');
    }
    case 'broker-key': {
      const m = (st.subject || []).find((x) => x.name === 'broker');
      return 'broker key, MRENCLAVE ' + (m ? short((m.digest || {}).sgxMrenclave) : '?');
    }
    case 'provenance': return subj + ' by ' + ((p.runDetails || {}).builder || {}).id;
    case 'record': return 'activity ' + ((p.activity || {}).id || subj);
    default: return subj || st.predicateType || '';
  }
}
async function fillSummaries(rows, tbody) {
  const size = BigInt(summary.checkpoint.size);
  const bundles = new Map();
  for (const r of rows) {
    const i = BigInt(r.index);
    const cell = tbody.querySelector('[data-what="' + r.index + '"]');
    if (!cell || i >= size) continue;
    try {
      const entry = await fetchEntry(i, size, bundles);
      cell.textContent = describe(r.class, decodeStatement(entry));
    } catch (e) { cell.textContent = ''; }
  }
}

// ---- rendering ----
function signerNames(keyids) {
  return keyids.map((k) => keyNames.get(k) || short(k)).join(', ');
}
function renderRows(data, info) {
  const tbody = $('entries').querySelector('tbody');
  tbody.replaceChildren();
  const rows = data.rows.slice().sort((a, b) => b.index - a.index);
  for (const r of rows) {
    if (r.class === 'broker-key' && r.valid && r.signers.length) keyNames.set(r.signers[0], 'broker');
  }
  for (const r of rows) {
    const verdict = r.valid ? el('td', 'valid', 'ok') : el('td', 'invalid: ' + r.error.code, 'bad');
    const what = el('td', '', 'mono');
    what.dataset.what = r.index;
    const check = el('td');
    const button = el('button', 'Check');
    button.type = 'button';
    button.className = 'verify';
    button.dataset.index = r.index;
    const result = el('span', '', 'result');
    result.id = 'result-' + r.index;
    button.addEventListener('click', () => showResult(result, checkEntry(r.index, r.entry_hash)));
    check.append(button, result);
    const idx = el('td', r.index);
    idx.title = r.entry_hash;
    tbody.appendChild(row([idx, el('td', r.class), verdict, what, el('td', signerNames(r.signers)),
                           el('td', r.issued_on || ''), check]));
  }
  $('page-info').textContent = info;
  fillSummaries(rows, tbody);
}
async function loadPage() {
  const total = summary.entries;
  const start = pageStart === null ? Math.max(0, total - PAGE) : pageStart;
  const data = await getJson('/api/entries?start=' + start + '&count=' + PAGE);
  const last = Math.min(total, start + PAGE) - 1;
  renderRows(data, total ? 'Entries ' + start + ' to ' + last + ' of ' + total : 'No entries yet');
  $('newer').disabled = start + PAGE >= total;
  $('older').disabled = start === 0;
  $('newer').onclick = () => { pageStart = start + PAGE >= total - PAGE ? null : start + PAGE; loadPage(); };
  $('older').onclick = () => { pageStart = Math.max(0, start - PAGE); loadPage(); };
}
function renderSummary() {
  const s = summary;
  $('origin').textContent = s.origin || '';
  $('error').hidden = !s.error;
  if (s.error) $('error').textContent = 'The last read of the log failed (' + s.error.code + '): ' + s.error.message;
  if (!s.checkpoint) { $('status').textContent = 'No verified checkpoint yet.'; return; }
  $('status').textContent = 'Audited up to the checkpoint below' + (s.pinned ? ', from the pinned root set 1' : ' (root set 1 not pinned: trusted on first use)') + '; read ' + s.refreshed_at + '.';
  $('summary-size').textContent = s.checkpoint.size;
  $('summary-root').textContent = s.checkpoint.root_hash;
  $('summary-entries').textContent = s.entries + ' (' + s.valid + ' valid)';
  $('summary-classes').textContent = Object.entries(s.classes).map(([k, v]) => v + ' ' + k).join(', ');
  $('summary-quorum').textContent = s.verification.quorum + (s.verification.quorum_time ? ', reached at ' + s.verification.quorum_time : '');
  const wt = $('witnesses').querySelector('tbody');
  wt.replaceChildren();
  for (const w of s.verification.witnesses) wt.appendChild(row([w.name, w.time, age(w.age_seconds)]));
  keyNames.clear();
  const rs = $('rootsets').querySelector('tbody');
  rs.replaceChildren();
  for (const set of s.root_sets) {
    for (const r of set.roots) keyNames.set(r.keyid, r.name);
    for (const b of set.builders) for (const k of b.keyids) keyNames.set(k, b.id);
    rs.appendChild(row([set.version, set.index, set.threshold + ' of ' + set.roots.length,
                        set.roots.map((r) => r.name).join(', '), set.issued_on, set.expires]));
  }
  const ad = $('admitted').querySelector('tbody');
  ad.replaceChildren();
  for (const a of s.admitted) {
    const c = el('td', a.constraint, 'mono');
    ad.appendChild(row([a.role, c, a.index, a.expires]));
  }
}
async function refresh() {
  try {
    summary = await getJson('/api/summary');
    renderSummary();
    if (summary.checkpoint && !$('query').value) await loadPage();
  } catch (e) {
    $('status').textContent = 'Cannot read the explorer: ' + e.message;
  }
}
$('check-checkpoint').addEventListener('click', () => {
  showResult($('checkpoint-result'), (async () => {
    const note = await (await fetch('/log/checkpoint', {cache: 'no-store'})).text();
    const check = await checkNote(note, policyKeys(summary.policy));
    if (check.failures.length) throw new Error(check.failures[0]);
    if (!check.log) throw new Error('not signed by the log\'s key');
    return 'size ' + noteTree(note).size + ', signed by ' + quorumText(check);
  })());
});
$('search').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = $('query').value.trim();
  if (!q) { pageStart = null; return loadPage(); }
  try {
    const data = await getJson('/api/search?q=' + encodeURIComponent(q));
    renderRows(data, data.rows.length + ' entr' + (data.rows.length === 1 ? 'y' : 'ies') + ' match ' + q);
  } catch (e) {
    $('page-info').textContent = 'Search for 8 to 64 hex digits (' + e.message + ')';
  }
});
$('clear').addEventListener('click', () => { $('query').value = ''; pageStart = null; loadPage(); });
refresh();
setInterval(() => { if (pageStart === null && !$('query').value) refresh(); }, 10000);
)JS";

}  // namespace vouch::server::explorer
