//! A sparse registry index on 127.0.0.1 that records every request with
//! its `Authorization` header: `config.json` (with `"auth-required": true`
//! when asked; it then answers 401 to a request without a token, as RFC
//! 3139 says a registry does) and a 404 for every crate's file (nothing is
//! published). What a test reads is where a token went.
#![allow(dead_code)]

use std::io::Write;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// Method, path, the `Authorization` header's value.
pub type Request = (String, String, Option<String>);

pub struct Recorder {
    pub port: u16,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Recorder {
    pub fn start(auth_required: bool) -> Recorder {
        Recorder::serve(auth_required, None)
    }

    /// One whose API (every path under `/api/`, and every path at all when
    /// `everything`) answers `307` to the same path on 127.0.0.1:`to`.
    pub fn redirecting(to: u16, everything: bool) -> Recorder {
        Recorder::serve(false, Some((to, everything)))
    }

    fn serve(auth_required: bool, redirect: Option<(u16, bool)>) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log: Arc<Mutex<Vec<Request>>> = Arc::default();
        let seen = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let Some(req) = super::proxy::read_request(&mut s) else {
                    continue;
                };
                let head = String::from_utf8_lossy(&req).into_owned();
                let mut lines = head.lines();
                let mut first = lines.next().unwrap_or("").split_whitespace();
                let method = first.next().unwrap_or("").to_string();
                let path = first.next().unwrap_or("").to_string();
                let auth = lines.take_while(|l| !l.is_empty()).find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("authorization")
                        .then(|| v.trim().to_string())
                });
                seen.lock()
                    .unwrap()
                    .push((method, path.clone(), auth.clone()));
                if let Some((to, everything)) = redirect
                    && (everything || path.starts_with("/api/"))
                {
                    let _ = write!(
                        s,
                        "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://127.0.0.1:{to}{path}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    continue;
                }
                let (status, body) = if auth_required && auth.is_none() {
                    (
                        "401 Unauthorized",
                        r#"{"errors":[{"detail":"token required"}]}"#.to_string(),
                    )
                } else if path == "/config.json" {
                    (
                        "200 OK",
                        format!(
                            r#"{{"dl":"http://127.0.0.1:{port}/dl","api":"http://127.0.0.1:{port}","auth-required":{auth_required}}}"#
                        ),
                    )
                } else {
                    ("404 Not Found", String::new())
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Recorder { port, log }
    }

    /// The index URL in cargo's form.
    pub fn index(&self) -> String {
        format!("sparse+http://127.0.0.1:{}/", self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}
