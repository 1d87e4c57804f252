// The ledger explorer in a real headless Chromium (Debian's `chromium`, driven by puppeteer-core;
// no browser download). Run by tests/explorer_test.sh:
//   node explorer.mjs EXPLORER_URL SCREENSHOT_DIR ENTRIES APP_MRENCLAVE
// Checks that the page shows the log's counts, root sets, admissions and cosignatures; verifies a
// checkpoint and two inclusion proofs in the browser (WebCrypto); flags a tampered proof, a
// tampered entry and a tampered checkpoint signature as failed; finds an application's entries by
// its measurement; and fits a phone's width. Prints one line per check; exits 1 if any failed.
import puppeteer from 'puppeteer-core';

//   node explorer.mjs --plain EXPLORER_URL SCREENSHOT_DIR ENTRIES
// checks instead a plain log of more than one entry bundle (no witnesses, no statements): the
// pages, and the check of entries in a full and in a partial bundle.
const plain = process.argv[2] === '--plain';
const [url, shots, entriesArg, appMeasurement] = process.argv.slice(plain ? 3 : 2);
const expected = Number(entriesArg);
let failed = 0;
function check(name, ok, detail) {
  console.log((ok ? 'ok   ' : 'FAIL ') + name + (ok ? '' : ': ' + detail));
  if (!ok) failed++;
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
const timer = setTimeout(() => { console.log('FAIL timeout'); process.exit(1); }, 120000);
async function plainLog(page) {
  const text = (sel) => page.$eval(sel, (e) => e.textContent);
  await page.goto(url, {waitUntil: 'networkidle0'});
  await page.waitForFunction(() => /^Entries/.test(document.querySelector('#page-info').textContent));
  check('entries', (await text('#summary-entries')) === `${expected} (0 valid)`, await text('#summary-entries'));
  check('newest page', (await text('#page-info')) === `Entries ${expected - 25} to ${expected - 1} of ${expected}`,
        await text('#page-info'));
  await page.click('#older');
  await page.waitForFunction((n) => document.querySelector('#page-info').textContent.startsWith('Entries ' + n), {},
                             expected - 50);
  check('older page', (await page.$$('#entries tbody tr')).length === 25, 'rows');
  await page.click('#newer');
  await page.waitForFunction((n) => document.querySelector('#page-info').textContent.startsWith('Entries ' + n), {},
                             expected - 25);
  const result = async (i) => {
    await page.click(`.verify[data-index="${i}"]`);
    await page.waitForFunction((t) => document.querySelector(t).dataset.result, {}, `#result-${i}`);
    return page.$eval(`#result-${i}`, (e) => [e.dataset.result, e.textContent]);
  };
  const [r, t] = await result(expected - 1);
  check('entry in a partial bundle verified', r === 'verified' && /signed by the log$/.test(t), t);
  await page.type('#query', '');
  const first = await page.evaluate(async () => (await (await fetch('/api/entries?start=3&count=1')).json()).rows[0]);
  await page.type('#query', first.entry_hash.slice(0, 12));
  await page.click('#search button[type="submit"]');
  await page.waitForFunction(() => /match/.test(document.querySelector('#page-info').textContent));
  const [r3, t3] = await result(3);
  check('entry in a full bundle verified', r3 === 'verified', t3);
  await page.screenshot({path: `${shots}/explorer-plain.png`, fullPage: true});
}

async function governedLog(page) {
  await page.goto(url, {waitUntil: 'networkidle0'});
  await page.waitForFunction(() => document.querySelector('#summary-size').textContent !== '–');
  await page.waitForFunction((n) => document.querySelectorAll('#entries tbody tr').length === n, {}, expected);

  const text = (sel) => page.$eval(sel, (e) => e.textContent);
  const count = (sel) => page.$$eval(sel, (es) => es.length);
  check('tree size', (await text('#summary-size')) === String(expected), await text('#summary-size'));
  check('entries and verdicts', (await text('#summary-entries')) === `${expected} (${expected} valid)`,
        await text('#summary-entries'));
  const classes = await text('#summary-classes');
  check('entries by type', /6 provenance/.test(classes) && /2 root-set/.test(classes) && /1 release/.test(classes),
        classes);
  check('cosignatures', (await count('#witnesses tbody tr')) >= 2, await count('#witnesses tbody tr'));
  check('root-set history', (await count('#rootsets tbody tr')) === 2, await count('#rootsets tbody tr'));
  const rootsets = await text('#rootsets tbody');
  check('root set 2 is 2 of 3', /2 of 3root-a, root-b, root-c/.test(rootsets), rootsets);
  const admitted = await text('#admitted tbody');
  check('admitted now', /broker/.test(admitted) && /root/.test(admitted) && !admitted.includes(appMeasurement),
        admitted);
  await page.waitForFunction(() => document.querySelector('[data-what="6"]').textContent !== '');
  check('entries decoded', /version 1, 2-of-2: root-a, root-b/.test(await text('[data-what="6"]')),
        await text('[data-what="6"]'));
  const signers = await page.$eval('[data-what="6"]', (e) => e.nextSibling.textContent);
  check('signers named', /root-a/.test(signers) && /root-b/.test(signers), signers);

  const result = async (button, target) => {
    await page.click(button);
    await page.waitForFunction((t) => document.querySelector(t).dataset.result, {}, target);
    return page.$eval(target, (e) => [e.dataset.result, e.textContent]);
  };
  let [r, t] = await result('#check-checkpoint', '#checkpoint-result');
  check('checkpoint verified in the browser', r === 'verified' && /signed by the log and [23] witnesses/.test(t), t);
  [r, t] = await result('.verify[data-index="0"]', '#result-0');
  check('entry 0 verified in the browser', r === 'verified', t);
  [r, t] = await result(`.verify[data-index="${expected - 1}"]`, `#result-${expected - 1}`);
  check('newest entry verified in the browser', r === 'verified', t);
  await page.screenshot({path: `${shots}/explorer-desktop.png`, fullPage: true});

  // Tampering, between the log and the page: each must be flagged.
  await page.setRequestInterception(true);
  let tamper = null;
  page.on('request', async (req) => {
    if (!tamper || !tamper.match(req.url())) return req.continue();
    const body = await (await fetch(req.url())).arrayBuffer();
    req.respond({status: 200, contentType: 'application/octet-stream', body: Buffer.from(tamper.change(new Uint8Array(body)))});
  });
  const flip = (bytes, at) => { const out = bytes.slice(); out[at] ^= 0x01; return out; };
  // A proof hash changed (the first hash line starts after "c2sp.org/tlog-proof@v1\nindex 3\n").
  tamper = {match: (u) => u.endsWith('/log/proof/3'), change: (b) => {
    const s = new TextDecoder().decode(b).split('\n');
    s[2] = (s[2][0] === 'A' ? 'B' : 'A') + s[2].slice(1);
    return new TextEncoder().encode(s.join('\n'));
  }};
  [r, t] = await result('.verify[data-index="3"]', '#result-3');
  check('tampered proof flagged', r === 'failed' && /does not lead to the checkpoint/.test(t), t);
  // An entry changed in its bundle.
  tamper = {match: (u) => u.includes('/log/tile/entries/'), change: (b) => flip(b, 40)};
  [r, t] = await result('.verify[data-index="0"]', '#result-0');
  check('tampered entry flagged', r === 'failed' && /hashes to/.test(t), t);
  // The log's signature on the checkpoint changed.
  tamper = {match: (u) => u.endsWith('/log/checkpoint'), change: (b) => {
    const s = new TextDecoder().decode(b);
    const at = s.indexOf('\u2014 ') + 2 + s.slice(s.indexOf('\u2014 ') + 2).indexOf(' ') + 12;
    const chars = s.split('');
    chars[at] = chars[at] === 'A' ? 'B' : 'A';
    return new TextEncoder().encode(chars.join(''));
  }};
  [r, t] = await result('#check-checkpoint', '#checkpoint-result');
  check('tampered checkpoint flagged', r === 'failed' && /log signature does not verify/.test(t), t);
  await page.screenshot({path: `${shots}/explorer-tampered.png`, fullPage: true});
  tamper = null;

  // Search by the application's measurement: its admission, the release and the revocation.
  await page.type('#query', appMeasurement.toLowerCase());
  await page.click('#search button[type="submit"]');
  await page.waitForFunction(() => /match/.test(document.querySelector('#page-info').textContent));
  const found = await page.$$eval('#entries tbody tr td:nth-child(2)', (es) => es.map((e) => e.textContent));
  check('search by measurement', found.includes('admission') && found.includes('revocation') && found.includes('release'),
        found.join(','));
  await page.click('#clear');
  await page.waitForFunction((n) => document.querySelectorAll('#entries tbody tr').length === n, {}, expected);

  // A phone: nothing wider than the screen but the tables' own scrolling.
  await page.setViewport({width: 390, height: 844, isMobile: true, hasTouch: true});
  await page.reload({waitUntil: 'networkidle0'});
  await page.waitForFunction(() => document.querySelector('#summary-size').textContent !== '–');
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check('fits a phone', widths[0] <= widths[1] + 1, widths.join(' > '));
  await page.screenshot({path: `${shots}/explorer-phone.png`, fullPage: true});
}

try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewport({width: 1280, height: 900});
  await (plain ? plainLog(page) : governedLog(page));
  check('no script errors', errors.length === 0, errors.join('; '));
} catch (e) {
  check('browser session', false, e.stack);
} finally {
  clearTimeout(timer);
  await browser.close();
}
process.exit(failed ? 1 : 0);
