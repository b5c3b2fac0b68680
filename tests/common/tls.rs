//! HTTPS for the network tests: a CA made by the test (so no system store
//! trusts it) and a TLS front on 127.0.0.1 that terminates TLS with a
//! certificate from that CA and relays the plain bytes to a backend port
//! (kellnr), so the registry is reachable only over HTTPS.
#![allow(dead_code)]

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct TestCa {
    _dir: tempfile::TempDir,
    /// The CA certificate, PEM, alone in its file.
    pub pem_file: PathBuf,
    server: Arc<rustls::ServerConfig>,
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl TestCa {
    /// A fresh CA, and a server certificate it signs for 127.0.0.1 and
    /// localhost.
    pub fn new() -> TestCa {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "cargo-train test CA");
        ca_params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();

        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "127.0.0.1");
        let cert = params.signed_by(&key, &ca).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let pem_file = dir.path().join("test-ca.pem");
        std::fs::write(&pem_file, ca.pem()).unwrap();

        let server = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone(), CertificateDer::from(ca.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap();
        TestCa {
            _dir: dir,
            pem_file,
            server: Arc::new(server),
        }
    }
}

/// TLS on `port`, plain TCP to the backend port (set once the backend,
/// which must know the front's port, is up).
pub struct TlsFront {
    pub port: u16,
    backend: Arc<AtomicU16>,
    /// Connections whose TLS handshake completed.
    pub handshakes: Arc<AtomicUsize>,
    /// Handshake failures, as the server saw them (e.g. the client's
    /// "unknown CA" alert).
    pub failures: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl TlsFront {
    pub fn start(ca: &TestCa) -> TlsFront {
        let backend = Arc::new(AtomicU16::new(0));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (config, b, h, f, s) = (
            ca.server.clone(),
            backend.clone(),
            handshakes.clone(),
            failures.clone(),
            stop.clone(),
        );
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (config, h, f) = (config.clone(), h.clone(), f.clone());
                let backend = b.load(Ordering::SeqCst);
                std::thread::spawn(move || serve(conn, config, backend, &h, &f));
            }
        });
        TlsFront {
            port,
            backend,
            handshakes,
            failures,
            stop,
        }
    }

    pub fn forward_to(&self, backend: u16) {
        self.backend.store(backend, Ordering::SeqCst);
    }

    /// The handshake failures seen so far, waiting up to 5 s for the first
    /// (the server's thread records it after the client has gone).
    pub fn failures(&self) -> Vec<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let f = self.failures.lock().unwrap().clone();
            if !f.is_empty() || std::time::Instant::now() > deadline {
                return f;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }

    /// The sparse index URL through the front (kellnr's path).
    pub fn index(&self) -> String {
        format!("https://127.0.0.1:{}/api/v1/crates/", self.port)
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// One connection: the handshake, then bytes both ways until either side
/// closes. Both sockets poll with a short read timeout so one thread can
/// serve both directions (a TLS stream cannot be split).
fn serve(
    tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    backend: u16,
    handshakes: &AtomicUsize,
    failures: &Mutex<Vec<String>>,
) {
    let mut conn = rustls::ServerConnection::new(config).unwrap();
    let mut tcp = tcp;
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            failures.lock().unwrap().push(e.to_string());
            return;
        }
    }
    handshakes.fetch_add(1, Ordering::SeqCst);
    let Ok(mut back) = TcpStream::connect(("127.0.0.1", backend)) else {
        return;
    };
    let poll = Some(Duration::from_millis(5));
    tcp.set_read_timeout(poll).unwrap();
    back.set_read_timeout(poll).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if back.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if timed_out(&e) => {}
            Err(_) => break,
        }
        match back.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if tls.write_all(&buf[..n]).and_then(|_| tls.flush()).is_err() {
                    break;
                }
            }
            Err(e) if timed_out(&e) => {}
            Err(_) => break,
        }
    }
    tls.conn.send_close_notify();
    let _ = tls.flush();
}
