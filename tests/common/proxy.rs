//! A fault-injecting HTTP proxy between cargo-train and the registry: one
//! request per connection; by a fixed pattern it answers cargo-train's
//! requests (its user agent) with 429 and `Retry-After`, with 500, or drops
//! the connection, and forwards the rest (cargo's own requests, made while
//! packaging, always). It can delay every forwarded request, rewrites the
//! registry's `config.json` so that API calls come through it too, and
//! records what it did.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::time::Instant;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Forwarded,
    TooMany,
    ServerError,
    Dropped,
}

/// When, method, path (with the crate of an upload), what was done.
pub type Entry = (Instant, String, String, Event);

pub struct Proxy {
    pub port: u16,
    pub log: Arc<Mutex<Vec<Entry>>>,
    /// Crates whose uploads always get a 500.
    refused: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

pub fn read_request(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while buf.len() < header_end + len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf)
}

/// Forces `Connection: close` so each side sends one message and hangs up.
pub fn with_close(req: &[u8]) -> Vec<u8> {
    let end = req.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&req[..end - 2]).to_string();
    let mut out: String = head
        .split("\r\n")
        .filter(|l| !l.to_lowercase().starts_with("connection:") && !l.is_empty())
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str("Connection: close\r\n\r\n");
    let mut v = out.into_bytes();
    v.extend_from_slice(&req[end..]);
    v
}

/// An index response without the versions uploaded less than `lag` ago.
fn hide_recent(
    resp: &[u8],
    uploaded: &HashMap<(String, String), Instant>,
    lag: Duration,
) -> Vec<u8> {
    let text = String::from_utf8_lossy(resp).to_string();
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return resp.to_vec();
    };
    if !head.starts_with("HTTP/1.1 200") {
        return resp.to_vec();
    }
    let kept: String = body
        .lines()
        .filter(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or_default();
            let key = (
                v["name"].as_str().unwrap_or("").to_string(),
                v["vers"].as_str().unwrap_or("").to_string(),
            );
            uploaded.get(&key).is_none_or(|t| t.elapsed() >= lag)
        })
        .map(|l| format!("{l}\n"))
        .collect();
    if kept.is_empty() {
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            .to_vec();
    }
    let head: String = head
        .split("\r\n")
        .filter(|l| !l.to_lowercase().starts_with("content-length:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    format!("{head}Content-Length: {}\r\n\r\n{kept}", kept.len()).into_bytes()
}

impl Proxy {
    /// `every`: one request in `every` gets a fault, cycling 429, 500, drop.
    pub fn start(upstream: u16, every: usize) -> Proxy {
        Proxy::with_options(
            upstream,
            every,
            Duration::ZERO,
            Duration::ZERO,
            Duration::ZERO,
        )
    }

    pub fn with_delay(upstream: u16, every: usize, delay: Duration) -> Proxy {
        Proxy::with_options(upstream, every, delay, Duration::ZERO, Duration::ZERO)
    }

    /// `propagation`: a version uploaded through the proxy stays out of the
    /// index it serves for that long, as on a registry whose index lags
    /// behind its API (crates.io's takes seconds). `upload_time`: extra time an
    /// upload takes (sending the file, the registry's checks).
    pub fn with_options(
        upstream: u16,
        every: usize,
        delay: Duration,
        propagation: Duration,
        upload_time: Duration,
    ) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicUsize::new(0));
        let uploaded: Arc<Mutex<HashMap<(String, String), Instant>>> = Arc::default();
        let refused: Arc<Mutex<Vec<String>>> = Arc::default();
        let (l2, s2, r2) = (log.clone(), stop.clone(), refused.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut c) = conn else { continue };
                let (log, count, uploaded, refused) =
                    (l2.clone(), count.clone(), uploaded.clone(), r2.clone());
                std::thread::spawn(move || {
                    let Some(req) = read_request(&mut c) else {
                        return;
                    };
                    let first = String::from_utf8_lossy(
                        &req[..req.iter().position(|b| *b == b'\r').unwrap_or(0)],
                    )
                    .to_string();
                    let mut parts = first.split(' ');
                    let (method, mut path) = (
                        parts.next().unwrap_or("").to_string(),
                        parts.next().unwrap_or("").to_string(),
                    );
                    // Name the crate of an upload: the body starts with the
                    // length of its JSON metadata, then the JSON.
                    let mut upload = None;
                    if path.ends_with("/crates/new") {
                        let body =
                            &req[req.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
                        if body.len() > 4 {
                            let n = u32::from_le_bytes(body[..4].try_into().unwrap()) as usize;
                            if let Ok(v) =
                                serde_json::from_slice::<serde_json::Value>(&body[4..4 + n])
                            {
                                let name = v["name"].as_str().unwrap_or("").to_string();
                                path = format!("{path}:{name}");
                                upload = Some((name, v["vers"].as_str().unwrap_or("").to_string()));
                            }
                        }
                    }
                    let from_train = String::from_utf8_lossy(&req)
                        .to_lowercase()
                        .contains("user-agent: cargo-train/");
                    // config.json is never faulted: it is read once, at the start.
                    let refuse = upload
                        .as_ref()
                        .is_some_and(|(n, _)| refused.lock().unwrap().contains(n));
                    let fault = if refuse {
                        2
                    } else if !from_train || path.ends_with("config.json") {
                        0
                    } else {
                        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                        if n % every != 0 { 0 } else { n / every % 3 + 1 }
                    };
                    let event = match fault {
                        1 => {
                            let _ = c.write_all(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                            Event::TooMany
                        }
                        2 => {
                            let body = br#"{"errors":[{"detail":"injected failure"}]}"#;
                            let _ = c.write_all(format!("HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
                            let _ = c.write_all(body);
                            Event::ServerError
                        }
                        3 => Event::Dropped,
                        _ => {
                            std::thread::sleep(delay);
                            if path.contains("/crates/new") {
                                std::thread::sleep(upload_time);
                            }
                            let mut up = TcpStream::connect(("127.0.0.1", upstream)).unwrap();
                            up.write_all(&with_close(&req)).unwrap();
                            let mut resp = Vec::new();
                            let _ = up.read_to_end(&mut resp);
                            if path.ends_with("config.json") {
                                let text = String::from_utf8_lossy(&resp).to_string();
                                let (head, body) = text.split_once("\r\n\r\n").unwrap();
                                let body =
                                    body.replace(&format!(":{upstream}"), &format!(":{port}"));
                                let head: String = head
                                    .split("\r\n")
                                    .filter(|l| {
                                        !l.to_lowercase().starts_with("content-length:")
                                            && !l.to_lowercase().starts_with("transfer-encoding:")
                                    })
                                    .map(|l| format!("{l}\r\n"))
                                    .collect();
                                resp =
                                    format!("{head}Content-Length: {}\r\n\r\n{body}", body.len())
                                        .into_bytes();
                            }
                            if let Some(key) = upload.take()
                                && resp.starts_with(b"HTTP/1.1 200")
                            {
                                uploaded.lock().unwrap().insert(key, Instant::now());
                            }
                            if !propagation.is_zero()
                                && method == "GET"
                                && !path.contains("/dl/")
                                && !path.ends_with("config.json")
                            {
                                resp = hide_recent(&resp, &uploaded.lock().unwrap(), propagation);
                            }
                            let _ = c.write_all(&resp);
                            Event::Forwarded
                        }
                    };
                    log.lock()
                        .unwrap()
                        .push((Instant::now(), method, path, event));
                    // Dropping `c` closes the connection (for `Dropped`, with no answer).
                });
            }
        });
        Proxy {
            port,
            log,
            refused,
            stop,
        }
    }

    /// From now on, every upload of `name` is answered with a 500.
    pub fn refuse_uploads_of(&self, name: &str) {
        self.refused.lock().unwrap().push(name.to_string());
    }

    pub fn index(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/crates/", self.port)
    }

    pub fn events(&self) -> Vec<Entry> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
