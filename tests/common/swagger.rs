//! Forgejo's API description (Swagger 2.0, the `swagger.v1.json` that
//! `scripts/install-forgejo-swagger.sh` installs) as a checker: which
//! operation a request is, whether its path, method, query, content type
//! and body are what the description says, whether an answer's body fits
//! the schema of its status, and a schema-valid example of an answer to
//! fill in.
//!
//! Stricter than Forgejo in one way: a field or query parameter the
//! description does not name is refused, where Forgejo would ignore it
//! without a word, since a misspelt or GitHub-only name is exactly what a
//! client test should catch. Lenient in one way, for answers only: `null`
//! for a list or an object and `""` for an enumerated string are what Go
//! sends for an empty slice, a nil pointer and an unset value (Forgejo's
//! combined status of a commit without statuses is all three).

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::Command;

/// Where the description is: `CARGO_TRAIN_FORGEJO_SWAGGER`, else installed
/// by the project's script.
pub fn path() -> PathBuf {
    if let Some(p) = std::env::var_os("CARGO_TRAIN_FORGEJO_SWAGGER") {
        return p.into();
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/install-forgejo-swagger.sh"
    );
    let out = Command::new("bash").arg(script).output().unwrap();
    assert!(
        out.status.success(),
        "install-forgejo-swagger.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

pub struct Spec {
    doc: Value,
}

/// A form field: its name, its file name (for a file), its bytes.
pub type Field = (String, Option<String>, Vec<u8>);

/// A request the description allows: its operation and what it carried.
#[derive(Debug, Clone)]
pub struct Call {
    /// `operationId` (`repoCreatePullRequest`).
    pub op: String,
    /// The path's template (`/repos/{owner}/{repo}/pulls`).
    pub template: String,
    pub method: String,
    /// Path parameters, decoded.
    pub params: Vec<(String, String)>,
    /// Query parameters, decoded, in their order.
    pub query: Vec<(String, String)>,
    /// The JSON body, if the operation takes one.
    pub body: Option<Value>,
    pub form: Vec<Field>,
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
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How strictly a value is read: a request as the description says, an
/// answer as Go writes it.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Request,
    Answer,
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// A query value: Go reads `+` as a space.
fn decode_query(s: &str) -> String {
    decode(&s.replace('+', " "))
}

/// A media type without its parameters, lower-cased.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether `s` is an RFC 3339 date-time (`2026-01-05T12:00:00Z`, with
/// fractions or an offset), as Go's `time.Time` writes one.
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(f) = rest.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &f[n..];
    }
    let zone = rest.as_bytes();
    rest == "Z"
        || rest == "z"
        || (zone.len() == 6
            && matches!(zone[0], b'+' | b'-')
            && zone[1..3].iter().all(u8::is_ascii_digit)
            && zone[3] == b':'
            && zone[4..6].iter().all(u8::is_ascii_digit))
}

/// The parts of a `multipart/form-data` body: field name, file name, bytes.
fn multipart(content_type: &str, body: &[u8]) -> Result<Vec<Field>, String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .filter(|b| !b.is_empty())
        .ok_or("a multipart/form-data body without a boundary in its Content-Type")?;
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..).and_then(|h| {
            h.windows(needle.len())
                .position(|w| w == needle)
                .map(|p| p + from)
        })
    };
    let delimiter = format!("--{boundary}");
    let mut at = find(body, delimiter.as_bytes(), 0)
        .filter(|&p| p == 0)
        .ok_or("the multipart body does not start with its boundary")?;
    let mut parts = Vec::new();
    loop {
        at += delimiter.len();
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[at..].starts_with(b"\r\n") {
            return Err("a multipart boundary not followed by CRLF".into());
        }
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at).ok_or("a multipart part without headers")?;
        let head = String::from_utf8_lossy(&body[at..head_end]).to_string();
        let next = find(body, format!("\r\n{delimiter}").as_bytes(), head_end + 4)
            .ok_or("a multipart body without its closing boundary")?;
        let disposition = head
            .split("\r\n")
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-disposition")
                    .then(|| v.trim().to_string())
            })
            .ok_or("a multipart part without Content-Disposition")?;
        let attr = |name: &str| {
            disposition.split(';').find_map(|p| {
                p.trim()
                    .strip_prefix(&format!("{name}="))
                    .map(|v| v.trim_matches('"').to_string())
            })
        };
        if !disposition.starts_with("form-data") {
            return Err(format!(
                "a multipart part that is not form-data: {disposition}"
            ));
        }
        let name = attr("name").ok_or("a multipart part without a name")?;
        parts.push((name, attr("filename"), body[head_end + 4..next].to_vec()));
        at = next + 2;
    }
}

impl Spec {
    pub fn load() -> Spec {
        let p = path();
        let text = std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
        let doc: Value = serde_json::from_str(&text).expect("the description is JSON");
        assert_eq!(doc["swagger"], "2.0", "{} is not Swagger 2.0", p.display());
        Spec { doc }
    }

    pub fn base_path(&self) -> &str {
        self.doc["basePath"].as_str().unwrap_or("/api/v1")
    }

    /// `#/definitions/X` (or `#/responses/X`) of the description.
    fn resolve<'a>(&'a self, reference: &str) -> &'a Value {
        let mut v = &self.doc;
        for part in reference.trim_start_matches("#/").split('/') {
            v = &v[part];
        }
        assert!(!v.is_null(), "the description has no {reference}");
        v
    }

    /// The operation `method` on `template`.
    fn operation(&self, template: &str, method: &str) -> &Value {
        &self.doc["paths"][template][method.to_ascii_lowercase()]
    }

    /// Checks a request (`target` is its path and query as sent): the call
    /// it is, or what about it the description does not allow.
    pub fn check_request(
        &self,
        method: &str,
        target: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Call, String> {
        let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
        let base = self.base_path();
        let rest = raw_path
            .strip_prefix(base)
            .filter(|r| r.starts_with('/'))
            .ok_or_else(|| format!("{raw_path} is not under the API's base path {base}"))?;
        let segments: Vec<&str> = rest[1..].split('/').collect();
        // Every template the path fits, the one with most literal segments
        // first (`/pulls/pinned` before `/pulls/{index}`).
        type Fit<'a> = (usize, &'a str, Vec<(String, String)>);
        let mut fits: Vec<Fit> = Vec::new();
        for template in self.doc["paths"].as_object().unwrap().keys() {
            let parts: Vec<&str> = template[1..].split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let mut params = Vec::new();
            let mut literal = 0;
            let fits_all = parts.iter().zip(&segments).all(|(t, s)| {
                if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    params.push((name.to_string(), decode(s)));
                    !s.is_empty()
                } else {
                    literal += 1;
                    *t == decode(s)
                }
            });
            if fits_all {
                fits.push((literal, template, params));
            }
        }
        fits.sort_by_key(|f| std::cmp::Reverse(f.0));
        let (_, template, params) = fits
            .into_iter()
            .next()
            .ok_or_else(|| format!("no path of Forgejo's API is {rest}"))?;
        let op = self.operation(template, method);
        if op.is_null() {
            let mut has: Vec<String> = self.doc["paths"][template]
                .as_object()
                .unwrap()
                .keys()
                .map(|m| m.to_ascii_uppercase())
                .collect();
            has.sort();
            return Err(format!(
                "Forgejo's API has no {method} {template} (only {})",
                has.join(", ")
            ));
        }
        let name = format!("{method} {template}");
        let declared: Vec<&Value> = op["parameters"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let of = |place: &str| {
            declared
                .iter()
                .copied()
                .filter(move |p| p["in"] == place)
                .collect::<Vec<_>>()
        };

        for p in of("path") {
            let key = p["name"].as_str().unwrap();
            let value = &params.iter().find(|(k, _)| k == key).unwrap().1;
            self.check_scalar(p, value)
                .map_err(|e| format!("path parameter `{key}` of {name}: {e}"))?;
        }

        let query: Vec<(String, String)> = raw_query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode_query(k), decode_query(v))
            })
            .collect();
        let known = of("query");
        for (k, v) in &query {
            let Some(p) = known.iter().find(|p| p["name"] == k.as_str()) else {
                let names: Vec<&str> = known.iter().filter_map(|p| p["name"].as_str()).collect();
                return Err(format!(
                    "query parameter `{k}` is not one of {name}'s ({})",
                    names.join(", ")
                ));
            };
            let repeated = query.iter().filter(|(x, _)| x == k).count() > 1;
            let schema = if p["type"] == "array" {
                if repeated && p["collectionFormat"] != "multi" {
                    return Err(format!("query parameter `{k}` of {name} is given twice"));
                }
                &p["items"]
            } else if repeated {
                return Err(format!("query parameter `{k}` of {name} is given twice"));
            } else {
                p
            };
            self.check_scalar(schema, v)
                .map_err(|e| format!("query parameter `{k}` of {name}: {e}"))?;
        }
        for p in &known {
            if p["required"] == true && !query.iter().any(|(k, _)| p["name"] == k.as_str()) {
                return Err(format!(
                    "{name} needs the query parameter `{}`",
                    p["name"].as_str().unwrap()
                ));
            }
        }

        let consumes: Vec<String> = op["consumes"]
            .as_array()
            .or_else(|| self.doc["consumes"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str())
                    .map(media_type)
                    .collect()
            })
            .unwrap_or_default();
        let media = content_type.map(media_type);
        let body_param = of("body").into_iter().next();
        let form_params = of("formData");
        let mut call = Call {
            op: op["operationId"].as_str().unwrap_or_default().to_string(),
            template: template.to_string(),
            method: method.to_string(),
            params,
            query,
            body: None,
            form: Vec::new(),
        };
        if body.is_empty() && media.is_none() {
            if body_param.is_some_and(|p| p["required"] == true) {
                return Err(format!("{name} needs a body"));
            }
            return Ok(call);
        }
        let media = media.ok_or_else(|| format!("a body without a Content-Type to {name}"))?;
        if !consumes.contains(&media) {
            return Err(format!(
                "{name} takes {}, not {media}",
                consumes.join(" or ")
            ));
        }
        if let Some(p) = body_param {
            if media != "application/json" {
                return Err(format!("{name} takes its body as JSON, not {media}"));
            }
            let v: Value = serde_json::from_slice(body)
                .map_err(|e| format!("the body of {name} is not JSON: {e}"))?;
            self.check(&p["schema"], &v, "body", Mode::Request)
                .map_err(|e| format!("{name}: {e}"))?;
            call.body = Some(v);
        } else if media == "multipart/form-data" && !form_params.is_empty() {
            let parts =
                multipart(content_type.unwrap(), body).map_err(|e| format!("{name}: {e}"))?;
            for (field, filename, bytes) in &parts {
                let Some(p) = form_params.iter().find(|p| p["name"] == field.as_str()) else {
                    return Err(format!("{name} has no form field `{field}`"));
                };
                if p["type"] == "file" {
                    if filename.is_none() {
                        return Err(format!(
                            "form field `{field}` of {name} is a file, sent without a file name"
                        ));
                    }
                } else {
                    let text = String::from_utf8(bytes.clone())
                        .map_err(|_| format!("form field `{field}` of {name} is not text"))?;
                    self.check_scalar(p, &text)
                        .map_err(|e| format!("form field `{field}` of {name}: {e}"))?;
                }
            }
            call.form = parts;
        } else if media == "application/octet-stream" {
            // The file itself as the body, where the operation takes that.
            call.form = vec![(String::new(), None, body.to_vec())];
        } else if !body.is_empty() {
            return Err(format!("{name} takes no body"));
        }
        for p in &form_params {
            if p["required"] == true && !call.form.iter().any(|(f, ..)| p["name"] == f.as_str()) {
                return Err(format!(
                    "{name} needs the form field `{}`",
                    p["name"].as_str().unwrap()
                ));
            }
        }
        Ok(call)
    }

    /// A path, query or form value as its parameter (or item) declares it.
    fn check_scalar(&self, p: &Value, value: &str) -> Result<(), String> {
        let parsed = match p["type"].as_str() {
            Some("integer") => value
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("`{value}` is not an integer"))?,
            Some("boolean") => match value {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(format!("`{value}` is not `true` or `false`")),
            },
            _ => Value::String(value.to_string()),
        };
        self.check(p, &parsed, "value", Mode::Request)
    }

    /// Checks an answer: its status is one the operation lists, and its
    /// body fits that status's schema (or is empty where it has none).
    pub fn check_answer(
        &self,
        call: &Call,
        status: u16,
        body: Option<&Value>,
    ) -> Result<(), String> {
        let op = self.operation(&call.template, &call.method);
        let name = format!("{} {}", call.method, call.template);
        let answer = &op["responses"][status.to_string()];
        if answer.is_null() {
            return Err(format!("Forgejo's API lists no {status} answer to {name}"));
        }
        let answer = match answer["$ref"].as_str() {
            Some(r) => self.resolve(r),
            None => answer,
        };
        match (answer.get("schema"), body) {
            (Some(schema), Some(v)) => self
                .check(schema, v, "answer", Mode::Answer)
                .map_err(|e| format!("the {status} answer to {name}: {e}")),
            (Some(_), None) => Err(format!("the {status} answer to {name} needs a body")),
            (None, Some(_)) => Err(format!("the {status} answer to {name} has no body")),
            (None, None) => Ok(()),
        }
    }

    /// A schema-valid body of the operation's `status` answer, every field
    /// filled with a placeholder of its type (nested objects a few levels
    /// deep), for the double to overwrite what it keeps.
    pub fn example(&self, call: &Call, status: u16) -> Value {
        let op = self.operation(&call.template, &call.method);
        let answer = &op["responses"][status.to_string()];
        let answer = match answer["$ref"].as_str() {
            Some(r) => self.resolve(r),
            None => answer,
        };
        self.example_of(&answer["schema"], 0).unwrap_or(Value::Null)
    }

    /// An example of `schema`, or `None` past the depth where a nested
    /// object is left out (a repository's parent is a repository).
    pub fn example_of(&self, schema: &Value, depth: usize) -> Option<Value> {
        if let Some(r) = schema["$ref"].as_str() {
            if depth >= 3 {
                return None;
            }
            return self.example_of(self.resolve(r), depth + 1);
        }
        if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
            return Some(first.clone());
        }
        Some(match schema["type"].as_str() {
            Some("object") | None if schema.get("properties").is_some() => {
                let mut m = Map::new();
                for (k, s) in schema["properties"].as_object().unwrap() {
                    if let Some(v) = self.example_of(s, depth) {
                        m.insert(k.clone(), v);
                    }
                }
                Value::Object(m)
            }
            Some("object") => Value::Object(Map::new()),
            Some("array") => Value::Array(Vec::new()),
            Some("integer") | Some("number") => {
                Value::from(schema["minimum"].as_i64().unwrap_or(0))
            }
            Some("boolean") => Value::Bool(false),
            Some("string") => Value::String(
                match schema["format"].as_str() {
                    Some("date-time") => "2026-01-01T00:00:00Z",
                    Some("date") => "2026-01-01",
                    Some("url") => "http://127.0.0.1/",
                    Some("email") => "someone@example.invalid",
                    _ => "",
                }
                .to_string(),
            ),
            _ => Value::Null,
        })
    }

    /// Checks `v` (at `at`, for the message) against `schema`.
    fn check(&self, schema: &Value, v: &Value, at: &str, mode: Mode) -> Result<(), String> {
        if let Some(r) = schema["$ref"].as_str() {
            return self.check(self.resolve(r), v, at, mode);
        }
        let go_zero = mode == Mode::Answer;
        if let Some(allowed) = schema["enum"].as_array() {
            let unset = go_zero && v == "";
            if !allowed.contains(v) && !unset {
                let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
                return Err(format!("{at} is {v}, not one of {}", list.join(", ")));
            }
        }
        let want = schema["type"].as_str();
        let wrong = |what: &str| Err(format!("{at} must be {what}, not {}", type_of(v)));
        match want {
            Some("object") | None if schema.get("properties").is_some() || want.is_some() => {
                if v.is_null() && go_zero {
                    return Ok(());
                }
                let Some(obj) = v.as_object() else {
                    return wrong("an object");
                };
                let props = schema["properties"].as_object();
                for (k, x) in obj {
                    let here = format!("{at}.{k}");
                    match (
                        props.and_then(|p| p.get(k)),
                        &schema["additionalProperties"],
                    ) {
                        (Some(s), _) => self.check(s, x, &here, mode)?,
                        (None, extra) if extra.is_object() => self.check(extra, x, &here, mode)?,
                        (None, Value::Bool(true)) => {}
                        // An object of no named fields: anything (Go's map).
                        (None, _) if props.is_none() => {}
                        (None, _) => {
                            let mut names: Vec<&String> =
                                props.map(|p| p.keys().collect()).unwrap_or_default();
                            names.sort();
                            let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
                            return Err(format!(
                                "{at} has a field `{k}` that the description does not name (it has {})",
                                names.join(", ")
                            ));
                        }
                    }
                }
                for r in schema["required"].as_array().into_iter().flatten() {
                    let r = r.as_str().unwrap();
                    if !obj.contains_key(r) {
                        return Err(format!("{at} lacks the required field `{r}`"));
                    }
                }
                Ok(())
            }
            Some("array") => {
                if v.is_null() && go_zero {
                    return Ok(());
                }
                let Some(items) = v.as_array() else {
                    return wrong("an array");
                };
                for (i, x) in items.iter().enumerate() {
                    self.check(&schema["items"], x, &format!("{at}[{i}]"), mode)?;
                }
                Ok(())
            }
            Some("string") => {
                let Some(s) = v.as_str() else {
                    return wrong("a string");
                };
                if schema["format"] == "date-time" && !is_date_time(s) {
                    return Err(format!("{at} is `{s}`, not a date-time"));
                }
                Ok(())
            }
            Some("integer") => {
                let Some(n) = v.as_i64().or_else(|| v.as_u64().map(|n| n as i64)) else {
                    return wrong("an integer");
                };
                if let Some(min) = schema["minimum"].as_i64()
                    && n < min
                {
                    return Err(format!("{at} is {n}, less than its minimum {min}"));
                }
                if let Some(max) = schema["maximum"].as_i64()
                    && n > max
                {
                    return Err(format!("{at} is {n}, more than its maximum {max}"));
                }
                Ok(())
            }
            Some("number") => {
                if v.is_number() {
                    Ok(())
                } else {
                    wrong("a number")
                }
            }
            Some("boolean") => {
                if v.is_boolean() {
                    Ok(())
                } else {
                    wrong("a boolean")
                }
            }
            // No type: anything (`interface{}` in Go).
            _ => Ok(()),
        }
    }
}
