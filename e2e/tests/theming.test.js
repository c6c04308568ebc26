// Styles: a hostile page stylesheet and the widget leave each other alone (www/hostile.css),
// the dark theme follows prefers-color-scheme, and the --epay-* custom properties theme it.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, shot } from '../lib/harness.js';
import { describeInBrowsers } from '../lib/each-browser.js';
import { screen, open, layoutProblems, axe } from '../lib/screens.js';

/** Computed styles of the page's own elements (the widget must not change them). */
function pageStyles(page) {
  return page.evaluate(() => {
    const props = ['color', 'font-size', 'font-family', 'display', 'margin-top', 'padding-top', 'background-color', 'line-height', 'box-sizing'];
    const out = {};
    for (const sel of ['html', 'body', '.page-title', '.page-text', '.page-button', '#events']) {
      const cs = getComputedStyle(document.querySelector(sel));
      out[sel] = Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
    }
    return out;
  });
}

/** Computed styles of the widget's parts (the page must not change them). */
function widgetStyles(page) {
  return page.evaluate(() => {
    const root = document.querySelector('epay-checkout').shadowRoot;
    const props = ['color', 'font-size', 'font-family', 'display', 'visibility', 'padding-top', 'background-color', 'line-height', 'text-transform', 'letter-spacing', 'border-top-width'];
    const out = {};
    for (const sel of ['.epay-card', '.epay-h', '.epay-amount', '.epay-method', '.epay-method-title', '.epay-input', '.epay-primary', 'label']) {
      const el = root.querySelector(sel);
      if (!el) continue;
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      out[sel] = Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)]));
      // Controls keep their size; text blocks may wrap differently in the page's own (reset) layout.
      if (el.matches('button, input')) out[sel].height = Math.round(r.height);
    }
    return out;
  });
}

describeInBrowsers('theming', (name, env) => {
  let sandbox, browser;
  before(() => ({ sandbox, browser } = env));

  it('a hostile page stylesheet changes nothing in the widget, and the widget changes nothing on the page', async () => {
    for (const spec of [screen('picker'), screen('picker-modal'), screen('fields'), screen('code'), screen('terminal')]) {
      const plain = await newPage(browser, { width: 360, height: 800 });
      await open(plain, sandbox.url, spec);
      const hostile = await newPage(browser, { width: 360, height: 800 });
      await open(hostile, sandbox.url, spec, '&hostile=1');
      assert.deepEqual(await widgetStyles(hostile), await widgetStyles(plain), `${spec.name}: widget styles under hostile.css`);
      assert.deepEqual(await layoutProblems(hostile), [], spec.name);
      await shot(hostile, `${name}-adopt-hostile-${spec.name}-360`);
      assert.deepEqual([...plain.errors, ...hostile.errors], []);
      await plain.close();
      await hostile.close();
    }
    // No leak: the page looks the same with and without a mounted widget (an unknown
    // order mounts none), and the widget adds no stylesheet to the document.
    const bare = await newPage(browser);
    await bare.goto(`${sandbox.url}/embed.html?order=no-such-order`, { waitUntil: 'load' });
    await bare.waitForFunction(() => /could not/.test(document.querySelector('#order-info').textContent));
    const mounted = await newPage(browser);
    await open(mounted, sandbox.url, screen('fields'));
    assert.deepEqual(await pageStyles(mounted), await pageStyles(bare));
    const sheets = await mounted.evaluate(() => ({ doc: document.styleSheets.length, adopted: document.adoptedStyleSheets.length, styles: document.querySelectorAll('style').length }));
    assert.deepEqual(sheets, { doc: 1, adopted: 0, styles: 0 }, 'only embed.css on the page');
    await bare.close();
    await mounted.close();
  });

  // Media emulation needs CDP (Firefox over WebDriver BiDi has none); theme=dark is tested in both.
  it('follows prefers-color-scheme by default (theme auto): dark, and still AA', { skip: name !== 'chromium' && 'needs CDP' }, async () => {
    const page = await newPage(browser, { width: 360, height: 780 });
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await open(page, sandbox.url, screen('fields'));
    const bg = await page.evaluate(() => getComputedStyle(document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-card')).backgroundColor);
    assert.equal(bg, 'rgb(21, 24, 30)', 'the dark card');
    assert.deepEqual(await axe(page), [], 'axe, auto theme in dark mode');
    await shot(page, `${name}-adopt-auto-dark-fields-360`);
    await page.close();
  });

  it('the --epay-* custom properties theme the widget, in light and dark', async () => {
    const THEME = { '--epay-color-primary': '#6b2bd9', '--epay-color-bg': '#fffdf5', '--epay-color-text': '#222222', '--epay-font': 'Georgia, serif', '--epay-radius': '3px', '--epay-space': '24px', '--epay-font-size': '18px' };
    for (const theme of ['light', 'dark']) {
      const page = await newPage(browser, { width: 360, height: 800 });
      await open(page, sandbox.url, screen('fields'), `&theme=${theme}`);
      const before = await page.evaluate(() => getComputedStyle(document.querySelector('epay-checkout').shadowRoot.querySelector('.epay-primary')).backgroundColor);
      const seen = await page.evaluate((props) => {
        const host = document.querySelector('epay-checkout');
        // CSSOM, which the page's strict style-src allows (as a merchant's stylesheet would).
        for (const [k, v] of Object.entries(props)) host.style.setProperty(k, v);
        const root = host.shadowRoot;
        const cs = (sel) => getComputedStyle(root.querySelector(sel));
        return {
          primary: cs('.epay-primary').backgroundColor, onPrimary: cs('.epay-primary').color,
          card: cs('.epay-card').backgroundColor, text: cs('.epay-h').color, font: cs('.epay').fontFamily,
          radius: cs('.epay-card').borderTopLeftRadius, padding: cs('.epay-card').paddingTop, size: cs('.epay').fontSize,
        };
      }, THEME);
      assert.notEqual(before, 'rgb(107, 43, 217)');
      assert.deepEqual(seen, {
        primary: 'rgb(107, 43, 217)', onPrimary: 'rgb(255, 253, 245)', card: 'rgb(255, 253, 245)', text: 'rgb(34, 34, 34)',
        font: 'Georgia, serif', radius: '3px', padding: seen.padding, size: '18px',
      }, theme);
      assert.ok(['24px', '18px'].includes(seen.padding), `padding follows --epay-space (phones use 3/4 of it): ${seen.padding}`);
      await shot(page, `${name}-adopt-themed-${theme}-360`);
      assert.deepEqual(page.errors, []);
      await page.close();
    }
  });
});
