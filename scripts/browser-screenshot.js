// Drives the real Neo4j Browser in headless Chromium as a user would: drops the style sheet
// (cypher/browser/entrustment-chain.grass) and the favourites pack
// (cypher/browser/entrustment-chain-favorites.zip) onto it, sets the parameters, runs a
// favourite of cypher/browser/favorites, shows its frame full screen and saves a screenshot.
// Called by scripts/browser-screenshot, which starts the server and loads the data with its
// findings. Fails when Browser shows its product-analytics banner (the local server's
// neo4j.conf turns telemetry off) or when a favourite did not import.
const fs = require('fs');
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const [browserUrl, boltUrl, dataset, out, favorite] = process.argv.slice(2);
const root = path.resolve(__dirname, '..');
const browserDir = path.join(root, 'cypher/browser');
const query = fs.readFileSync(path.join(browserDir, 'favorites', favorite || '1-whole-dataset.cypher'), 'utf8');

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

// A file dropped onto Browser, as dragging it from a file manager does.
async function drop(page, file, type) {
  const data = [...fs.readFileSync(file)];
  const name = path.basename(file);
  const transfer = await page.evaluateHandle(({ data, name, type }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], name, { type }));
    return dt;
  }, { data, name, type });
  await page.dispatchEvent('.filedrop', 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent('.filedrop', 'drop', { dataTransfer: transfer });
  await page.waitForTimeout(1500);
}

// Nodes as drawn: centre and radius on the page.
async function nodes(page) {
  return page.evaluate(() => [...document.querySelectorAll('svg g.node')].map((n) => {
    const b = (n.querySelector('circle.b-outline') || n).getBoundingClientRect();
    return { x: b.left + b.width / 2, y: b.top + b.height / 2, r: b.width / 2 };
  }));
}

// Wait until the force layout stands still: no node moves more than a pixel in a second.
async function settle(page, limit = 90) {
  let before = await nodes(page);
  for (let i = 0; i < limit; i++) {
    await page.waitForTimeout(1000);
    const now = await nodes(page);
    if (now.length === before.length && now.every((n, k) => Math.hypot(n.x - before[k].x, n.y - before[k].y) < 1)) {
      return;
    }
    before = now;
  }
  throw new Error(`the layout did not settle in ${limit} s`);
}

// The force layout may leave two nodes overlapping, one caption under the other: drag one of
// them clear, as a user would, until no two overlap.
async function separate(page) {
  for (let round = 0; round < 60; round++) {
    const drawn = await nodes(page);
    let moved = false;
    for (let i = 0; i < drawn.length && !moved; i++) {
      for (let j = i + 1; j < drawn.length && !moved; j++) {
        const [a, b] = drawn[i].r <= drawn[j].r ? [drawn[i], drawn[j]] : [drawn[j], drawn[i]];
        const dx = a.x - b.x, dy = a.y - b.y, d = Math.hypot(dx, dy) || 1;
        const gap = 0.85 * (a.r + b.r) - d; // circles may touch; captions, inside, may not
        if (gap > 0) {
          const [ux, uy] = [dx / d, dy / d];
          await page.mouse.move(a.x, a.y);
          await page.mouse.down();
          await page.mouse.move(a.x + ux * (gap + 0.15 * (a.r + b.r)), a.y + uy * (gap + 0.15 * (a.r + b.r)), { steps: 5 });
          await page.mouse.up();
          await settle(page);
          moved = true;
        }
      }
    }
    if (!moved) return;
  }
  await page.screenshot({ path: 'overlap-failed.png' });
  throw new Error('nodes still overlap after 60 moves (see overlap-failed.png)');
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--lang=ja-JP'],
  });
  const page = await browser.newPage({ viewport: { width: 1800, height: 1200 }, locale: 'ja-JP' });
  await page.goto(`${browserUrl}?dbms=${boltUrl}&preselectAuthMethod=NO_AUTH`);
  await page.waitForSelector('text=Connected to Neo4j', { timeout: 60000 });
  await page.waitForTimeout(1000);
  if (await page.locator('text=we collect information on product usage').count()) {
    throw new Error('Browser shows its product-analytics banner: is client.allow_telemetry=false in neo4j.conf?');
  }
  await drop(page, path.join(browserDir, 'entrustment-chain.grass'), 'text/plain');
  await drop(page, path.join(browserDir, 'entrustment-chain-favorites.zip'), 'application/zip');
  const favorites = await page.evaluate(() => JSON.stringify(window.localStorage));
  for (const file of fs.readdirSync(path.join(browserDir, 'favorites'))) {
    const title = fs.readFileSync(path.join(browserDir, 'favorites', file), 'utf8').split('\n')[0].slice(3, 40);
    if (!favorites.includes(JSON.stringify(title).slice(1, -1))) {
      throw new Error(`favourite ${file} was not imported (${title})`);
    }
  }
  await run(page, ':clear', false);
  const parameters = fs.readFileSync(path.join(browserDir, 'favorites', '0-parameters.cypher'), 'utf8')
    .replace(/:param dataset => '[^']*'/, `:param dataset => '${dataset}'`);
  for (const line of parameters.split('\n').filter((l) => l.startsWith(':param'))) {
    await run(page, line.replace(/;$/, ''), false);
  }
  await run(page, ':clear', false);
  await run(page, query, true);
  await page.waitForSelector('svg .node', { timeout: 60000 });
  await page.locator('[data-testid="frame"] button[title^="Fullscreen"]').first().click();
  await settle(page);
  await page.locator('[aria-label="zoom-to-fit"]').first().click();
  await page.waitForTimeout(2000);
  await separate(page);
  await page.locator('[aria-label="zoom-to-fit"]').first().click(); // again: a node moved may stand out
  await page.waitForTimeout(1500);
  const canvas = await page.locator('svg:has(g.node)').first().boundingBox();
  await page.mouse.click(canvas.x + 20, canvas.y + 20); // nothing selected: the Overview shows
  await page.waitForTimeout(500);
  // zoom-to-fit centres the graph on the whole canvas, part of which the Overview panel covers:
  // move it left, by hand, so that no node stands under the panel
  const panel = await page.locator('text=Overview').first().boundingBox();
  const graph = await page.evaluate(() => {
    const boxes = [...document.querySelectorAll('svg .node')].map((n) => n.getBoundingClientRect());
    return { left: Math.min(...boxes.map((b) => b.left)), right: Math.max(...boxes.map((b) => b.right)) };
  });
  const free = panel.x - 16; // the panel's left edge, about
  const shift = graph.right > free ? Math.round((graph.left + graph.right) / 2 - (canvas.x + free) / 2) : 0;
  if (shift > 0) {
    const [x, y] = [canvas.x + 20, canvas.y + 20]; // a corner, empty: the graph stands centred
    await page.mouse.move(x + shift, y);
    await page.mouse.down();
    await page.mouse.move(x, y, { steps: 10 });
    await page.mouse.up();
    await page.evaluate(() => window.getSelection().removeAllRanges());
    await page.waitForTimeout(1000);
  }
  if ((await nodes(page)).some((a, i, all) => all.some((b, j) => j > i && Math.hypot(a.x - b.x, a.y - b.y) < 0.85 * (a.r + b.r)))) {
    throw new Error('two nodes overlap');
  }
  await page.mouse.click(canvas.x + 20, canvas.y + 20); // nothing selected: the Overview shows
  await page.waitForTimeout(500);
  await page.screenshot({ path: out });
  if (process.env.CLIP) { // CLIP=x,y,w,h: also a detail, at the same scale, for checking
    const [x, y, width, height] = process.env.CLIP.split(',').map(Number);
    await page.screenshot({ path: out.replace(/\.png$/, '-detail.png'), clip: { x, y, width, height } });
  }
  await browser.close();
})().catch((error) => { console.error(error); process.exit(1); });
