// The Network tab: adding a host puts a new card in the topology and a new panel under it; a
// link's loss slider changes what the link's label in the topology says.
import { expectCount, expectText, test, waitFor } from '../harness.mjs';
import { expectNoPanic, expectSvgText, openApp, panel, softChecks, SPEED } from './lib/socksim.mjs';

/** Sets a range input as a drag would end: the value, an input event, then a change event. */
async function slide(locator, value) {
  await locator.evaluate((input, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
}

test('60-network-editor: add a host, set a link loss', async ({ page, baseUrl, screenshot }) => {
  const bugs = softChecks();
  await openApp(page, baseUrl, { speed: SPEED.realtime });
  await page.locator('button.tab[data-tab="network"]').click();
  await expectCount(page.locator('button.tab[data-tab="network"][aria-selected="true"]'), 1);
  const editor = page.locator('.network-editor');
  await expectCount(editor.locator('table.hosts-table tbody tr'), 2);
  await expectCount(editor.locator('fieldset.link-editor'), 1);
  await expectText(editor.locator('fieldset.link-editor legend'), 'client ⇄ server');

  // Add a host: host3 at 10.0.0.3, linked to the first host.
  await editor.locator('button[data-action="add-host"]').click();
  // BUG: the rebuilt network opens on the Packets tab at the default speed, throwing the person out
  // of the editor they are using (Msg::Rebuild builds a fresh Model::with_session). Recorded, then
  // the flow re-opens the tab to check the rest.
  await bugs.check('after "+ Add a host" the Network tab should stay open', async () => {
    const open = await page.locator('button.tab[aria-selected="true"]').getAttribute('data-tab');
    if (open !== 'network') throw new Error(`the open tab is ${open}`);
  });
  await bugs.check('after "+ Add a host" the speed should stay at 1×', async () => {
    const speed = await page.locator('select#speed').inputValue();
    if (speed !== SPEED.realtime) throw new Error(`select#speed reads ${speed}`);
  });
  if (!(await page.locator('button.tab[data-tab="network"][aria-selected="true"]').count())) {
    await page.locator('button.tab[data-tab="network"]').click();
  }
  await expectCount(editor.locator('table.hosts-table tbody tr'), 3);
  await expectCount(editor.locator('table.hosts-table tr[data-host="host3"]'), 1);
  if ((await editor.locator('tr[data-host="host3"] input.host-address').inputValue()) !== '10.0.0.3') {
    throw new Error('the new host should get the free address 10.0.0.3');
  }
  await expectCount(page.locator('#topology g.host'), 3);
  await expectCount(page.locator('#topology g.host[data-host="host3"]'), 1);
  await expectSvgText(page.locator('#topology g.host[data-host="host3"]'), '10.0.0.3');
  await expectCount(panel(page, 'host3'), 1);
  await expectText(panel(page, 'host3').locator('h2'), 'host3');
  await expectCount(page.locator('#topology g.link'), 2);
  await expectCount(editor.locator('fieldset.link-editor'), 2);
  await expectText(editor.locator('fieldset.link-editor legend'), 'client ⇄ host3');
  // The run started again on the new network, and the page says so.
  await expectText(page.locator('.hint-bar .notice'), 'The network changed');
  await expectCount(page.locator('.ladder-heads span'), 3);

  // 25 % loss on the client ⇄ server link, both ways.
  const link = editor.locator('fieldset.link-editor[data-link="0"]');
  const loss = link.locator('label.slider[data-slider="loss"] input[type="range"]');
  await slide(loss, 25);
  await expectText(link.locator('label.slider[data-slider="loss"] output'), '25 %');
  await expectSvgText(page.locator('#topology g.link text.link-label'), '10 ms · 25% loss');
  // The other link is untouched.
  await waitFor(async () => {
    const labels = await page.locator('#topology g.link text.link-label').allTextContents();
    return labels.filter((l) => l === '10 ms').length === 1 && labels.filter((l) => l.includes('25% loss')).length === 1;
  }, 5_000, 'one link label "10 ms · 25% loss" and one plain "10 ms"');
  // A longer delay shows in the label too.
  await slide(link.locator('label.slider[data-slider="delay"] input[type="range"]'), 40);
  await expectSvgText(page.locator('#topology g.link text.link-label'), '40 ms · 25% loss');

  // The new host can make calls like any other.
  await panel(page, 'host3').locator('select[name="call"]').selectOption('socket');
  await panel(page, 'host3').locator('button.run-call').click();
  await expectText(panel(page, 'host3').locator('ol.transcript li'), '<socket fd=3>');
  await expectNoPanic(page);
  await screenshot('60-network-editor');
  bugs.throwIfAny();
});

test('60-network-editor: editing a lesson\'s network makes it the person\'s own', async ({ page, baseUrl }) => {
  await openApp(page, baseUrl, { lesson: '01-hello-server' });
  await expectText(page.locator('.lesson h2'), 'Hello, server');
  await page.locator('button.tab[data-tab="network"]').click();
  const editor = page.locator('.network-editor');
  const name = editor.locator('tr[data-host="server"] input.host-name');
  await name.fill('web');
  await name.dispatchEvent('change');
  // The lesson's scripts and checkpoints named the old hosts: they are gone, and the page says so.
  await expectCount(editor.locator('table.hosts-table tr[data-host="web"]'), 1);
  await expectText(page.locator('.hint-bar'), 'Your network');
  await expectCount(panel(page, 'web'), 1);
  await expectCount(panel(page, 'web').locator('ol.transcript li'), 0);
  await page.locator('button.tab[data-tab="lesson"]').click();
  await expectText(page.locator('.lesson h2'), 'Your network');
  await expectCount(page.locator('.lesson ol.checkpoints'), 0);
  await expectNoPanic(page);
});
