// A crowd of packets (more than the labelled envelopes' limit) is painted as bare tags on a
// canvas; pressing one still drops its packet, which bursts where it was.
import { expectCount, test, waitForReady } from '../harness.mjs';
import { expectNoPanic, setPlaying } from './lib/socksim.mjs';

test('85-crowd: 1000 datagrams are painted as tags, and pressing one drops it', async ({ page, baseUrl, screenshot }) => {
  await page.goto(new URL('?bench=20x1000', baseUrl).href);
  await waitForReady(page);
  await page.waitForTimeout(300);
  await setPlaying(page, false);
  // No SVG envelopes: the crowd is on the canvas. Find a painted tag's centre on screen.
  await expectCount(page.locator('#topology g.packet'), 0);
  const tag = await page.locator('#topology canvas.crowd').evaluate((canvas) => {
    const { width, height } = canvas;
    const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let painted = 0;
    let first = null;
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        if (pixels[(y * width + x) * 4 + 3] === 0) continue;
        painted += 1;
        if (!first) first = { x, y };
      }
    }
    if (!first) return { painted };
    const box = canvas.getBoundingClientRect();
    const ratio = width / box.width;
    // Aim a few pixels inside the tag from its top-left painted corner.
    return { painted, x: box.left + first.x / ratio + 4, y: box.top + first.y / ratio + 4 };
  });
  if (!(tag.painted > 2000)) throw new Error(`the crowd should paint tags on the canvas, painted pixels: ${tag.painted}`);
  await screenshot('85-crowd-painted');
  // Pointing at a tag lights it: its outline is painted in the highlight colour (#ffb000).
  const lit = async () => page.locator('#topology canvas.crowd').evaluate((canvas) => {
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let amber = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i] > 240 && pixels[i + 1] > 160 && pixels[i + 1] < 190 && pixels[i + 2] < 30) amber += 1;
    }
    return amber;
  });
  if ((await lit()) !== 0) throw new Error('no tag should be outlined before the pointer is on one');
  await page.mouse.move(tag.x, tag.y);
  const deadline = Date.now() + 5_000;
  while ((await lit()) < 20 && Date.now() < deadline) await page.waitForTimeout(50);
  if ((await lit()) < 20) throw new Error('pointing at a crowd tag should outline it in the highlight colour');
  await page.mouse.down();
  await page.mouse.up();
  await expectCount(page.locator('#topology g.burst'), 1, 5_000);
  await expectCount(page.locator('button[role="tab"][data-tab="inspector"][aria-selected="true"]'), 1);
  await expectNoPanic(page);
  await screenshot('85-crowd-dropped');
});
