// The dashboard page run in jsdom against canned answers of the read API (the shapes ServiceTests checks on the real
// service): the experiments table, a click on an experiment, its trials drawn, its ranking and the models listed; a
// running search offers a cancel, which is POSTed to the API.
// Values are set as text: an id with markup shows as text. Run: cd src/test/js && npm install && npm test
const assert = require("assert");
const { JSDOM } = require("jsdom");
const fs = require("fs");
const html = fs.readFileSync(require("path").join(__dirname, "../../main/resources/META-INF/resources/index.html"), "utf8");
const t = (id, ep, top1, from, status="SUCCEEDED") => ({trialId: id, configId: 1, epochs: ep, attempt: 0, status, top1, epochsTrained: ep, durationMs: 1, worker: "w", error: null, resumeFromTrialId: from});
const exp = {experimentId: "e<b>1", datasetId: "ds", strategy: "TASK_AWARE_HYPERBAND", phase: "DONE", maxEpochsPerTrial: 9, eta: 3,
  totalEpochBudget: 0, seed: 1, epochsCommitted: 20, epochsUsed: 20, best: t("e-b2-r2-c1", 9, 0.9, "e-b2-r1-c1"), outcome: null, note: "",
  trialsRequested: 4, duplicateResults: 0, createdAtMs: Date.UTC(2026, 10, 27, 8, 53, 20), completedAtMs: 1796000000000, archived: false, brackets: [{s: 2, rungs: [
    {index: 0, planned: 9, epochs: 1, trials: [t("e-b2-r0-c1", 1, 0.5, null), t("e-b2-r0-c2", 1, 0, null, "FAILED")]},
    {index: 1, planned: 3, epochs: 3, trials: [t("e-b2-r1-c1", 3, 0.7, "e-b2-r0-c1")]},
    {index: 2, planned: 1, epochs: 9, trials: [t("e-b2-r2-c1", 9, 0.9, "e-b2-r1-c1")]}]}]};
const running = {...exp, experimentId: "run-1", strategy: "HYPERBAND", phase: "RUNNING", best: null, completedAtMs: 0};
// Finished longer ago than the scheduler's retention: its result and best trial, no brackets.
const old = {...exp, experimentId: "old-1", trialsRequested: 69, completedAtMs: Date.UTC(2026, 9, 1), archived: true, brackets: []};
// Page one holds the newest; its header says where the next, older page starts.
const page2 = {...exp, experimentId: "older-1", createdAtMs: Date.UTC(2026, 5, 1), archived: true, brackets: []};
const headers = {"/experiments?limit=100": {"X-HyperSTAR-Next": "1780000000000/old-1"}};
const data = {
  "/experiments?limit=100": [exp, running, old],
  "/experiments?limit=100&after=1780000000000%2Fold-1": [page2],
  "/experiments?limit=100&tenant=team%20b&phase=RUNNING": [running],
  "/experiments/old-1": old,
  "/experiments/old-1/ranking": {modelVersion: "m1", millis: 88, device: "cpu()", rankedLike: [], archived: true,
    ranking: [{rank: 1, configId: 1, config: {lr: "0.1"}, trials: 0, bestTop1: null, maxEpochs: 0}]},
  "/experiments/run-1": running,
  "/experiments/e%3Cb%3E1": exp,
  "/experiments/e%3Cb%3E1/ranking": {modelVersion: "m1", millis: 88, device: "cpu()", rankedLike: [{taskId: "fashion-10", weight: 0.15}], ranking: [{rank: 1, configId: 1, config: {lr: "0.1"}, trials: 3, bestTop1: 0.9, maxEpochs: 9}]},
  "/models": [{version: "m1", publishedAt: "2026-11-27T00:00:00Z", tasks: 36, records: 3000, validationAp10: 0.5, newest: true}],
};
const posts = [];
const dom = new JSDOM(html, {runScripts: "dangerously", url: "http://localhost/", beforeParse(w) {
  w.fetch = async (u, init) => {
    if (init && init.method === "POST") {
      posts.push([u, JSON.parse(init.body)]);
      return {ok: true, status: 202, json: async () => ({experimentId: "run-1", status: "cancel requested"})};
    }
    return {ok: u in data, json: async () => data[u], headers: {get: name => (headers[u] || {})[name] || null}};
  };
  w.confirm = () => true;
  w.setInterval = () => 0;
}});
setTimeout(async () => {
  const d = dom.window.document;
  const cells = d.querySelectorAll("#experiments tbody tr td");
  assert.strictEqual(d.querySelectorAll("#experiments tbody tr").length, 3);
  assert.strictEqual(cells[0].textContent, "e<b>1", "an id is shown as text, never parsed as markup");
  assert.strictEqual(d.querySelectorAll("#experiments b").length, 0);
  assert.strictEqual(cells[1].textContent, "2026-11-27 08:53:20", "when the scheduler registered it, UTC");
  assert.strictEqual(cells[5].textContent, "90.00%");
  assert.strictEqual(d.getElementById("detail").hidden, true, "no detail before a click");

  d.querySelector("#experiments tbody tr").click();
  await new Promise(r => setTimeout(r, 200));
  assert.strictEqual(d.getElementById("detail").hidden, false);
  assert.strictEqual(d.getElementById("detail-title").textContent, "e<b>1 · TASK_AWARE_HYPERBAND");
  assert.strictEqual(d.querySelectorAll("#trials circle").length, 3, "one dot per successful trial, none for the failed one");
  assert.strictEqual(d.querySelectorAll("#trials line[stroke-opacity]").length, 2, "one line per promotion");
  const dots = [...d.querySelectorAll("#trials circle")].map(c => [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))]);
  assert.ok(dots[0][0] < dots[1][0] && dots[1][0] < dots[2][0], "more epochs further right");
  assert.ok(dots[0][1] > dots[1][1] && dots[1][1] > dots[2][1], "higher top-1 further up");
  const rank = [...d.querySelectorAll("#ranking tbody tr td")].map(td => td.textContent);
  assert.deepStrictEqual(rank, ["1", "lr=0.1", "3", "90.00%", "9"]);
  assert.match(d.getElementById("ranking-note").textContent, /model m1 in 88 ms on cpu\(\), like fashion-10 \(15\.00%\)/);
  const model = [...d.querySelectorAll("#models tbody tr td")].map(td => td.textContent);
  assert.deepStrictEqual(model, ["m1", "2026-11-27T00:00:00Z", "36", "3000", "0.500", "newest"]);
  assert.strictEqual(d.getElementById("cancel").hidden, true, "an ended search offers no cancel");

  d.querySelectorAll("#experiments tbody tr")[1].click();
  await new Promise(r => setTimeout(r, 200));
  assert.strictEqual(d.getElementById("cancel").hidden, false, "a running search offers a cancel");
  d.getElementById("cancel").click();
  await new Promise(r => setTimeout(r, 100));
  assert.deepStrictEqual(posts, [["/experiments/run-1/cancel", {reason: "cancelled from the dashboard"}]]);
  assert.strictEqual(d.getElementById("cancel-note").textContent, "cancel requested");

  d.querySelectorAll("#experiments tbody tr")[2].click();
  await new Promise(r => setTimeout(r, 200));
  assert.match(d.getElementById("detail-summary").textContent,
    /best 90\.00% .* · archived: finished 2026-10-01T00:00:00\.000Z, .*; 69 trials ran, only the best is kept/);
  assert.strictEqual(d.querySelectorAll("#trials circle").length, 0, "an archived search draws no trials it no longer has");
  assert.match(d.getElementById("ranking-note").textContent, /archived: what it measured of each is no longer kept/);
  assert.strictEqual(d.getElementById("cancel").hidden, true);
  const phases = [...d.querySelectorAll("#experiments tbody tr")].map(tr => tr.children[4].textContent);
  assert.deepStrictEqual(phases, ["DONE", "RUNNING", "DONE (archived)"]);

  // Older searches, a page at a time, and back to the newest.
  assert.strictEqual(d.getElementById("newest").hidden, true);
  d.getElementById("older").click();
  await new Promise(r => setTimeout(r, 200));
  assert.deepStrictEqual([...d.querySelectorAll("#experiments tbody tr")].map(tr => tr.children[0].textContent), ["older-1"]);
  assert.strictEqual(d.getElementById("older").hidden, true, "the last page has no older one");
  d.getElementById("newest").click();
  await new Promise(r => setTimeout(r, 200));
  assert.strictEqual(d.querySelectorAll("#experiments tbody tr").length, 3);

  // Filters go to the API as its query parameters; an empty field filters nothing.
  d.getElementById("tenant").value = " team b ";
  d.getElementById("phase").value = "RUNNING";
  d.getElementById("filters").dispatchEvent(new dom.window.Event("submit", {cancelable: true}));
  await new Promise(r => setTimeout(r, 200));
  assert.deepStrictEqual([...d.querySelectorAll("#experiments tbody tr")].map(tr => tr.children[0].textContent), ["run-1"]);
  console.log("dashboard: all checks passed");
}, 200);
