// Screenshots of HTML reports in headless Chromium (Debian's chromium, driven by playwright-core):
// for each "REPORT.html OUT.png [CONSIGNOR-ID]", the page from its top to the end of the drawing,
// wide enough for the whole drawing; with a consignor id, that consignor chosen in the filter
// first. Called by scripts/report-screenshots.
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

(async () => {
  const jobs = process.argv.slice(2).map((arg) => arg.split('\t'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  for (const [report, out, consignor] of jobs) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const requests = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await page.goto('file://' + report);
    const svgWidth = await page.evaluate(() => document.querySelector('svg.chain').getBoundingClientRect().width);
    await page.setViewportSize({ width: Math.max(1400, Math.ceil(svgWidth) + 90), height: 900 });
    if (consignor) {
      const value = await page.evaluate((id) => {
        const o = [...document.querySelectorAll('#consignor option')].find((x) => x.dataset.id === id);
        return o ? o.value : null;
      }, consignor);
      if (value === null) throw new Error(`${report}: no consignor ${consignor} in the filter`);
      await page.selectOption('#consignor', value);
    }
    const bottom = await page.evaluate(() => {
      const d = document.querySelector('.drawing').getBoundingClientRect();
      return d.bottom + window.scrollY + 12;
    });
    const width = page.viewportSize().width;
    await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: 0, width, height: Math.ceil(bottom) } });
    if (requests.length) throw new Error(`${report} fetched ${requests.join(', ')}`);
    await page.close();
    console.log(`wrote ${out}`);
  }
  await browser.close();
})().catch((error) => { console.error(error); process.exit(1); });
