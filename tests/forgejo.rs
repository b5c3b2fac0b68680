//! The Forgejo forge through the real binary, against a double of Forgejo's
//! API that checks every request against Forgejo's own API description
//! (`tests/common/forgejo_sim.rs`).

mod common;
use common::forgejo_sim::ForgejoSim;

const TOKEN: &str = "forgejoCanaryTokenForCargoTrain0123456789";

#[test]
fn the_double_refuses_what_forgejos_description_does_not_allow() {
    let sim = ForgejoSim::start(TOKEN);
    let auth = format!("token {TOKEN}");
    let json = Some("application/json");
    let send =
        |method, target, body: &str| sim.send(method, target, Some(&auth), json, body.as_bytes());
    let refused = |(status, body): (u16, serde_json::Value), words: &str| {
        assert_eq!(status, 400, "{body}");
        let m = body["message"].as_str().unwrap();
        assert!(m.contains(words), "{words:?} not in: {m}");
    };
    // GitHub's paths, methods, parameters and fields are not Forgejo's.
    refused(
        sim.send(
            "GET",
            "/api/v1/repos/o/r/commits/abc/check-runs",
            Some(&auth),
            None,
            b"",
        ),
        "no path of Forgejo's API is /repos/o/r/commits/abc/check-runs",
    );
    refused(
        send("POST", "/api/v1/repos/o/r/git/refs", "{}"),
        "Forgejo's API has no POST /repos/{owner}/{repo}/git/refs (only GET)",
    );
    refused(
        sim.send(
            "GET",
            "/api/v1/repos/o/r/pulls?state=open&per_page=100",
            Some(&auth),
            None,
            b"",
        ),
        "query parameter `per_page` is not one of GET /repos/{owner}/{repo}/pulls's",
    );
    refused(
        sim.send(
            "GET",
            "/api/v1/repos/o/r/pulls?state=opened",
            Some(&auth),
            None,
            b"",
        ),
        "query parameter `state` of GET /repos/{owner}/{repo}/pulls: value is \"opened\", not one of",
    );
    refused(
        sim.send("GET", "/api/v1/repos/o/r/pulls/x", Some(&auth), None, b""),
        "path parameter `index` of GET /repos/{owner}/{repo}/pulls/{index}: `x` is not an integer",
    );
    refused(
        send(
            "POST",
            "/api/v1/repos/o/r/releases",
            r#"{"tag_name": "v1", "make_latest": "true"}"#,
        ),
        "body has a field `make_latest` that the description does not name",
    );
    refused(
        send("POST", "/api/v1/repos/o/r/releases", r#"{"name": "v1"}"#),
        "body lacks the required field `tag_name`",
    );
    refused(
        send("POST", "/api/v1/repos/o/r/tags", r#"{"tag_name": 1}"#),
        "body.tag_name must be a string, not an integer",
    );
    refused(
        sim.send(
            "POST",
            "/api/v1/repos/o/r/pulls",
            Some(&auth),
            Some("text/plain"),
            b"x",
        ),
        "takes application/json, not text/plain",
    );
    refused(
        sim.send(
            "POST",
            "/api/v1/repos/o/r/releases/1/assets",
            Some(&auth),
            Some("multipart/form-data; boundary=b"),
            b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nx\r\n--b--\r\n",
        ),
        "has no form field `file`",
    );
    // Without the token: 401.
    assert_eq!(
        sim.send("GET", "/api/v1/repos/o/r/pulls", None, None, b"")
            .0,
        401
    );
    assert_eq!(
        sim.send(
            "GET",
            "/api/v1/repos/o/r/pulls",
            Some("Bearer x"),
            None,
            b""
        )
        .0,
        401
    );
    // What the description allows is answered, schema-valid (the double
    // checks its own answers and would have said 500).
    let (status, pr) = send(
        "POST",
        "/api/v1/repos/o/r/pulls",
        r#"{"head": "ci/x", "base": "main", "title": "T", "body": ""}"#,
    );
    assert_eq!((status, pr["number"].as_u64()), (201, Some(1)), "{pr}");
    assert_eq!(pr["head"]["ref"], "ci/x");
    let (status, combined) = sim.send(
        "GET",
        &format!("/api/v1/repos/o/r/commits/{}/status", "a".repeat(40)),
        Some(&auth),
        None,
        b"",
    );
    assert_eq!(
        (status, &combined["statuses"]),
        (200, &serde_json::Value::Null)
    );
    let st = sim.state();
    assert!(st.broken.is_empty(), "{:?}", st.broken);
    assert_eq!(st.requests.len(), 14, "every request is logged");
    assert_eq!(
        st.requests.iter().filter(|r| r.refused.is_some()).count(),
        10
    );
}
