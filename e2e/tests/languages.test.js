// Every language: headings, labels, the lang attribute, amounts and dates through Intl, and
// the browser's language when the merchant passes none.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, shot } from '../lib/harness.js';
import { describeInBrowsers } from '../lib/each-browser.js';
import { CUSTOMER_MY, open } from '../lib/screens.js';

const LANGUAGES = [
  { code: 'en', amount: 'KES\u00a0100.00', tag: 'en', choose: 'Choose how to pay', fields: 'Your details', phone: 'Phone number' },
  { code: 'ru', amount: '100,00\u00a0KES', tag: 'ru-RU', choose: 'Выберите способ оплаты', fields: 'Ваши данные', phone: 'Номер телефона' },
  { code: 'kk', amount: '100,00\u00a0KES', tag: 'kk-KZ', choose: 'Төлем тәсілін таңдаңыз', fields: 'Сіздің деректеріңіз', phone: 'Телефон нөмірі' },
  { code: 'ms', amount: 'KES\u00a0100.00', tag: 'ms-MY', choose: 'Pilih cara pembayaran', fields: 'Butiran anda', phone: 'Nombor telefon' },
  { code: 'sw', amount: 'Ksh\u00a0100.00', tag: 'sw-KE', choose: 'Chagua njia ya kulipa', fields: 'Taarifa zako', phone: 'Nambari ya simu' },
];
describeInBrowsers('languages', (name, env) => {
  let sandbox, browser;
  before(() => ({ sandbox, browser } = env));

  it('speaks every language: headings, labels, lang attribute, amounts in the CLDR format of the language and dates through Intl', async () => {
    for (const lang of LANGUAGES) {
      const page = await newPage(browser, { width: 360, height: 800 });
      await open(page, sandbox.url, { query: `currency=KES&lang=${lang.code}`, screen: 'picker' });
      const seen = await page.evaluate((tag) => {
        const root = document.querySelector('epay-checkout').shadowRoot;
        return { lang: root.querySelector('.epay').getAttribute('lang'), heading: root.querySelector('.epay-h').textContent, amount: root.querySelector('.epay-amount').textContent };
      }, lang.tag);
      assert.equal(seen.lang, lang.tag);
      assert.equal(seen.heading, lang.choose);
      // CLDR's pattern for the language, written by the widget without Intl (the browser's
      // own Intl is compared in tests/web.rs; Chromium has no Kazakh number data).
      seen.expected = lang.amount;
      assert.equal(seen.amount, seen.expected, `${lang.code}: amount in the language's format`);
      await page.locator('>>> button[data-method="card-partner"]').click();
      await page.waitForSelector('>>> .epay-body[data-screen="fields"]');
      const form = await page.evaluate(() => {
        const root = document.querySelector('epay-checkout').shadowRoot;
        return { heading: root.querySelector('.epay-h').textContent, label: root.querySelector('label[for="customer_phone"]').textContent, pay: root.querySelector('.epay-primary').textContent };
      });
      assert.equal(form.heading, lang.fields);
      assert.equal(form.label, lang.phone);
      assert.ok(form.pay.includes(seen.expected), `${lang.code}: pay button shows the amount: ${form.pay}`);
      if (name === 'chromium') await shot(page, `${name}-adopt-lang-${lang.code}-360`);
      assert.deepEqual(page.errors, []);
      await page.close();

      // The EPay code's expiry: valid_time is Malaysia time; shown by Intl in the customer's language.
      const code = await newPage(browser, { width: 360, height: 800 });
      await open(code, sandbox.url, { query: `currency=MYR&method=epaycash&${CUSTOMER_MY}&lang=${lang.code}`, screen: 'code' });
      const when = await code.evaluate((tag) => {
        const li = document.querySelector('#events li[data-event="code"]');
        const valid = JSON.parse(li.textContent.slice('code '.length)).body.valid_time;
        const date = new Date(`${valid.replace(' ', 'T')}+08:00`);
        const expected = new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
        return { shown: document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-valid').textContent, expected };
      }, lang.tag);
      assert.ok(when.shown.includes(when.expected), `${lang.code}: "${when.shown}" shows ${when.expected}`);
      assert.deepEqual(code.errors, []);
      await code.close();
    }
  });

  it("without language_code the widget speaks the browser's language, else English", async () => {
    for (const [languages, query, heading] of [
      [['ru-RU', 'ru'], 'currency=KES', 'Выберите способ оплаты'],
      [['sw-KE'], 'currency=KES', 'Chagua njia ya kulipa'],
      [['de-DE', 'fr'], 'currency=KES', 'Choose how to pay'],
      [['ru-RU'], 'currency=KES&lang=kk', 'Төлем тәсілін таңдаңыз'],
    ]) {
      const page = await newPage(browser, { width: 360, height: 800 });
      await page.evaluateOnNewDocument((l) => {
        Object.defineProperty(navigator, 'languages', { get: () => l });
        Object.defineProperty(navigator, 'language', { get: () => l[0] });
      }, languages);
      await open(page, sandbox.url, { query, screen: 'picker' });
      assert.equal(await page.evaluate(() => document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-h').textContent), heading, `${languages} ${query}`);
      assert.deepEqual(page.errors, []);
      await page.close();
    }
  });

  it('a language pack that never comes: English after the wait, nothing left blank; one that fails: English at once', async () => {
    for (const [hold, least, most] of [[true, 2900, 15000], [false, 0, 2900]]) {
      const page = await newPage(browser, { width: 360, height: 800 });
      await page.setRequestInterception(true);
      page.on('request', (r) => {
        if (r.isInterceptResolutionHandled()) return;
        if (!new URL(r.url()).pathname.endsWith('/lang/ru.json')) return r.continue();
        if (!hold) return r.respond({ status: 404, body: '' });
        // Held: never answered.
      });
      const started = Date.now();
      await open(page, sandbox.url, { query: 'currency=KES&lang=ru', screen: 'picker' });
      const took = Date.now() - started;
      assert.equal(await page.evaluate(() => document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-h').textContent), 'Choose how to pay');
      assert.ok(took >= least && took < most, `${hold ? 'held' : 'failed'} pack: the picker after ${took} ms`);
      await page.close();
    }
  });
});
