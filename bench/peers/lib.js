'use strict';
// Shared helpers for the DCAP peer-comparison kit (Node >= 20).
//
// Peers (installed by install.sh into $DCAP_PEERS_DIR/node_modules, default /tmp/dcap-peers):
//   dcap-qvl-js    @phala/dcap-qvl 0.3.9      pure JavaScript (ECDSA/X.509 via Node's built-in crypto)
//   dcap-qvl-wasm  @phala/dcap-qvl-web 0.3.3  dcap-qvl Rust crate 0.3.3 compiled to WebAssembly (ring + webpki)
//
// Both take the same collateral object (dcap-qvl's QuoteCollateralV3):
//   pck_crl_issuer_chain     string, PEM (PCK CA + root)
//   root_ca_crl              bytes   (JS: hex string | number[] | Buffer; WASM: hex string, see below)
//   pck_crl                  bytes
//   tcb_info_issuer_chain    string, PEM
//   tcb_info                 string, the exact signed JSON bytes of the "tcbInfo" member
//   tcb_info_signature       bytes, 64-byte r||s
//   qe_identity_issuer_chain string, PEM
//   qe_identity              string, the exact signed JSON bytes of the "enclaveIdentity" member
//   qe_identity_signature    bytes, 64-byte r||s
// The JS peer additionally reads an optional `pck_certificate_chain` (PEM string) when the quote
// does not embed the PCK chain (certification data type 1). The WASM peer (0.3.3) ignores it.
//
// Byte fields: the Rust struct uses `#[serde(with = "serde_bytes")]` where serde_bytes is
// the `serde-human-bytes` crate; serde-wasm-bindgen is a human-readable deserializer, so it wants
// lower/upper-case hex strings. Hex strings are also accepted by the JS peer, so one object
// serves both (this is also how dcap-qvl's own sample/*_collateral.json files are encoded).

const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const PEERS_DIR = process.env.DCAP_PEERS_DIR || '/tmp/dcap-peers';
const TESTDATA_DIR = process.env.DCAP_TESTDATA_DIR ||
  path.resolve(__dirname, '..', '..', 'tests', 'data', 'sgx-dcap');

function listCases() {
  const out = [];
  for (const src of fs.readdirSync(TESTDATA_DIR).sort()) {
    const srcDir = path.join(TESTDATA_DIR, src);
    if (!fs.statSync(srcDir).isDirectory()) continue;
    for (const c of fs.readdirSync(srcDir).sort()) {
      const dir = path.join(srcDir, c);
      if (fs.existsSync(path.join(dir, 'expected.json'))) out.push({ name: `${src}/${c}`, dir });
    }
  }
  return out;
}

function loadCase(dir) {
  const rd = (f) => fs.readFileSync(path.join(dir, f));
  const opt = (f) => (fs.existsSync(path.join(dir, f)) ? rd(f) : null);
  const expected = JSON.parse(rd('expected.json').toString('utf8'));
  const collateral = {
    pck_crl_issuer_chain: rd('pck_crl_issuer_chain.pem').toString('utf8'),
    root_ca_crl: rd('root_ca_crl.der').toString('hex'),
    pck_crl: rd('pck_crl.der').toString('hex'),
    tcb_info_issuer_chain: rd('tcb_info_issuer_chain.pem').toString('utf8'),
    tcb_info: rd('tcb_info.json').toString('utf8'),
    tcb_info_signature: rd('tcb_info_signature.bin').toString('hex'),
    qe_identity_issuer_chain: rd('qe_identity_issuer_chain.pem').toString('utf8'),
    qe_identity: rd('qe_identity.json').toString('utf8'),
    qe_identity_signature: rd('qe_identity_signature.bin').toString('hex'),
  };
  const pckChain = opt('pck_cert_chain.pem');
  if (pckChain) collateral.pck_certificate_chain = pckChain.toString('utf8');
  return {
    dir,
    quote: new Uint8Array(rd('quote.bin')),
    rootCaDer: rd('root_ca.der'),
    collateral,
    expected,
    now: expected.verify_time_unix,
    tee: (expected.quote && expected.quote.tee_type) || '?',
  };
}

function pkgVersion(name) {
  const pj = path.join(PEERS_DIR, 'node_modules', name, 'package.json');
  return JSON.parse(fs.readFileSync(pj, 'utf8')).version;
}

// Vouch itself as a row of the same tables: `vouch sgx verify --json` on the case directory
// (SGX or TDX), trusting the case's own root. Vouch reports debug and simulation evidence as
// summary INSECURE instead of failing; here that counts as the production-policy rejection the
// peers make ("Debug mode is enabled"). Rejections carry Vouch's error code first.
function vouchPeer(binary) {
  const { execFileSync } = require('child_process');
  return {
    name: 'vouch',
    pkg: `vouch (${binary})`,
    customRoot: true,
    verify(c) {
      const args = ['sgx', 'verify', path.join(c.dir, 'quote.bin'), '--collateral', c.dir,
        '--at', String(c.now), '--trust-root', path.join(c.dir, 'root_ca.der'), '--json'];
      let out;
      try {
        out = execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        out = e.stdout;
        if (!out) throw e;
      }
      const r = JSON.parse(out);
      if (r.verdict !== 'accepted') throw new Error(`${r.error.code}: ${r.error.message}`);
      const identity = r.td || r.enclave;
      if (identity.security.summary === 'INSECURE') {
        throw new Error(`Debug mode is enabled (mode ${identity.mode}, summary INSECURE)`);
      }
      return { status: r.tcb_status, advisories: r.advisory_ids };
    },
  };
}

// Returns [{ name, version, note, verify(case) -> { status, advisories } (throws on rejection) }],
// with Vouch first when `options.vouch` names its binary.
async function loadPeers(options = {}) {
  const peers = [];
  if (options.vouch) peers.push(vouchPeer(options.vouch));

  const jsName = '@phala/dcap-qvl';
  const qvlJs = require(path.join(PEERS_DIR, 'node_modules', jsName));
  peers.push({
    name: 'dcap-qvl-js',
    pkg: `${jsName}@${pkgVersion(jsName)}`,
    customRoot: true,
    // Trust the case's own root_ca.der (the real Intel root except for the synthetic sample).
    verify(c) {
      const v = qvlJs.QuoteVerifier.newWithRootCa(c.rootCaDer);
      const r = v.verify(c.quote, c.collateral, c.now);
      return { status: r.status, advisories: r.advisory_ids || [] };
    },
  });

  const wasmName = '@phala/dcap-qvl-web';
  const wasmDir = path.join(PEERS_DIR, 'node_modules', wasmName);
  const wasmMod = await import(pathToFileURL(path.join(wasmDir, 'dcap-qvl-web.js')).href);
  wasmMod.initSync({ module: fs.readFileSync(path.join(wasmDir, 'dcap-qvl-web_bg.wasm')) });
  peers.push({
    name: 'dcap-qvl-wasm',
    pkg: `${wasmName}@${pkgVersion(wasmName)}`,
    customRoot: false, // 0.3.3 always trusts its built-in Intel SGX Root CA
    verify(c) {
      const r = wasmMod.js_verify(c.quote, c.collateral, BigInt(c.now));
      // serde-wasm-bindgen returns a Map or a plain object depending on settings; handle both.
      const get = (k) => (r instanceof Map ? r.get(k) : r[k]);
      return { status: get('status'), advisories: get('advisory_ids') || [] };
    },
  });

  return peers;
}

function errMessage(e) {
  if (e === undefined || e === null) return String(e);
  if (typeof e === 'string') return e;
  let m = e.message || String(e);
  if (e.cause) m += ` (cause: ${errMessage(e.cause)})`;
  return m;
}

module.exports = { PEERS_DIR, TESTDATA_DIR, listCases, loadCase, loadPeers, errMessage };
