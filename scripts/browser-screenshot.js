// Drives the real Neo4j Browser in headless Chromium: applies cypher/browser/*.grass, runs the
// stored query cypher/queries/undisclosed_paths.cypher as a user would paste it, and saves a
// screenshot. Called by scripts/browser-screenshot, which starts the server and loads the data.
const fs = require('fs');
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const [browserUrl, boltUrl, dataset, out] = process.argv.slice(2);
const root = path.resolve(__dirname, '..');
const grassText = fs.readFileSync(path.join(root, 'cypher/browser/entrustment-chain.grass'), 'utf8')
  .replace(/\/\*[\s\S]*?\*\//g, '');

// The style sheet as Neo4j Browser keeps it (localStorage 'neo4j.grass'): selector -> properties.
function parseGrass(text) {
  const style = {};
  for (const m of text.matchAll(/([\w.]+)\s*\{([^}]*)\}/g)) {
    const props = {};
    for (const line of m[2].split(';')) {
      const i = line.indexOf(':');
      if (i > 0) props[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    style[m[1]] = props;
  }
  return style;
}
const grass = parseGrass(grassText);
const query = fs.readFileSync(path.join(root, 'cypher/queries/undisclosed_paths.cypher'), 'utf8');

async function run(page, text, multiline) {
  const editor = page.locator('.monaco-editor textarea').first();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await page.keyboard.press(multiline ? 'Control+Enter' : 'Enter');
  await page.waitForTimeout(1500);
  if (await page.locator('text=Something went wrong').count()) {
    throw new Error('Neo4j Browser failed after: ' + text.slice(0, 80));
  }
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.addInitScript((style) => {
    window.localStorage.setItem('neo4j.grass', JSON.stringify(style));
  }, grass);
  await page.goto(`${browserUrl}?dbms=${boltUrl}&preselectAuthMethod=NO_AUTH`);
  await page.waitForSelector('text=Connected to Neo4j', { timeout: 60000 });
  await run(page, ':clear', false);
  await run(page, `:param dataset => '${dataset}'`, false);
  await run(page, ":param consignor => ''", false);
  await run(page, ':param as_of => null', false);
  await run(page, ':clear', false);
  await run(page, query, true);
  await page.waitForSelector('svg .node', { timeout: 60000 });
  await page.waitForTimeout(6000); // let the force layout settle
  await page.screenshot({ path: out });
  await browser.close();
})().catch((error) => { console.error(error); process.exit(1); });
