// Every screen a customer can meet (lib/screens.js), phone first: axe-core in light and dark
// (Chromium), no horizontal overflow, 44 px tap targets, screenshots at 360 and 1280 px.
import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { newPage, shot } from '../lib/harness.js';
import { describeInBrowsers } from '../lib/each-browser.js';
import { SCREENS, open, layoutProblems, axe } from '../lib/screens.js';

describeInBrowsers('screens', (name, env) => {
  let sandbox, browser;
  before(() => ({ sandbox, browser } = env));

  for (const spec of SCREENS) {
    it(`${spec.name}: axe, no horizontal overflow, 44 px tap targets, screenshots at 360 and 1280 px`, async () => {
      const page = await newPage(browser, { width: 360, height: 780 });
      await open(page, sandbox.url, spec);
      assert.deepEqual(await layoutProblems(page), [], `${spec.name} at 360 px`);
      await shot(page, `${name}-adopt-${spec.name}-360`);
      if (name === 'chromium') assert.deepEqual(await axe(page), [], `${spec.name}: axe, light`);
      await page.setViewport({ width: 1280, height: 900 });
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(await layoutProblems(page), [], `${spec.name} at 1280 px`);
      await shot(page, `${name}-adopt-${spec.name}-1280`);
      await page.close();
      if (name !== 'chromium') return;
      // The dark theme: contrast and the rest, again.
      const dark = await newPage(browser, { width: 360, height: 780 });
      await open(dark, sandbox.url, spec, '&theme=dark');
      assert.deepEqual(await axe(dark), [], `${spec.name}: axe, dark`);
      assert.deepEqual(await layoutProblems(dark), [], `${spec.name} dark at 360 px`);
      await shot(dark, `${name}-adopt-${spec.name}-dark-360`);
      await dark.close();
    });
  }
});
