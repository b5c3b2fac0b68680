//! GitLab's REST API (`/api/v4`) for the tests, on 127.0.0.1 at a free
//! port: every request is checked against the operations below and refused
//! with 400 naming what does not match (path, method, query parameter,
//! field, type, value); what passes is answered from the state kept here
//! (merge requests, pipelines and their jobs, commit statuses, tags,
//! releases and their links, generic package files) with bodies checked
//! against the entities below. Every request is logged with the host it was
//! sent to, its tokens and its answer.
//!
//! The schema is transcribed by hand (no package on the registries the
//! tests may install from ships GitLab's API description, so it cannot be
//! pinned as Forgejo's is) and was checked against GitLab's own sources in
//! the `gitlabhq/gitlabhq` repository:
//!
//! - `doc/api/openapi/openapi_v2.yaml` at commit
//!   `0338625c4996c8b4dde44bd86d1767b654121ee7`, for all fourteen
//!   operations (the names here are the double's; the document's
//!   `operationId` is beside each in `OPS`): methods and paths, path, query
//!   and body parameters with their types, required ones and allowed
//!   values, success statuses, and the entities answered (a subset of their
//!   fields here).
//! - The API's code where the document is silent or vague: which routes
//!   take a job token (`route_setting :authentication, job_token_allowed`
//!   in `lib/api/merge_requests.rb`, `ci/pipelines.rb`, `tags.rb`,
//!   `releases.rb`, `release/links.rb`, `generic_packages.rb`), the
//!   characters of a generic package's name, version and file name
//!   (`lib/gitlab/regex/packages.rb`), a release link's path
//!   (`app/models/releases/link.rb`), fields that are left out or null
//!   (`lib/api/entities/`).
//! - `doc/api/issues.md` (commit `000087abd5a11442a7e34b0e5f3bf86cb40fa8e4`)
//!   for the three issue operations, which the OpenAPI document lacks.
//! - The Markdown documentation: `doc/ci/jobs/ci_job_token.md`, paging
//!   (`per_page` 20 by default, at most 100; the `x-*` headers and `Link`
//!   of offset paging, only `Link` with keyset paging) and URL-encoded
//!   namespaced paths (`doc/api/rest/_index.md`), a missing or ignored token
//!   answered 401 (`doc/api/rest/authentication.md`), a throttled request
//!   (`doc/administration/settings/user_and_ip_rate_limits.md`), generic
//!   packages (`doc/user/packages/generic_packages/_index.md`), releases
//!   and their links (`doc/api/releases/`), tags (`doc/api/tags.md`).
//!
//! Where the two disagree this follows the code and the OpenAPI document:
//! a tag that cannot be created is a 400 (`tags.md` says 405); a job token
//! may list a pipeline's jobs (`ci_job_token.md` lists only the pipeline's
//! metadata); a generic package's file name holds no `~` or `@` (the
//! Markdown allows them inside it).
//!
//! Stricter than GitLab: a field or query parameter not documented for the
//! operation is refused, where GitLab would ignore it, since a misspelt or
//! GitHub-only name is what a client test should catch; so is a `per_page`
//! above 100, which GitLab would cut. To stay small it also lists only the
//! documented parameters a client of the train might send, not every one,
//! and takes no directory path between a generic package's version and its
//! file name, which GitLab would take.
//!
//! It answers as GitLab does where its sources say so: `per_page` defaults
//! to 20; lists carry `x-page`, `x-per-page`, `x-total`, `x-total-pages`,
//! `x-next-page`, `x-prev-page` (empty at the ends) and `Link`; a commit's
//! statuses come oldest first unless `sort=desc`; a tag that exists is a
//! 400 "Tag … already exists"; a release that exists a 409; a second open
//! merge request for the same branches a 409; a release link whose name,
//! URL or path the release has already a 400; an upload a 201 message, or
//! with `select=package_file` the file (200); a throttled request a
//! plain-text 429 with `Retry-After`, `RateLimit-*` and
//! `RateLimit-ResetTime`. A job token reaches releases and their links,
//! the package registry, the list and the single merge request, and a
//! pipeline's jobs; elsewhere (the pipelines, a merge request's commits,
//! changes to merge requests, commit statuses, a tag) GitLab ignores it and
//! answers 401.

use super::proxy::read_request;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::{Value, json};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// The one project (`g/r`) and its id; a fork's id.
pub const PROJECT: &str = "g/r";
const PROJECT_ID: i64 = 7;
const FORK_ID: i64 = 8;
const DEFAULT_PER_PAGE: usize = 20;
const MAX_PER_PAGE: usize = 100;

/// The type of a parameter or field as the documentation gives it.
#[derive(Clone, Copy, Debug)]
enum Ty {
    Str,
    Int,
    Bool,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A string that is not empty (`allow_blank: false`).
    NonBlank,
    /// Strings of letters, digits and these characters.
    Chars(&'static str),
    /// A generic package's version (`maven_version_regex`): letters,
    /// digits, `_`, `+`, `.`, `-`, never two dots in a row.
    Version,
    /// Comma-separated strings, or (JSON) a list of strings: GitLab takes
    /// either for its array parameters (`labels`, `milestones`).
    StrOrList,
    /// Comma-separated IDs, or (JSON) a list of them as integers or strings
    /// (`Array[String, Integer]`: `milestone_ids`).
    IdsOrList,
    /// A list of these strings (`scope[]=a&scope[]=b`, or one `scope`).
    Many(&'static [&'static str]),
    /// A list of integers (JSON).
    Ints,
    /// An object (JSON).
    Object,
    /// An RFC 3339 / ISO 8601 date-time string.
    DateTime,
}

#[derive(Clone, Copy, Debug)]
struct P {
    name: &'static str,
    ty: Ty,
    required: bool,
}

const fn p(name: &'static str, ty: Ty) -> P {
    P {
        name,
        ty,
        required: false,
    }
}

const fn req(name: &'static str, ty: Ty) -> P {
    P {
        name,
        ty,
        required: true,
    }
}

#[derive(Clone, Copy, Debug)]
enum Body {
    None,
    /// A JSON object of these fields; `at_least_one`: an edit naming none
    /// is refused.
    Json {
        fields: &'static [P],
        at_least_one: bool,
    },
    /// The file itself.
    Bytes,
}

/// One documented operation.
#[derive(Debug)]
struct Op {
    id: &'static str,
    method: &'static str,
    /// The path under `/api/v4`, parameters in braces.
    template: &'static str,
    params: &'static [P],
    query: &'static [P],
    body: Body,
    /// Whether a CI/CD job token may call it.
    job_token: bool,
}

const PAGE: [P; 2] = [p("page", Ty::Int), p("per_page", Ty::Int)];
const ID: P = req("id", Ty::Str);
const IID: P = req("merge_request_iid", Ty::Int);
const SORT: Ty = Ty::OneOf(&["asc", "desc"]);
const MR_STATES: Ty = Ty::OneOf(&["opened", "closed", "locked", "merged", "all"]);
/// The statuses of pipelines and of jobs (GitLab's `AVAILABLE_STATUSES`).
const STATUSES: &[&str] = &[
    "created",
    "waiting_for_resource",
    "preparing",
    "waiting_for_callback",
    "pending",
    "running",
    "success",
    "failed",
    "canceling",
    "canceled",
    "skipped",
    "manual",
    "scheduled",
];
/// What starts a pipeline.
const PIPELINE_SOURCES: &[&str] = &[
    "unknown",
    "push",
    "web",
    "trigger",
    "schedule",
    "api",
    "external",
    "pipeline",
    "chat",
    "webide",
    "merge_request_event",
    "external_pull_request_event",
    "parent_pipeline",
    "ondemand_dast_scan",
    "ondemand_dast_validation",
    "security_orchestration_policy",
    "container_registry_push",
    "duo_workflow",
    "pipeline_execution_policy_schedule",
];

static OPS: &[Op] = &[
    // `getApiV4ProjectsIdMergeRequests`
    Op {
        id: "listMergeRequests",
        method: "GET",
        template: "/projects/{id}/merge_requests",
        params: &[ID],
        query: &[
            p("state", MR_STATES),
            p("source_branch", Ty::Str),
            p("target_branch", Ty::Str),
            p(
                "order_by",
                Ty::OneOf(&[
                    "created_at",
                    "label_priority",
                    "milestone_due",
                    "popularity",
                    "priority",
                    "title",
                    "updated_at",
                    "merged_at",
                ]),
            ),
            p("sort", SORT),
            p("labels", Ty::StrOrList),
            p("milestone", Ty::Str),
            p("view", Ty::OneOf(&["simple"])),
            p("author_id", Ty::Int),
            p("search", Ty::Str),
            p("wip", Ty::OneOf(&["yes", "no"])),
            PAGE[0],
            PAGE[1],
        ],
        body: Body::None,
        job_token: true,
    },
    // `postApiV4ProjectsIdMergeRequests`
    Op {
        id: "createMergeRequest",
        method: "POST",
        template: "/projects/{id}/merge_requests",
        params: &[ID],
        query: &[],
        body: Body::Json {
            fields: &[
                req("source_branch", Ty::Str),
                req("target_branch", Ty::Str),
                req("title", Ty::Str),
                p("description", Ty::Str),
                p("assignee_id", Ty::Int),
                p("assignee_ids", Ty::Ints),
                p("reviewer_ids", Ty::Ints),
                p("labels", Ty::StrOrList),
                p("milestone_id", Ty::Int),
                p("remove_source_branch", Ty::Bool),
                p("squash", Ty::Bool),
                p("target_project_id", Ty::Int),
                p("allow_collaboration", Ty::Bool),
            ],
            at_least_one: false,
        },
        job_token: false,
    },
    // `putApiV4ProjectsIdMergeRequestsMergeRequestIid`
    Op {
        id: "updateMergeRequest",
        method: "PUT",
        template: "/projects/{id}/merge_requests/{merge_request_iid}",
        params: &[ID, IID],
        query: &[],
        body: Body::Json {
            fields: &[
                p("title", Ty::NonBlank),
                p("description", Ty::Str),
                p("target_branch", Ty::NonBlank),
                p("state_event", Ty::OneOf(&["close", "reopen"])),
                p("assignee_id", Ty::Int),
                p("assignee_ids", Ty::Ints),
                p("reviewer_ids", Ty::Ints),
                p("labels", Ty::StrOrList),
                p("add_labels", Ty::StrOrList),
                p("remove_labels", Ty::StrOrList),
                p("milestone_id", Ty::Int),
                p("remove_source_branch", Ty::Bool),
                p("squash", Ty::Bool),
                p("discussion_locked", Ty::Bool),
                p("allow_collaboration", Ty::Bool),
            ],
            at_least_one: true,
        },
        job_token: false,
    },
    // `getApiV4ProjectsIdMergeRequestsMergeRequestIid`
    Op {
        id: "getMergeRequest",
        method: "GET",
        template: "/projects/{id}/merge_requests/{merge_request_iid}",
        params: &[ID, IID],
        query: &[
            p("include_diverged_commits_count", Ty::Bool),
            p("include_rebase_in_progress", Ty::Bool),
            p("render_html", Ty::Bool),
        ],
        body: Body::None,
        job_token: true,
    },
    // `getApiV4ProjectsIdMergeRequestsMergeRequestIidCommits`
    Op {
        id: "getMergeRequestCommits",
        method: "GET",
        template: "/projects/{id}/merge_requests/{merge_request_iid}/commits",
        params: &[ID, IID],
        query: &PAGE,
        body: Body::None,
        job_token: false,
    },
    // `getApiV4ProjectsIdPipelines`
    Op {
        id: "listPipelines",
        method: "GET",
        template: "/projects/{id}/pipelines",
        params: &[ID],
        query: &[
            p(
                "scope",
                Ty::OneOf(&["running", "pending", "finished", "branches", "tags"]),
            ),
            p("status", Ty::OneOf(STATUSES)),
            p("source", Ty::OneOf(PIPELINE_SOURCES)),
            p("ref", Ty::Str),
            p("sha", Ty::Str),
            p("yaml_errors", Ty::Bool),
            p("username", Ty::Str),
            p("name", Ty::Str),
            p("updated_after", Ty::DateTime),
            p("updated_before", Ty::DateTime),
            p("created_after", Ty::DateTime),
            p("created_before", Ty::DateTime),
            p(
                "order_by",
                Ty::OneOf(&["id", "status", "ref", "updated_at", "user_id"]),
            ),
            p("sort", SORT),
            PAGE[0],
            PAGE[1],
        ],
        body: Body::None,
        job_token: false,
    },
    // `getApiV4ProjectsIdPipelinesPipelineIdJobs`
    Op {
        id: "listPipelineJobs",
        method: "GET",
        template: "/projects/{id}/pipelines/{pipeline_id}/jobs",
        params: &[ID, req("pipeline_id", Ty::Int)],
        query: &[
            p("scope", Ty::Many(STATUSES)),
            p("include_retried", Ty::Bool),
            PAGE[0],
            PAGE[1],
        ],
        body: Body::None,
        // `job_token_allowed` in `lib/api/ci/pipelines.rb`, though
        // `ci_job_token.md` does not list it.
        job_token: true,
    },
    // `getApiV4ProjectsIdRepositoryCommitsShaStatuses`
    Op {
        id: "listCommitStatuses",
        method: "GET",
        template: "/projects/{id}/repository/commits/{sha}/statuses",
        params: &[ID, req("sha", Ty::Str)],
        query: &[
            p("ref", Ty::Str),
            p("stage", Ty::Str),
            p("name", Ty::Str),
            p("pipeline_id", Ty::Int),
            p("order_by", Ty::OneOf(&["id", "pipeline_id"])),
            p("sort", SORT),
            p("all", Ty::Bool),
            PAGE[0],
            PAGE[1],
        ],
        body: Body::None,
        job_token: false,
    },
    // `postApiV4ProjectsIdRepositoryTags`
    Op {
        id: "createTag",
        method: "POST",
        template: "/projects/{id}/repository/tags",
        params: &[ID],
        query: &[],
        body: Body::Json {
            fields: &[
                req("tag_name", Ty::Str),
                req("ref", Ty::Str),
                p("message", Ty::Str),
            ],
            at_least_one: false,
        },
        job_token: false,
    },
    // `getApiV4ProjectsIdRepositoryTagsTagName`
    Op {
        id: "getTag",
        method: "GET",
        template: "/projects/{id}/repository/tags/{tag_name}",
        params: &[ID, req("tag_name", Ty::Str)],
        query: &[],
        body: Body::None,
        job_token: false,
    },
    // `getApiV4ProjectsIdReleasesTagName`
    Op {
        id: "getRelease",
        method: "GET",
        template: "/projects/{id}/releases/{tag_name}",
        params: &[ID, req("tag_name", Ty::Str)],
        query: &[p("include_html_description", Ty::Bool)],
        body: Body::None,
        job_token: true,
    },
    // `postApiV4ProjectsIdReleases`
    Op {
        id: "createRelease",
        method: "POST",
        template: "/projects/{id}/releases",
        params: &[ID],
        query: &[],
        body: Body::Json {
            fields: &[
                req("tag_name", Ty::Str),
                p("tag_message", Ty::Str),
                p("name", Ty::Str),
                p("description", Ty::Str),
                p("ref", Ty::Str),
                p("milestones", Ty::StrOrList),
                p("milestone_ids", Ty::IdsOrList),
                p("assets", Ty::Object),
                p("released_at", Ty::DateTime),
                p("legacy_catalog_publish", Ty::Bool),
            ],
            at_least_one: false,
        },
        job_token: true,
    },
    // `postApiV4ProjectsIdReleasesTagNameAssetsLinks`
    Op {
        id: "createReleaseLink",
        method: "POST",
        template: "/projects/{id}/releases/{tag_name}/assets/links",
        params: &[ID, req("tag_name", Ty::Str)],
        query: &[],
        body: Body::Json {
            fields: &[
                req("name", Ty::Str),
                req("url", Ty::Str),
                p("direct_asset_path", Ty::Str),
                p("filepath", Ty::Str),
                p(
                    "link_type",
                    Ty::OneOf(&["other", "runbook", "image", "package"]),
                ),
            ],
            at_least_one: false,
        },
        job_token: true,
    },
    // `putApiV4ProjectsIdPackagesGenericPackageName*packageVersion(*path)FileName`
    Op {
        id: "putGenericPackageFile",
        method: "PUT",
        template: "/projects/{id}/packages/generic/{package_name}/{package_version}/{file_name}",
        params: &[
            ID,
            // Both `generic_package_name_regex`; the Markdown documentation
            // also allows `~` and `@` inside a file name, GitLab's code not.
            req("package_name", Ty::Chars("._-+")),
            req("package_version", Ty::Version),
            req("file_name", Ty::Chars("._-+")),
        ],
        query: &[
            p("status", Ty::OneOf(&["default", "hidden"])),
            p("select", Ty::OneOf(&["package_file"])),
        ],
        body: Body::Bytes,
        job_token: true,
    },
    // Issues: not in the OpenAPI document; transcribed from
    // `doc/api/issues.md` ("List project issues", "New issue", "Edit
    // issue"; commit `000087abd5a11442a7e34b0e5f3bf86cb40fa8e4`).
    Op {
        id: "listIssues",
        method: "GET",
        template: "/projects/{id}/issues",
        params: &[ID],
        query: &[
            p("iids[]", Ty::Ints),
            p("state", Ty::OneOf(&["opened", "closed", "all"])),
            p("labels", Ty::StrOrList),
            p("with_labels_details", Ty::Bool),
            p("milestone", Ty::Str),
            p(
                "scope",
                Ty::OneOf(&["created_by_me", "assigned_to_me", "all"]),
            ),
            p("author_id", Ty::Int),
            p("author_username", Ty::Str),
            p("assignee_id", Ty::Int),
            p("my_reaction_emoji", Ty::Str),
            p(
                "order_by",
                Ty::OneOf(&[
                    "created_at",
                    "updated_at",
                    "priority",
                    "due_date",
                    "relative_position",
                    "label_priority",
                    "milestone_due",
                    "popularity",
                    "weight",
                ]),
            ),
            p("sort", SORT),
            p("search", Ty::Str),
            p("created_after", Ty::DateTime),
            p("created_before", Ty::DateTime),
            p("updated_after", Ty::DateTime),
            p("updated_before", Ty::DateTime),
            p("confidential", Ty::Bool),
            PAGE[0],
            PAGE[1],
        ],
        body: Body::None,
        job_token: false,
    },
    Op {
        id: "createIssue",
        method: "POST",
        template: "/projects/{id}/issues",
        params: &[ID],
        query: &[],
        body: Body::Json {
            fields: &[
                req("title", Ty::NonBlank),
                p("description", Ty::Str),
                p("confidential", Ty::Bool),
                p("assignee_ids", Ty::Ints),
                p("milestone_id", Ty::Int),
                p("labels", Ty::StrOrList),
                p("created_at", Ty::DateTime),
                p("due_date", Ty::Str),
            ],
            at_least_one: false,
        },
        job_token: false,
    },
    Op {
        id: "updateIssue",
        method: "PUT",
        template: "/projects/{id}/issues/{issue_iid}",
        params: &[ID, req("issue_iid", Ty::Int)],
        query: &[],
        body: Body::Json {
            fields: &[
                p("title", Ty::NonBlank),
                p("description", Ty::Str),
                p("confidential", Ty::Bool),
                p("assignee_ids", Ty::Ints),
                p("milestone_id", Ty::Int),
                p("labels", Ty::StrOrList),
                p("add_labels", Ty::StrOrList),
                p("remove_labels", Ty::StrOrList),
                p("state_event", Ty::OneOf(&["close", "reopen"])),
                p("updated_at", Ty::DateTime),
                p("due_date", Ty::Str),
                p("discussion_locked", Ty::Bool),
            ],
            at_least_one: true,
        },
        job_token: false,
    },
];

/// Fields an operation takes one of, not both (`mutually_exclusive`).
const EXCLUSIVE: &[(&str, &str, &str)] = &[("createRelease", "milestones", "milestone_ids")];

/// The fields of an answer's entities (the documentation's examples), and
/// their types: `s` string, `S` string or null, `i` integer, `b` boolean,
/// `o` object, `O` object or null, `a` array, `m` a message (a string, a
/// list or an object).
static ENTITIES: &[(&str, &[(&str, char)])] = &[
    (
        "MergeRequest",
        &[
            ("id", 'i'),
            ("iid", 'i'),
            ("project_id", 'i'),
            ("title", 's'),
            ("description", 's'),
            ("state", 's'),
            ("created_at", 's'),
            ("updated_at", 's'),
            ("merged_at", 'S'),
            ("target_branch", 's'),
            ("source_branch", 's'),
            ("source_project_id", 'i'),
            ("target_project_id", 'i'),
            ("sha", 's'),
            ("merge_commit_sha", 'S'),
            ("squash_commit_sha", 'S'),
            ("squash", 'b'),
            ("draft", 'b'),
            ("references", 'o'),
            ("web_url", 's'),
        ],
    ),
    (
        "Commit",
        &[
            ("id", 's'),
            ("short_id", 's'),
            ("title", 's'),
            ("message", 's'),
            ("author_name", 's'),
            ("author_email", 's'),
            ("authored_date", 's'),
            ("committer_name", 's'),
            ("committer_email", 's'),
            ("committed_date", 's'),
            ("created_at", 's'),
            ("parent_ids", 'a'),
            ("web_url", 's'),
        ],
    ),
    (
        "Pipeline",
        &[
            ("id", 'i'),
            ("iid", 'i'),
            ("project_id", 'i'),
            ("sha", 's'),
            ("ref", 's'),
            ("status", 's'),
            ("source", 's'),
            ("created_at", 's'),
            ("updated_at", 's'),
            ("web_url", 's'),
        ],
    ),
    (
        "Job",
        &[
            ("id", 'i'),
            ("name", 's'),
            ("stage", 's'),
            ("status", 's'),
            ("ref", 's'),
            ("tag", 'b'),
            ("allow_failure", 'b'),
            ("created_at", 's'),
            ("started_at", 'S'),
            ("finished_at", 'S'),
            ("pipeline", 'o'),
            ("web_url", 's'),
        ],
    ),
    (
        "CommitStatus",
        &[
            ("id", 'i'),
            ("sha", 's'),
            ("ref", 's'),
            ("status", 's'),
            ("name", 's'),
            ("target_url", 'S'),
            ("description", 'S'),
            ("created_at", 's'),
            ("started_at", 'S'),
            ("finished_at", 'S'),
            ("allow_failure", 'b'),
            ("pipeline_id", 'i'),
            ("author", 'o'),
        ],
    ),
    (
        "Tag",
        &[
            ("name", 's'),
            ("message", 'S'),
            ("target", 's'),
            ("commit", 'o'),
            ("release", 'O'),
            ("protected", 'b'),
            ("created_at", 'S'),
        ],
    ),
    (
        "Release",
        &[
            ("tag_name", 's'),
            ("description", 's'),
            ("name", 's'),
            ("created_at", 's'),
            ("released_at", 's'),
            ("upcoming_release", 'b'),
            ("author", 'o'),
            ("commit", 'o'),
            ("commit_path", 's'),
            ("tag_path", 's'),
            ("assets", 'o'),
            ("evidences", 'a'),
            ("_links", 'o'),
        ],
    ),
    (
        "ReleaseLink",
        &[
            ("id", 'i'),
            ("name", 's'),
            ("url", 's'),
            ("direct_asset_url", 's'),
            ("link_type", 's'),
        ],
    ),
    (
        "PackageFile",
        &[
            ("id", 'i'),
            ("package_id", 'i'),
            ("created_at", 's'),
            ("updated_at", 's'),
            ("size", 'i'),
            ("file_store", 'i'),
            ("file_md5", 'S'),
            ("file_sha1", 'S'),
            ("file_sha256", 's'),
            ("file_name", 's'),
            ("file", 'o'),
        ],
    ),
    (
        "Issue",
        &[
            ("id", 'i'),
            ("iid", 'i'),
            ("project_id", 'i'),
            ("title", 's'),
            ("description", 'S'),
            ("state", 's'),
            ("created_at", 's'),
            ("updated_at", 's'),
            ("closed_at", 'S'),
            ("labels", 'a'),
            ("web_url", 's'),
            ("references", 'o'),
        ],
    ),
    ("Message", &[("message", 'm')]),
];

/// What each operation answers: its success status and entity (a list of
/// them where `list`), or a message.
fn answer_entity(op: &str) -> (&'static str, bool) {
    match op {
        "listMergeRequests" => ("MergeRequest", true),
        "createMergeRequest" | "updateMergeRequest" | "getMergeRequest" => ("MergeRequest", false),
        "getMergeRequestCommits" => ("Commit", true),
        "listPipelines" => ("Pipeline", true),
        "listPipelineJobs" => ("Job", true),
        "listCommitStatuses" => ("CommitStatus", true),
        "createTag" | "getTag" => ("Tag", false),
        "getRelease" | "createRelease" => ("Release", false),
        "createReleaseLink" => ("ReleaseLink", false),
        "listIssues" => ("Issue", true),
        "createIssue" | "updateIssue" => ("Issue", false),
        _ => ("PackageFile", false),
    }
}

/// Whether `v` is of the entity `name`: every field there, of its type,
/// and no other.
fn check_entity(name: &str, v: &Value) -> Result<(), String> {
    let fields = ENTITIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .ok_or_else(|| format!("no entity {name}"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{name} is not an object: {v}"))?;
    for k in obj.keys() {
        if !fields.iter().any(|(f, _)| f == k) {
            return Err(format!("{name} has a field `{k}` that is not documented"));
        }
    }
    for (f, t) in fields {
        let x = obj
            .get(*f)
            .ok_or_else(|| format!("{name} lacks its field `{f}`"))?;
        let fits = match t {
            's' => x.is_string(),
            'S' => x.is_string() || x.is_null(),
            'i' => x.is_i64() || x.is_u64(),
            'b' => x.is_boolean(),
            'o' => x.is_object(),
            'O' => x.is_object() || x.is_null(),
            'a' => x.is_array(),
            'm' => x.is_string() || x.is_array() || x.is_object(),
            _ => false,
        };
        if !fits {
            return Err(format!("{name}.{f} is {x}, not of type `{t}`"));
        }
    }
    Ok(())
}

/// A request the schema allows: its operation and what it carried.
#[derive(Debug, Clone)]
pub struct Call {
    pub op: &'static str,
    /// Path parameters, decoded.
    pub params: Vec<(String, String)>,
    /// Query parameters, decoded, in their order.
    pub query: Vec<(String, String)>,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Call {
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name || *k == format!("{name}[]"))
            .map(|(_, v)| v.as_str())
    }
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Whether `v` (a query or path value as text) is of type `ty`.
fn check_text(ty: Ty, v: &str) -> Result<(), String> {
    match ty {
        Ty::Str => Ok(()),
        Ty::NonBlank => {
            if v.is_empty() {
                Err("must not be empty".into())
            } else {
                Ok(())
            }
        }
        Ty::Int => v
            .parse::<i64>()
            .map(|_| ())
            .map_err(|_| format!("`{v}` is not an integer")),
        Ty::Bool => match v {
            "true" | "false" => Ok(()),
            _ => Err(format!("`{v}` is not `true` or `false`")),
        },
        Ty::OneOf(allowed) | Ty::Many(allowed) => {
            if allowed.is_empty() || allowed.contains(&v) {
                Ok(())
            } else {
                Err(format!("`{v}` is not one of {}", allowed.join(", ")))
            }
        }
        Ty::Chars(extra) => {
            if !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
            {
                Ok(())
            } else {
                Err(format!(
                    "`{v}` holds more than letters, digits and `{extra}`"
                ))
            }
        }
        Ty::Version => {
            let ok = v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c));
            if ok && !v.is_empty() && !v.contains("..") {
                Ok(())
            } else {
                Err(format!(
                    "`{v}` is not a package version (letters, digits, `.`, `_`, `+`, `-`, \
                     no `..`)"
                ))
            }
        }
        Ty::StrOrList => Ok(()),
        Ty::IdsOrList => {
            if v.split(',').all(|id| id.trim().parse::<i64>().is_ok()) {
                Ok(())
            } else {
                Err(format!("`{v}` is not a comma-separated list of IDs"))
            }
        }
        Ty::DateTime => {
            let b = v.as_bytes();
            if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
                Ok(())
            } else {
                Err(format!("`{v}` is not an ISO 8601 date-time"))
            }
        }
        Ty::Ints | Ty::Object => Err("a JSON value in a query".into()),
    }
}

/// Whether the JSON `v` is of type `ty`.
fn check_json(ty: Ty, v: &Value) -> Result<(), String> {
    let must = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(format!("must be {what}"))
        }
    };
    match ty {
        Ty::Str => must(v.is_string(), "a string"),
        Ty::NonBlank => match v.as_str() {
            Some(s) => check_text(ty, s),
            None => must(false, "a string"),
        },
        Ty::Int => must(v.is_i64(), "an integer"),
        Ty::Bool => must(v.is_boolean(), "a boolean"),
        Ty::Object => must(v.is_object(), "an object"),
        Ty::Ints => must(
            v.as_array().is_some_and(|a| a.iter().all(Value::is_i64)),
            "a list of integers",
        ),
        Ty::Many(_) => {
            let Some(items) = v.as_array() else {
                return must(false, "a list");
            };
            for x in items {
                let Some(s) = x.as_str() else {
                    return must(false, "a list of strings");
                };
                check_text(ty, s)?;
            }
            Ok(())
        }
        Ty::StrOrList => must(
            v.is_string() || v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            "a string or a list of strings",
        ),
        Ty::IdsOrList => match v {
            Value::String(s) => check_text(ty, s),
            Value::Array(items) => must(
                items.iter().all(|x| {
                    x.is_i64() || x.as_str().is_some_and(|s| s.trim().parse::<i64>().is_ok())
                }),
                "a list of IDs",
            ),
            _ => must(false, "IDs"),
        },
        Ty::OneOf(_) | Ty::Chars(_) | Ty::Version | Ty::DateTime => match v.as_str() {
            Some(s) => check_text(ty, s),
            None => must(false, "a string"),
        },
    }
}

/// Checks a request against the schema: the call it is, or why not.
fn check_request(
    method: &str,
    target: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Call, String> {
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let rest = raw_path
        .strip_prefix("/api/v4")
        .filter(|r| r.starts_with('/'))
        .ok_or_else(|| format!("{raw_path} is not under the API's base path /api/v4"))?;
    // Segments as sent: an encoded `/` (`g%2Fr`) stays inside its segment.
    let segments: Vec<&str> = rest[1..].split('/').collect();
    let fits = |op: &Op| -> Option<Vec<(String, String)>> {
        let parts: Vec<&str> = op.template[1..].split('/').collect();
        if parts.len() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (t, s) in parts.iter().zip(&segments) {
            match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                Some(name) if !s.is_empty() => params.push((name.to_string(), decode(s))),
                Some(_) => return None,
                None if *t == *s => {}
                None => return None,
            }
        }
        Some(params)
    };
    let on_path: Vec<(&Op, Vec<(String, String)>)> = OPS
        .iter()
        .filter_map(|op| fits(op).map(|p| (op, p)))
        .collect();
    if on_path.is_empty() {
        return Err(format!("no documented path of GitLab's API is {rest}"));
    }
    let Some((op, params)) = on_path.iter().find(|(op, _)| op.method == method).cloned() else {
        let mut has: Vec<&str> = on_path.iter().map(|(op, _)| op.method).collect();
        has.sort();
        return Err(format!(
            "GitLab's API has no {method} {} (only {})",
            on_path[0].0.template,
            has.join(", ")
        ));
    };
    let name = format!("{method} {}", op.template);
    for p in op.params {
        let v = &params.iter().find(|(k, _)| k == p.name).unwrap().1;
        check_text(p.ty, v).map_err(|e| format!("path parameter `{}` of {name}: {e}", p.name))?;
    }
    let query: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|q| !q.is_empty())
        .map(|q| {
            let (k, v) = q.split_once('=').unwrap_or((q, ""));
            (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")))
        })
        .collect();
    for (k, v) in &query {
        let key = k.strip_suffix("[]").unwrap_or(k);
        let Some(p) = op.query.iter().find(|p| p.name == key) else {
            let names: Vec<&str> = op.query.iter().map(|p| p.name).collect();
            return Err(format!(
                "query parameter `{k}` is not one of {name}'s ({})",
                names.join(", ")
            ));
        };
        let many = matches!(p.ty, Ty::Many(_) | Ty::StrOrList | Ty::IdsOrList);
        if !many && query.iter().filter(|(x, _)| x == k).count() > 1 {
            return Err(format!("query parameter `{k}` of {name} is given twice"));
        }
        if k.ends_with("[]") && !many {
            return Err(format!("query parameter `{key}` of {name} is no list"));
        }
        check_text(p.ty, v).map_err(|e| format!("query parameter `{key}` of {name}: {e}"))?;
        // Stricter than GitLab, which cuts a larger one to 100: the
        // documented range is what a client should ask for.
        if p.name == "per_page" && !(1..=MAX_PER_PAGE as i64).contains(&v.parse().unwrap_or(0)) {
            return Err(format!(
                "per_page of {name}: {v} is not 1 to {MAX_PER_PAGE}"
            ));
        }
    }
    let media = content_type.map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    let mut call = Call {
        op: op.id,
        params,
        query,
        body: Value::Null,
        bytes: Vec::new(),
    };
    match op.body {
        Body::None => {
            if !body.is_empty() {
                return Err(format!("{name} takes no body"));
            }
        }
        Body::Bytes => call.bytes = body.to_vec(),
        Body::Json {
            fields,
            at_least_one,
        } => {
            if media.as_deref() != Some("application/json") {
                return Err(format!(
                    "{name} takes application/json, not {}",
                    media.as_deref().unwrap_or("no Content-Type")
                ));
            }
            let v: Value = serde_json::from_slice(body)
                .map_err(|e| format!("the body of {name} is not JSON: {e}"))?;
            let obj = v
                .as_object()
                .ok_or_else(|| format!("the body of {name} is not an object"))?;
            for (k, x) in obj {
                let Some(f) = fields.iter().find(|f| f.name == k) else {
                    let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                    return Err(format!(
                        "{name}: body has a field `{k}` that is not documented (it has {})",
                        names.join(", ")
                    ));
                };
                check_json(f.ty, x).map_err(|e| format!("{name}: body.{k} {e}"))?;
            }
            if let Some(f) = fields
                .iter()
                .find(|f| f.required && !obj.contains_key(f.name))
            {
                return Err(format!(
                    "{name}: body lacks the required field `{}`",
                    f.name
                ));
            }
            if at_least_one && obj.is_empty() {
                return Err(format!("{name} needs at least one field"));
            }
            for (a, b) in EXCLUSIVE
                .iter()
                .filter(|e| e.0 == op.id)
                .map(|e| (e.1, e.2))
            {
                if obj.contains_key(a) && obj.contains_key(b) {
                    return Err(format!("{name}: body has both `{a}` and `{b}`"));
                }
            }
            call.body = v;
        }
    }
    Ok(call)
}

/// An issue (its own sequence of iids, apart from merge requests').
#[derive(Debug, Clone)]
pub struct Issue {
    pub iid: u64,
    pub title: String,
    pub description: String,
    /// `opened` or `closed`.
    pub state: String,
    /// How often its description was edited.
    pub edits: u32,
}

#[derive(Debug, Clone)]
pub struct Mr {
    pub iid: u64,
    pub source: String,
    pub target: String,
    pub title: String,
    pub description: String,
    /// `opened`, `merged`, `closed`
    pub state: String,
    pub merge_commit_sha: Option<String>,
    pub squash_commit_sha: Option<String>,
    /// (sha, title), oldest first.
    pub commits: Vec<(String, String)>,
    pub edits: u32,
    pub source_project_id: i64,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: u64,
    pub name: String,
    pub status: String,
    pub allow_failure: bool,
}

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub id: u64,
    pub sha: String,
    pub git_ref: String,
    pub source: String,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub id: u64,
    pub sha: String,
    pub name: String,
    pub status: String,
    pub pipeline_id: u64,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub id: u64,
    pub name: String,
    pub url: String,
    pub link_type: String,
    pub direct_asset_path: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub tag: String,
    pub name: String,
    pub description: String,
    pub links: Vec<Link>,
}

#[derive(Debug, Clone)]
pub struct PackageFile {
    pub id: u64,
    pub package: String,
    pub version: String,
    pub file: String,
    pub size: usize,
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub at: Instant,
    /// The `Host` the request was sent to.
    pub host: String,
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The path with its query, as sent.
    pub target: String,
    pub private_token: Option<String>,
    pub job_token: Option<String>,
    pub authorization: Option<String>,
    pub status: u16,
    /// Why it was refused as not matching the schema.
    pub refused: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub method: String,
    /// Requests whose path starts with this get the fault.
    pub path_prefix: String,
    pub status: u16,
    pub retry_after: Option<u64>,
    /// How many more requests get it.
    pub times: usize,
}

#[derive(Default)]
pub struct State {
    pub mrs: Vec<Mr>,
    pub issues: Vec<Issue>,
    pub pipelines: Vec<Pipeline>,
    /// Commit statuses other than jobs, oldest first.
    pub statuses: Vec<Status>,
    /// (name, commit)
    pub tags: Vec<(String, String)>,
    pub releases: Vec<Release>,
    pub packages: Vec<PackageFile>,
    pub requests: Vec<Logged>,
    pub faults: Vec<Fault>,
    /// Where lists name their next page, if not here: only `Link`, on
    /// that base URL (as a proxy in front of GitLab might rewrite it).
    pub next_pages_on: Option<String>,
    /// Answers of the double itself that do not fit its entities: a bug
    /// here, which the tests assert never happened.
    pub broken: Vec<String>,
    next_id: u64,
}

impl State {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

pub struct GitlabSim {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

/// An answer: status, JSON body (none: empty, or `text`), extra headers.
struct Answer {
    status: u16,
    body: Option<Value>,
    /// A plain-text body, where there is no JSON one.
    text: Option<String>,
    headers: Vec<(String, String)>,
}

impl Answer {
    fn json(status: u16, body: Value) -> Answer {
        Answer {
            status,
            body: Some(body),
            text: None,
            headers: Vec::new(),
        }
    }

    fn text(status: u16, text: &str) -> Answer {
        Answer {
            status,
            body: None,
            text: Some(text.into()),
            headers: Vec::new(),
        }
    }

    fn message(status: u16, message: impl Into<Value>) -> Answer {
        Answer::json(status, json!({ "message": message.into() }))
    }
}

impl GitlabSim {
    /// Started on 127.0.0.1 at a free port, taking `token` as
    /// `PRIVATE-TOKEN` and `job_token` as `JOB-TOKEN`.
    pub fn start(token: &str, job_token: &str) -> GitlabSim {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, halt) = (state.clone(), stop.clone());
        let tokens = (token.to_string(), job_token.to_string());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let (st, tokens) = (st.clone(), tokens.clone());
                std::thread::spawn(move || serve(conn, port, &st, &tokens));
            }
        });
        GitlabSim { port, state, stop }
    }

    /// The instance's URL (`gitlab.url`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// A pipeline of `sha` on `git_ref` (`source` `push`, `external`, …)
    /// with `jobs` (name, status, allow_failure); its id.
    pub fn pipeline(
        &self,
        sha: &str,
        git_ref: &str,
        source: &str,
        jobs: &[(&str, &str, bool)],
    ) -> u64 {
        let mut st = self.state();
        let id = st.id();
        let jobs = jobs
            .iter()
            .map(|(name, status, allow_failure)| Job {
                id: st.id(),
                name: name.to_string(),
                status: status.to_string(),
                allow_failure: *allow_failure,
            })
            .collect();
        st.pipelines.push(Pipeline {
            id,
            sha: sha.into(),
            git_ref: git_ref.into(),
            source: source.into(),
            jobs,
        });
        id
    }

    /// The job `name` of pipeline `id` now has `status`.
    pub fn set_job(&self, id: u64, name: &str, status: &str) {
        let mut st = self.state();
        let p = st.pipelines.iter_mut().find(|p| p.id == id).unwrap();
        p.jobs.iter_mut().find(|j| j.name == name).unwrap().status = status.into();
    }

    /// A commit status `name` of `sha` set by other CI, in pipeline
    /// `pipeline_id`.
    pub fn set_status(&self, sha: &str, name: &str, status: &str, pipeline_id: u64) {
        let mut st = self.state();
        let id = st.id();
        st.statuses.push(Status {
            id,
            sha: sha.into(),
            name: name.into(),
            status: status.into(),
            pipeline_id,
        });
    }

    /// An open merge request someone opened; its iid.
    pub fn open_mr(&self, source: &str, target: &str, title: &str) -> u64 {
        let mut st = self.state();
        let iid = st.mrs.len() as u64 + 1;
        st.mrs.push(Mr {
            iid,
            source: source.into(),
            target: target.into(),
            title: title.into(),
            description: String::new(),
            state: "opened".into(),
            merge_commit_sha: None,
            squash_commit_sha: None,
            commits: Vec::new(),
            edits: 0,
            source_project_id: PROJECT_ID,
        });
        iid
    }

    /// An open merge request from a fork's branch `source`; its iid.
    pub fn open_fork_mr(&self, source: &str, target: &str, title: &str) -> u64 {
        let iid = self.open_mr(source, target, title);
        self.state().mrs[iid as usize - 1].source_project_id = FORK_ID;
        iid
    }

    /// A merge request someone merged, landing as `merge_commit` (with a
    /// merge commit) or `squash_commit` (squashed without one); `commits`
    /// are (sha, title), oldest first. Its iid.
    pub fn merged_mr(
        &self,
        title: &str,
        merge_commit: Option<&str>,
        squash_commit: Option<&str>,
        commits: &[(&str, &str)],
    ) -> u64 {
        let iid = self.open_mr("feature", "main", title);
        let mut st = self.state();
        let m = &mut st.mrs[iid as usize - 1];
        m.state = "merged".into();
        m.merge_commit_sha = merge_commit.map(str::to_string);
        m.squash_commit_sha = squash_commit.map(str::to_string);
        m.commits = commits
            .iter()
            .map(|(s, t)| (s.to_string(), t.to_string()))
            .collect();
        iid
    }

    /// The next `times` requests `method` on a path starting with
    /// `path_prefix` are answered `status`, with `Retry-After` if given.
    pub fn fail(
        &self,
        method: &str,
        path_prefix: &str,
        status: u16,
        retry_after: Option<u64>,
        times: usize,
    ) {
        self.state().faults.push(Fault {
            method: method.into(),
            path_prefix: path_prefix.into(),
            status,
            retry_after,
            times,
        });
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.state().requests.clone()
    }

    /// The requests that change something, as `METHOD /path`.
    pub fn changes(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// Why requests were refused, and whether an answer of the double's
    /// own did not fit: nothing, in a test that passes.
    pub fn assert_all_matched(&self) {
        let st = self.state();
        let refused: Vec<String> = st
            .requests
            .iter()
            .filter_map(|r| {
                r.refused
                    .as_ref()
                    .map(|e| format!("{} {}: {e}", r.method, r.target))
            })
            .collect();
        assert!(refused.is_empty(), "requests refused: {refused:#?}");
        assert!(
            st.broken.is_empty(),
            "answers that break the entities: {:#?}",
            st.broken
        );
    }

    /// Sends one request, as a test would check the double itself: status,
    /// headers and body. `headers` are (name, value).
    pub fn send(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<(String, String)>, Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{target}", self.url()));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut resp = agent.run(req.body(body.to_vec()).unwrap()).unwrap();
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = resp.body_mut().read_to_string().unwrap();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }
}

impl Drop for GitlabSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One connection: one request and its answer (`Connection: close`).
fn serve(mut conn: TcpStream, port: u16, state: &Mutex<State>, tokens: &(String, String)) {
    let Some(raw) = read_request(&mut conn) else {
        return;
    };
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let header = |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let body = &raw[end..];
    let path = target.split('?').next().unwrap_or_default().to_string();

    let mut st = state.lock().unwrap();
    let mut refused = None;
    let answer = 'answer: {
        if let Some(f) = st
            .faults
            .iter_mut()
            .find(|f| f.times > 0 && f.method == method && path.starts_with(&f.path_prefix))
        {
            f.times -= 1;
            // A throttled request is answered in plain text (`Retry later`
            // unless the instance says otherwise) with the `RateLimit-*`
            // headers (the reset in epoch seconds), and `RateLimit-ResetTime`
            // (an HTTP date) and `Retry-After`.
            let mut a = if f.status == 429 {
                Answer::text(429, "Retry later")
            } else {
                Answer::message(f.status, "Retry later")
            };
            if let Some(s) = f.retry_after {
                let reset = jiff::Timestamp::now().as_second() + s as i64;
                let date = jiff::Timestamp::from_second(reset)
                    .ok()
                    .and_then(|t| {
                        jiff::fmt::rfc2822::DateTimePrinter::new()
                            .timestamp_to_rfc9110_string(&t)
                            .ok()
                    })
                    .unwrap_or_default();
                for (k, v) in [
                    ("RateLimit-Name", "throttle_authenticated_api".to_string()),
                    ("RateLimit-Limit", "60".into()),
                    ("RateLimit-Observed", "60".into()),
                    ("RateLimit-Remaining", "0".into()),
                    ("RateLimit-Reset", reset.to_string()),
                    ("RateLimit-ResetTime", date),
                    ("Retry-After", s.to_string()),
                ] {
                    a.headers.push((k.into(), v));
                }
            }
            break 'answer a;
        }
        let private = header("private-token").is_some_and(|t| t == tokens.0);
        let job = header("job-token").is_some_and(|t| !tokens.1.is_empty() && t == tokens.1);
        if !private && !job {
            break 'answer Answer::message(401, "401 Unauthorized");
        }
        let call = match check_request(&method, &target, header("content-type").as_deref(), body) {
            Ok(c) => c,
            Err(e) => {
                refused = Some(e.clone());
                break 'answer Answer::message(400, e);
            }
        };
        // Where a route does not take a job token GitLab ignores it, as if
        // none were sent: 401 (`doc/api/rest/authentication.md`).
        if !private && !OPS.iter().any(|o| o.id == call.op && o.job_token) {
            break 'answer Answer::message(401, "401 Unauthorized");
        }
        let a = handle(&call, &mut st, port, &target);
        if let Err(e) = check_answer(&call, &a) {
            st.broken.push(e.clone());
            break 'answer Answer::message(500, e);
        }
        a
    };
    st.requests.push(Logged {
        at: Instant::now(),
        host: header("host").unwrap_or_default(),
        method,
        path,
        target,
        private_token: header("private-token"),
        job_token: header("job-token"),
        authorization: header("authorization"),
        status: answer.status,
        refused,
    });
    drop(st);

    let plain = answer.text.is_some();
    let text = match (answer.body, answer.text) {
        (Some(b), _) => b.to_string(),
        (None, t) => t.unwrap_or_default(),
    };
    let mut out = format!("HTTP/1.1 {} X\r\n", answer.status);
    if !text.is_empty() {
        let media = if plain {
            "text/plain"
        } else {
            "application/json"
        };
        out.push_str(&format!("Content-Type: {media}\r\n"));
    }
    for (k, v) in &answer.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    ));
    let _ = conn.write_all(out.as_bytes());
}

/// An answer's body as the operation's entity (or a list of them), or an
/// error's message.
fn check_answer(call: &Call, a: &Answer) -> Result<(), String> {
    let Some(body) = &a.body else {
        return Err(format!("{}: an answer without a body", call.op));
    };
    // An upload without `select` is answered with a message too.
    let message = call.op == "putGenericPackageFile" && call.query("select").is_none();
    if a.status >= 300 || message {
        return check_entity("Message", body).map_err(|e| format!("{}: {e}", call.op));
    }
    let (entity, list) = answer_entity(call.op);
    let items: Vec<&Value> = match (list, body) {
        (true, Value::Array(items)) => items.iter().collect(),
        (true, _) => return Err(format!("{}: a list answered as {body}", call.op)),
        (false, v) => vec![v],
    };
    for v in items {
        check_entity(entity, v).map_err(|e| format!("{}: {e}", call.op))?;
    }
    Ok(())
}

/// A path segment or query value as GitLab writes it into a `Link`.
fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// `list` cut to the page the call asks for, with GitLab's headers.
fn page(call: &Call, st: &State, port: u16, target: &str, list: Vec<Value>) -> Answer {
    let per_page = call
        .query("per_page")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(DEFAULT_PER_PAGE)
        .min(MAX_PER_PAGE);
    let page = call
        .query("page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let total = list.len();
    let pages = total.div_ceil(per_page).max(1);
    let next = (page < pages).then(|| page + 1);
    let path = target.split('?').next().unwrap_or(target);
    let url = |base: &str, n: usize| {
        let mut q: Vec<String> = call
            .query
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        q.push(format!("page={n}"));
        format!("<{base}{path}?{}>", q.join("&"))
    };
    let mut headers = Vec::new();
    match &st.next_pages_on {
        // Elsewhere: only a `Link`, as keyset pagination names its pages.
        Some(base) => {
            if let Some(n) = next {
                headers.push(("Link".into(), format!("{}; rel=\"next\"", url(base, n))));
            }
        }
        None => {
            let here = format!("http://127.0.0.1:{port}");
            let mut links = Vec::new();
            if let Some(n) = next {
                links.push(format!("{}; rel=\"next\"", url(&here, n)));
            }
            if page > 1 {
                links.push(format!("{}; rel=\"prev\"", url(&here, page - 1)));
            }
            links.push(format!("{}; rel=\"first\"", url(&here, 1)));
            links.push(format!("{}; rel=\"last\"", url(&here, pages)));
            headers.push(("Link".into(), links.join(", ")));
            for (k, v) in [
                ("x-page", page.to_string()),
                ("x-per-page", per_page.to_string()),
                ("x-total", total.to_string()),
                ("x-total-pages", pages.to_string()),
                (
                    "x-next-page",
                    next.map(|n| n.to_string()).unwrap_or_default(),
                ),
                (
                    "x-prev-page",
                    if page > 1 {
                        (page - 1).to_string()
                    } else {
                        String::new()
                    },
                ),
            ] {
                headers.push((k.to_string(), v));
            }
        }
    }
    let items = list
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Answer {
        headers,
        ..Answer::json(200, Value::Array(items))
    }
}

const AT: &str = "2026-01-05T12:00:00.000Z";

fn user() -> Value {
    json!({"id": 1, "username": "train", "name": "Train", "state": "active",
        "avatar_url": null, "web_url": "http://127.0.0.1/train"})
}

fn mr_json(port: u16, m: &Mr) -> Value {
    json!({
        "id": m.iid + 100, "iid": m.iid, "project_id": PROJECT_ID, "title": m.title,
        "description": m.description, "state": m.state, "created_at": AT, "updated_at": AT,
        "merged_at": (m.state == "merged").then_some(AT),
        "target_branch": m.target, "source_branch": m.source,
        "source_project_id": m.source_project_id, "target_project_id": PROJECT_ID,
        "sha": m.commits.last().map_or("0".repeat(40), |c| c.0.clone()),
        "merge_commit_sha": m.merge_commit_sha, "squash_commit_sha": m.squash_commit_sha,
        "squash": m.squash_commit_sha.is_some(), "draft": false,
        "references": {"short": format!("!{}", m.iid), "relative": format!("!{}", m.iid),
            "full": format!("{PROJECT}!{}", m.iid)},
        "web_url": format!("http://127.0.0.1:{port}/{PROJECT}/-/merge_requests/{}", m.iid),
    })
}

fn issue_json(port: u16, i: &Issue) -> Value {
    json!({
        "id": i.iid + 500, "iid": i.iid, "project_id": PROJECT_ID, "title": i.title,
        "description": i.description, "state": i.state, "created_at": AT, "updated_at": AT,
        "closed_at": (i.state == "closed").then_some(AT), "labels": [],
        "web_url": format!("http://127.0.0.1:{port}/{PROJECT}/-/issues/{}", i.iid),
        "references": {"short": format!("#{}", i.iid), "relative": format!("#{}", i.iid),
            "full": format!("{PROJECT}#{}", i.iid)},
    })
}

fn pipeline_json(port: u16, p: &Pipeline) -> Value {
    let worst = ["failed", "running", "pending", "created", "success"]
        .into_iter()
        .find(|s| p.jobs.iter().any(|j| j.status == *s))
        .unwrap_or("success");
    json!({
        "id": p.id, "iid": p.id, "project_id": PROJECT_ID, "sha": p.sha, "ref": p.git_ref,
        "status": worst, "source": p.source, "created_at": AT, "updated_at": AT,
        "web_url": format!("http://127.0.0.1:{port}/{PROJECT}/-/pipelines/{}", p.id),
    })
}

fn job_json(port: u16, p: &Pipeline, j: &Job) -> Value {
    json!({
        "id": j.id, "name": j.name, "stage": "test", "status": j.status, "ref": p.git_ref,
        "tag": false, "allow_failure": j.allow_failure, "created_at": AT,
        "started_at": null, "finished_at": null,
        "pipeline": {"id": p.id, "project_id": PROJECT_ID, "ref": p.git_ref, "sha": p.sha,
            "status": pipeline_json(port, p)["status"]},
        "web_url": format!("http://127.0.0.1:{port}/{PROJECT}/-/jobs/{}", j.id),
    })
}

fn status_json(id: u64, sha: &str, name: &str, status: &str, allow: bool, pipeline: u64) -> Value {
    json!({
        "id": id, "sha": sha, "ref": "main", "status": status, "name": name,
        "target_url": null, "description": null, "created_at": AT, "started_at": null,
        "finished_at": null, "allow_failure": allow, "pipeline_id": pipeline, "author": user(),
    })
}

fn commit_json(port: u16, sha: &str, title: &str, parent: &str) -> Value {
    json!({
        "id": sha, "short_id": &sha[..sha.len().min(8)], "title": title,
        "message": format!("{title}\n"), "author_name": "Train", "author_email": "t@example.invalid",
        "authored_date": AT, "committer_name": "Train", "committer_email": "t@example.invalid",
        "committed_date": AT, "created_at": AT, "parent_ids": [parent],
        "web_url": format!("http://127.0.0.1:{port}/{PROJECT}/-/commit/{sha}"),
    })
}

fn tag_json(port: u16, name: &str, sha: &str) -> Value {
    json!({
        "name": name, "message": null, "target": sha,
        "commit": commit_json(port, sha, "a commit", &"0".repeat(40)),
        "release": null, "protected": false, "created_at": null,
    })
}

fn link_json(l: &Link) -> Value {
    json!({
        "id": l.id, "name": l.name, "url": l.url, "link_type": l.link_type,
        "direct_asset_url": match &l.direct_asset_path {
            Some(p) => format!("http://127.0.0.1/{PROJECT}/-/releases/x/downloads{p}"),
            None => l.url.clone(),
        },
    })
}

fn release_json(port: u16, r: &Release, sha: &str) -> Value {
    let links: Vec<Value> = r.links.iter().map(link_json).collect();
    json!({
        "tag_name": r.tag, "description": r.description, "name": r.name,
        "created_at": AT, "released_at": AT, "upcoming_release": false, "author": user(),
        "commit": commit_json(port, sha, "a commit", &"0".repeat(40)),
        "commit_path": format!("/{PROJECT}/-/commit/{sha}"),
        "tag_path": format!("/{PROJECT}/-/tags/{}", r.tag),
        "assets": {"count": links.len() + 2, "sources": [], "links": links},
        "evidences": [],
        "_links": {"self": format!("http://127.0.0.1:{port}/{PROJECT}/-/releases/{}", r.tag)},
    })
}

/// Whether `p` is a release link's path as GitLab takes it: `/`, then
/// parts of letters, digits, `_`, `-`, `.` each ended by one `/`, ending in
/// a letter or digit, at most 128 characters.
fn direct_asset_path(p: &str) -> bool {
    let Some(rest) = p.strip_prefix('/') else {
        return false;
    };
    p.len() <= 128
        && !rest.contains("//")
        && rest.ends_with(|c: char| c.is_ascii_alphanumeric())
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c))
}

/// What the double answers an allowed call.
fn handle(call: &Call, st: &mut State, port: u16, target: &str) -> Answer {
    let id = call.param("id");
    if id != PROJECT && id != PROJECT_ID.to_string() {
        return Answer::message(404, "404 Project Not Found");
    }
    let body = &call.body;
    let text = |k: &str| body[k].as_str().unwrap_or_default().to_string();
    let iid = call.param("merge_request_iid").parse::<u64>().unwrap_or(0);
    match call.op {
        "listMergeRequests" => {
            let state = call.query("state").unwrap_or("all");
            let list: Vec<Value> = st
                .mrs
                .iter()
                .rev()
                .filter(|m| state == "all" || m.state == state)
                .filter(|m| call.query("source_branch").is_none_or(|b| m.source == b))
                .filter(|m| call.query("target_branch").is_none_or(|b| m.target == b))
                .map(|m| mr_json(port, m))
                .collect();
            page(call, st, port, target, list)
        }
        "listIssues" => {
            let state = call.query("state").unwrap_or("all");
            let mut list: Vec<&Issue> = st
                .issues
                .iter()
                .filter(|i| state == "all" || i.state == state)
                .collect();
            // Newest first unless `sort=asc`.
            if call.query("sort") != Some("asc") {
                list.reverse();
            }
            let list = list.into_iter().map(|i| issue_json(port, i)).collect();
            page(call, st, port, target, list)
        }
        "createIssue" => {
            let iid = st.issues.len() as u64 + 1;
            st.issues.push(Issue {
                iid,
                title: text("title"),
                description: text("description"),
                state: "opened".into(),
                edits: 0,
            });
            Answer::json(201, issue_json(port, st.issues.last().unwrap()))
        }
        "updateIssue" => {
            let n = call.param("issue_iid").parse::<u64>().unwrap_or(0);
            let Some(i) = st.issues.iter_mut().find(|i| i.iid == n) else {
                return Answer::message(404, "404 Issue Not Found");
            };
            if body.get("title").is_some() {
                i.title = text("title");
            }
            if body.get("description").is_some() {
                i.description = text("description");
                i.edits += 1;
            }
            match body["state_event"].as_str() {
                Some("close") => i.state = "closed".into(),
                Some("reopen") => i.state = "opened".into(),
                _ => {}
            }
            let i = i.clone();
            Answer::json(200, issue_json(port, &i))
        }
        "createMergeRequest" => {
            if let Some(m) = st.mrs.iter().find(|m| {
                m.state == "opened"
                    && m.source == text("source_branch")
                    && m.target == text("target_branch")
                    && m.source_project_id == PROJECT_ID
            }) {
                let words = format!(
                    "Another open merge request already exists for this source branch: !{}",
                    m.iid
                );
                return Answer::message(409, json!([words]));
            }
            let iid = st.mrs.len() as u64 + 1;
            st.mrs.push(Mr {
                iid,
                source: text("source_branch"),
                target: text("target_branch"),
                title: text("title"),
                description: text("description"),
                state: "opened".into(),
                merge_commit_sha: None,
                squash_commit_sha: None,
                commits: Vec::new(),
                edits: 0,
                source_project_id: PROJECT_ID,
            });
            Answer::json(201, mr_json(port, st.mrs.last().unwrap()))
        }
        "updateMergeRequest" => {
            let Some(m) = st.mrs.iter_mut().find(|m| m.iid == iid) else {
                return Answer::message(404, "404 Not found");
            };
            if body.get("title").is_some() {
                m.title = text("title");
            }
            if body.get("description").is_some() {
                m.description = text("description");
            }
            m.edits += 1;
            let m = m.clone();
            Answer::json(200, mr_json(port, &m))
        }
        "getMergeRequest" => match st.mrs.iter().find(|m| m.iid == iid) {
            Some(m) => Answer::json(200, mr_json(port, m)),
            None => Answer::message(404, "404 Not found"),
        },
        "getMergeRequestCommits" => {
            let Some(m) = st.mrs.iter().find(|m| m.iid == iid) else {
                return Answer::message(404, "404 Not found");
            };
            // Newest first, as `git log` lists them.
            let list: Vec<Value> = m
                .commits
                .iter()
                .enumerate()
                .rev()
                .map(|(i, (sha, title))| {
                    let parent = if i == 0 {
                        "0".repeat(40)
                    } else {
                        m.commits[i - 1].0.clone()
                    };
                    commit_json(port, sha, title, &parent)
                })
                .collect();
            page(call, st, port, target, list)
        }
        "listPipelines" => {
            let mut list: Vec<&Pipeline> = st
                .pipelines
                .iter()
                .filter(|p| call.query("sha").is_none_or(|s| p.sha == s))
                .filter(|p| call.query("ref").is_none_or(|r| p.git_ref == r))
                .collect();
            // `order_by` id, `sort` desc: GitLab's defaults.
            list.sort_by_key(|p| std::cmp::Reverse(p.id));
            if call.query("sort") == Some("asc") {
                list.reverse();
            }
            let list = list.into_iter().map(|p| pipeline_json(port, p)).collect();
            page(call, st, port, target, list)
        }
        "listPipelineJobs" => {
            let pid = call.param("pipeline_id").parse::<u64>().unwrap_or(0);
            let Some(p) = st.pipelines.iter().find(|p| p.id == pid) else {
                return Answer::message(404, "404 Not found");
            };
            let list = p.jobs.iter().map(|j| job_json(port, p, j)).collect();
            page(call, st, port, target, list)
        }
        "listCommitStatuses" => {
            let sha = call.param("sha");
            // Jobs are commit statuses too; the newest of each name unless
            // `all`.
            let mut all: Vec<(u64, Value, String)> = Vec::new();
            for p in st.pipelines.iter().filter(|p| p.sha == sha) {
                for j in &p.jobs {
                    let v = status_json(j.id, sha, &j.name, &j.status, j.allow_failure, p.id);
                    all.push((j.id, v, j.name.clone()));
                }
            }
            for s in st.statuses.iter().filter(|s| s.sha == sha) {
                let v = status_json(s.id, sha, &s.name, &s.status, false, s.pipeline_id);
                all.push((s.id, v, s.name.clone()));
            }
            // The newest of each name (the highest id), then in the order
            // asked: by `id` (or `pipeline_id`), ascending unless `desc`.
            all.sort_by_key(|(id, ..)| std::cmp::Reverse(*id));
            let every = call.query("all") == Some("true");
            let mut seen = std::collections::HashSet::new();
            let mut list: Vec<(u64, Value, String)> = all
                .into_iter()
                .filter(|(_, _, name)| every || seen.insert(name.clone()))
                .collect();
            let by_pipeline = call.query("order_by") == Some("pipeline_id");
            list.sort_by_key(|(id, v, _)| {
                let pipeline = v["pipeline_id"].as_u64().unwrap_or(0);
                if by_pipeline {
                    (pipeline, *id)
                } else {
                    (*id, 0)
                }
            });
            if call.query("sort") == Some("desc") {
                list.reverse();
            }
            let list = list.into_iter().map(|(_, v, _)| v).collect();
            page(call, st, port, target, list)
        }
        "createTag" => {
            let name = text("tag_name");
            let sha = text("ref");
            if st.tags.iter().any(|(n, _)| *n == name) {
                return Answer::message(400, format!("Tag {name} already exists"));
            }
            if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Answer::message(400, "Target ref is invalid");
            }
            st.tags.push((name.clone(), sha.clone()));
            Answer::json(201, tag_json(port, &name, &sha))
        }
        "getTag" => match st.tags.iter().find(|(n, _)| n == call.param("tag_name")) {
            Some((n, sha)) => Answer::json(200, tag_json(port, n, sha)),
            None => Answer::message(404, "404 Tag Not Found"),
        },
        "getRelease" => {
            let tag = call.param("tag_name");
            let sha = st.tags.iter().find(|(n, _)| n == tag).map(|t| t.1.clone());
            match (st.releases.iter().find(|r| r.tag == tag), sha) {
                (Some(r), Some(sha)) => Answer::json(200, release_json(port, r, &sha)),
                _ => Answer::message(404, "404 Not Found"),
            }
        }
        "createRelease" => {
            let tag = text("tag_name");
            if st.releases.iter().any(|r| r.tag == tag) {
                return Answer::message(409, "Release already exists");
            }
            // Without `ref`, the tag must exist.
            let Some(sha) = st.tags.iter().find(|(n, _)| *n == tag).map(|t| t.1.clone()) else {
                return Answer::message(422, "Ref is not specified");
            };
            let r = Release {
                tag: tag.clone(),
                name: if body.get("name").is_some() {
                    text("name")
                } else {
                    tag
                },
                description: text("description"),
                links: Vec::new(),
            };
            st.releases.push(r.clone());
            Answer::json(201, release_json(port, &r, &sha))
        }
        "createReleaseLink" => {
            let link_id = st.id();
            let tag = call.param("tag_name").to_string();
            let Some(r) = st.releases.iter_mut().find(|r| r.tag == tag) else {
                return Answer::message(404, "404 Not found");
            };
            let name = text("name");
            if r.links.iter().any(|l| l.name == name) {
                return Answer::message(400, json!({"name": ["has already been taken"]}));
            }
            let url = text("url");
            if r.links.iter().any(|l| l.url == url) {
                return Answer::message(400, json!({"url": ["has already been taken"]}));
            }
            // `Releases::Link::FILEPATH_REGEX`, unique in the release too.
            let path = body["direct_asset_path"]
                .as_str()
                .or(body["filepath"].as_str());
            if let Some(p) = path {
                if !direct_asset_path(p) {
                    return Answer::message(400, json!({"filepath": ["is in an invalid format"]}));
                }
                if r.links
                    .iter()
                    .any(|l| l.direct_asset_path.as_deref() == Some(p))
                {
                    return Answer::message(400, json!({"filepath": ["has already been taken"]}));
                }
            }
            if !["http://", "https://", "ftp://"]
                .iter()
                .any(|s| url.starts_with(s))
            {
                return Answer::message(
                    400,
                    json!({"url": ["is blocked: Only allowed schemes are http, https, ftp"]}),
                );
            }
            let link = Link {
                id: link_id,
                name,
                url,
                link_type: body["link_type"].as_str().unwrap_or("other").to_string(),
                direct_asset_path: path.map(str::to_string),
            };
            r.links.push(link.clone());
            Answer::json(201, link_json(&link))
        }
        "putGenericPackageFile" => {
            let file_id = st.id();
            let f = PackageFile {
                id: file_id,
                package: call.param("package_name").to_string(),
                version: call.param("package_version").to_string(),
                file: call.param("file_name").to_string(),
                size: call.bytes.len(),
            };
            st.packages.push(f.clone());
            // Without `select` GitLab says `created!`; with it the file is
            // presented, and Grape answers a PUT 200.
            if call.query("select") != Some("package_file") {
                return Answer::message(201, "201 Created");
            }
            Answer::json(
                200,
                json!({
                    "id": f.id, "package_id": 1, "created_at": AT, "updated_at": AT,
                    "size": f.size, "file_store": 1, "file_md5": null, "file_sha1": null,
                    "file_sha256": "0".repeat(64), "file_name": f.file,
                    "file": {"url": format!("/packages/{}", f.file)},
                }),
            )
        }
        other => Answer::message(501, format!("the double does not answer {other}")),
    }
}
