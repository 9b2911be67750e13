//! `shipit lock` against registries, token services and credential helpers
//! that misbehave on purpose. Each registry here is a small HTTP server on
//! 127.0.0.1 written in this file (one thread per connection, every socket
//! with a timeout, endless answers stopped by a byte limit); the HTTPS ones
//! use `rustls` (a dependency of shipit already) with a certificate chain
//! openssl makes for the test, trusted by the shipit process through
//! `SSL_CERT_FILE`. Every hostile answer must end in exit 2, a message that
//! shows (never sends) what the registry said, no panic, and no lock.

mod common;

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use common::stderr;

/// A request as the server read it: the request line and the headers.
#[derive(Clone, Debug)]
struct Request {
    line: String,
    headers: Vec<(String, String)>,
    /// The server's own `127.0.0.1:PORT`.
    own: String,
}

impl Request {
    fn path(&self) -> &str {
        self.line.split(' ').nth(1).unwrap_or_default()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What the server answers.
enum Reply {
    /// A whole answer with its `Content-Length`.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A head (whatever it claims), then body bytes until the client hangs
    /// up or `limit` bytes are written.
    Endless {
        status: u16,
        headers: Vec<(String, String)>,
        limit: u64,
    },
}

fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
    Reply::Full {
        status,
        headers: owned(headers),
        body: body.into(),
    }
}

fn owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Far past any cap shipit may have, far below what a test machine minds.
const ENDLESS: u64 = 256 * 1024 * 1024;
/// What a client that stops at its cap lets the server write, at most.
const STOPPED: u64 = 64 * 1024 * 1024;

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A server on 127.0.0.1: records every request, counts the body bytes it
/// wrote.
struct Server {
    host: String,
    requests: Arc<Mutex<Vec<Request>>>,
    written: Arc<AtomicU64>,
}

impl Server {
    fn http(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::start(None, Arc::new(handler))
    }

    fn https(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::start(Some(tls().config.clone()), Arc::new(handler))
    }

    fn start(tls: Option<Arc<rustls::ServerConfig>>, handler: Arc<Handler>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::new(AtomicU64::new(0));
        let (seen, count, own) = (requests.clone(), written.clone(), host.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (tls, handler, seen, count, own) = (
                    tls.clone(),
                    handler.clone(),
                    seen.clone(),
                    count.clone(),
                    own.clone(),
                );
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
                    match tls {
                        Some(config) => {
                            let Ok(connection) = rustls::ServerConnection::new(config) else {
                                return;
                            };
                            let mut stream = rustls::StreamOwned::new(connection, stream);
                            serve(&mut stream, &own, &*handler, &seen, &count);
                            stream.conn.send_close_notify();
                            let _ = stream.flush();
                        }
                        None => {
                            let mut stream = stream;
                            serve(&mut stream, &own, &*handler, &seen, &count);
                        }
                    }
                });
            }
        });
        Server {
            host,
            requests,
            written,
        }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }
}

/// One request, one answer, then the connection closes.
fn serve(
    stream: &mut (impl std::io::Read + std::io::Write),
    own: &str,
    handler: &Handler,
    seen: &Mutex<Vec<Request>>,
    written: &AtomicU64,
) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let request = Request {
        line: lines.next().unwrap_or_default().to_string(),
        headers: lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect(),
        own: own.to_string(),
    };
    seen.lock().unwrap().push(request.clone());
    let head_of = |status: u16, headers: &[(String, String)]| {
        let mut text = format!("HTTP/1.1 {status} Status\r\nConnection: close\r\n");
        for (k, v) in headers {
            text.push_str(&format!("{k}: {v}\r\n"));
        }
        text
    };
    match handler(&request) {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut text = head_of(status, &headers).into_bytes();
            text.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            text.extend_from_slice(&body);
            if stream.write_all(&text).is_ok() {
                written.fetch_add(body.len() as u64, Ordering::SeqCst);
            }
        }
        Reply::Endless {
            status,
            headers,
            limit,
        } => {
            let text = head_of(status, &headers) + "\r\n";
            if stream.write_all(text.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < limit && stream.write_all(&chunk).is_ok() {
                sent += chunk.len() as u64;
                written.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            }
        }
    }
    let _ = stream.flush();
}

/// A CA and a certificate for 127.0.0.1 it signed, made once with openssl.
struct Tls {
    ca: PathBuf,
    config: Arc<rustls::ServerConfig>,
    _dir: tempfile::TempDir,
}

fn tls() -> &'static Tls {
    static TLS: OnceLock<Tls> = OnceLock::new();
    TLS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        let openssl = |args: &[&str]| {
            let output = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("openssl runs (apt-get install -y openssl)");
            assert!(
                output.status.success(),
                "openssl {args:?}: {}",
                stderr(&output)
            );
        };
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
        openssl(
            &[
                &["req", "-x509", "-nodes", "-days", "2"][..],
                &ec,
                &["-subj", "/CN=shipit test CA", "-keyout", "ca.key"],
                &["-out", "ca.pem"],
                &["-addext", "basicConstraints=critical,CA:TRUE"],
                &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ]
            .concat(),
        );
        openssl(
            &[
                &["req", "-new", "-nodes"][..],
                &ec,
                &["-subj", "/CN=127.0.0.1", "-keyout", "leaf.key", "-out", "leaf.csr"],
            ]
            .concat(),
        );
        std::fs::write(
            at("leaf.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(&[
            "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "leaf.ext", "-outform", "DER", "-out",
            "leaf.der",
        ]);
        openssl(&[
            "pkcs8", "-topk8", "-nocrypt", "-in", "leaf.key", "-outform", "DER", "-out",
            "leaf.key.der",
        ]);
        let cert = rustls::pki_types::CertificateDer::from(std::fs::read(at("leaf.der")).unwrap());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
            std::fs::read(at("leaf.key.der")).unwrap().into(),
        );
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
        Tls {
            ca: at("ca.pem"),
            config: Arc::new(config),
            _dir: dir,
        }
    })
}

const USER: &str = "shipit";
const PASSWORD: &str = "s3cret-pass";

fn basic() -> String {
    use base64::Engine as _;
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}").as_bytes());
    format!("Basic {encoded}")
}

const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

fn manifest() -> Reply {
    reply(200, &[("Content-Type", OCI_MANIFEST)], MANIFEST)
}

/// An OCI index with one entry per platform (`os`, `architecture`,
/// `variant` as JSON string literals, so a test can put any code point in).
fn index(platforms: impl Iterator<Item = String>) -> String {
    let entries: Vec<String> = platforms
        .map(|platform| {
            format!(
                r#"{{"mediaType":"{OCI_MANIFEST}","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"platform":{platform}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
        entries.join(",")
    )
}

/// An open registry: `/v2/` says yes, manifests come from `manifests`.
fn open_registry(
    tls: bool,
    manifests: impl Fn(&Request) -> Reply + Send + Sync + 'static,
) -> Server {
    let handler = move |request: &Request| {
        if request.path() == "/v2/" {
            reply(200, &[], "{}")
        } else if request.path().contains("/manifests/") {
            manifests(request)
        } else {
            reply(404, &[], "")
        }
    };
    if tls {
        Server::https(handler)
    } else {
        Server::http(handler)
    }
}

/// A Go project whose builder and runtime are `image` (one lookup).
fn project(dir: &Path, image: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("go.mod"), "module example.com/app\n\ngo 1.22\n").unwrap();
    std::fs::write(dir.join("main.go"), "package main\n\nfunc main() {}\n").unwrap();
    std::fs::write(
        dir.join("shipit.toml"),
        format!(
            "name = \"app\"\nlanguage = \"go\"\n\n[build]\nimage = \"{image}\"\n\n[runtime]\nbase = \"{image}\"\n"
        ),
    )
    .unwrap();
}

/// A project and a Docker config directory of its own.
struct Work {
    _dir: tempfile::TempDir,
    app: PathBuf,
    docker: PathBuf,
    bin: PathBuf,
}

fn work(image: &str) -> Work {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    project(&app, image);
    let docker = dir.path().join("docker");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&docker).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    Work {
        app,
        docker,
        bin,
        _dir: dir,
    }
}

impl Work {
    /// `auths` for `host`, as `docker login` writes them.
    fn login(&self, host: &str) {
        let auth = basic().trim_start_matches("Basic ").to_string();
        std::fs::write(
            self.docker.join("config.json"),
            format!(r#"{{"auths": {{"{host}": {{"auth": "{auth}"}}}}}}"#),
        )
        .unwrap();
    }

    /// A `docker-credential-NAME` script on the PATH shipit gets.
    fn helper(&self, name: &str, script: &str) {
        let path = self.bin.join(format!("docker-credential-{name}"));
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        let status = Command::new("chmod")
            .arg("755")
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// `shipit lock ARGS`, killed (by its PID) if it outlives `limit`.
    fn lock(&self, args: &[&str], limit: Duration) -> Run {
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_shipit"))
            .arg("lock")
            .args(args)
            .current_dir(&self.app)
            .env_remove("SHIPIT_TEMPLATES")
            .env_remove("SHIPIT_INSECURE_REGISTRIES")
            .env_remove("SSL_CERT_DIR")
            .env("SSL_CERT_FILE", &tls().ca)
            .env("DOCKER_CONFIG", &self.docker)
            .env("PATH", path)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the shipit binary runs");
        let mut timed_out = false;
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > limit {
                let _ = child.kill();
                timed_out = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = child.wait_with_output().unwrap();
        Run {
            output,
            elapsed: started.elapsed(),
            timed_out,
        }
    }

    fn locked(&self) -> bool {
        self.app.join("shipit.lock").exists()
    }
}

struct Run {
    output: Output,
    elapsed: Duration,
    timed_out: bool,
}

const LIMIT: Duration = Duration::from_secs(40);

/// Exit 2, nothing written, every `expected` piece in the message, no
/// panic, and no character on stderr a terminal would act on.
fn assert_refused(work: &Work, run: &Run, expected: &[&str]) {
    let err = stderr(&run.output);
    assert!(
        !run.timed_out,
        "shipit lock still ran after {:?}: {err}",
        run.elapsed
    );
    assert_eq!(run.output.status.code(), Some(2), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "a panic: {err}"
    );
    let raw = err.chars().find(|&c| {
        c != '\n'
            && (c.is_control()
                || ('\u{200B}'..='\u{200F}').contains(&c)
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c))
    });
    assert_eq!(raw, None, "a raw control character on stderr: {err:?}");
    for piece in expected {
        assert!(err.contains(piece), "`{piece}` not in: {err}");
    }
    assert!(!work.locked(), "a lock was written: {err}");
}

/// A registry in token mode whose token service is itself (`/token`): it
/// hands out a token for the Basic credentials of [`basic`] only, and
/// serves the manifest for that token only.
fn token_registry(tls: bool, realm_scheme: &'static str) -> Server {
    let handler = move |request: &Request| match request.path() {
        "/v2/" => {
            let challenge = format!(
                "Bearer realm=\"{realm_scheme}://{}/token\",service=\"test\"",
                request.own
            );
            reply(401, &[("WWW-Authenticate", challenge.as_str())], "")
        }
        path if path.starts_with("/token") => {
            if request.header("Authorization") == Some(basic().as_str()) {
                reply(200, &[], r#"{"token":"good-token"}"#)
            } else {
                reply(401, &[], "")
            }
        }
        path if path.contains("/manifests/") => {
            if request.header("Authorization") == Some("Bearer good-token") {
                manifest()
            } else {
                reply(401, &[], "")
            }
        }
        _ => reply(404, &[], ""),
    };
    if tls {
        Server::https(handler)
    } else {
        Server::http(handler)
    }
}

/// The harness itself, and the rule's other side: an HTTPS registry whose
/// token service is on its own host gets the credentials, and is locked.
#[test]
fn an_https_registry_with_its_own_realm_gets_the_credentials() {
    let registry = token_registry(true, "https");
    let work = work(&format!("{}/app/runtime:1", registry.host));
    work.login(&registry.host);
    let run = work.lock(&[], LIMIT);
    assert_eq!(run.output.status.code(), Some(0), "{}", stderr(&run.output));
    assert!(work.locked());
    let requests = registry.requests();
    let token = requests
        .iter()
        .find(|r| r.path().starts_with("/token"))
        .expect("a token request");
    assert_eq!(token.header("Authorization"), Some(basic().as_str()));
}

#[test]
fn an_http_realm_from_an_https_registry_gets_no_credentials() {
    let tokens = Server::http(|_| reply(200, &[], r#"{"token":"good-token"}"#));
    let realm = format!(
        "Bearer realm=\"http://{}/token\",service=\"test\"",
        tokens.host
    );
    let registry = Server::https(move |request| match request.path() {
        "/v2/" => reply(401, &[("WWW-Authenticate", realm.as_str())], ""),
        path if path.contains("/manifests/") => manifest(),
        _ => reply(404, &[], ""),
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    work.login(&registry.host);
    let run = work.lock(&[], LIMIT);
    let seen = tokens.requests();
    assert!(
        seen.iter().all(|r| r.header("Authorization").is_none()),
        "the credentials went to the plain-HTTP realm: {seen:?}"
    );
    assert_refused(&work, &run, &["plain HTTP", "--insecure-registry"]);
}

/// A token service on another host name, over HTTPS: asked without the
/// registry's credentials, whose token then does not open the image.
#[test]
fn a_realm_on_another_host_gets_no_credentials() {
    let tokens = Server::https(|request| {
        if request.header("Authorization") == Some(basic().as_str()) {
            reply(200, &[], r#"{"token":"good-token"}"#)
        } else {
            reply(200, &[], r#"{"token":"anonymous-token"}"#)
        }
    });
    let port = tokens.host.rsplit_once(':').unwrap().1.to_string();
    let realm = format!("Bearer realm=\"https://localhost:{port}/token\",service=\"test\"");
    let registry = Server::https(move |request| match request.path() {
        "/v2/" => reply(401, &[("WWW-Authenticate", realm.as_str())], ""),
        path if path.contains("/manifests/") => {
            if request.header("Authorization") == Some("Bearer good-token") {
                manifest()
            } else {
                reply(401, &[], "")
            }
        }
        _ => reply(404, &[], ""),
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    work.login(&registry.host);
    let run = work.lock(&[], LIMIT);
    let seen = tokens.requests();
    assert!(
        seen.iter().all(|r| r.header("Authorization").is_none()),
        "the credentials went to another host: {seen:?}"
    );
    assert_refused(
        &work,
        &run,
        &[&format!("tokens at localhost:{port}"), "own host name"],
    );
}

#[test]
fn an_https_manifest_redirected_to_http_is_not_followed() {
    let elsewhere = open_registry(false, |_| manifest());
    let target = format!("http://{}/v2/app/runtime/manifests/1", elsewhere.host);
    let registry = open_registry(true, move |_| {
        reply(302, &[("Location", target.as_str())], "")
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    let run = work.lock(&[], LIMIT);
    assert_refused(&work, &run, &["plain HTTP"]);
    assert!(elsewhere.requests().is_empty(), "the redirect was followed");
}

/// `--insecure-registry 127.0.0.1:PORT` names that port only: a redirect
/// to another port is another host, and not named.
#[test]
fn a_redirect_to_a_host_not_named_insecure_is_not_followed() {
    let elsewhere = open_registry(false, |_| manifest());
    let target = format!("http://{}/v2/app/runtime/manifests/1", elsewhere.host);
    let registry = open_registry(false, move |_| {
        reply(307, &[("Location", target.as_str())], "")
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["plain HTTP", "--insecure-registry"]);
    assert!(elsewhere.requests().is_empty(), "the redirect was followed");
}

/// A registry that checks Basic credentials and sends the manifest request
/// on to another host (both named insecure): followed, without them.
#[test]
fn a_redirect_to_another_host_carries_no_credentials() {
    let elsewhere = open_registry(false, |_| manifest());
    let target = format!("http://{}/v2/app/runtime/manifests/1", elsewhere.host);
    let registry = Server::http(move |request| {
        let challenge = [("WWW-Authenticate", "Basic realm=\"test\"")];
        if request.header("Authorization") != Some(basic().as_str()) {
            reply(401, &challenge, "")
        } else if request.path().contains("/manifests/") {
            reply(307, &[("Location", target.as_str())], "")
        } else {
            reply(200, &[], "{}")
        }
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    work.login(&registry.host);
    let run = work.lock(
        &[
            "--insecure-registry",
            &registry.host,
            "--insecure-registry",
            &elsewhere.host,
        ],
        LIMIT,
    );
    assert_eq!(run.output.status.code(), Some(0), "{}", stderr(&run.output));
    let seen = elsewhere.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].header("Authorization"), None, "{seen:?}");
}

#[test]
fn an_endless_manifest_body_stops_at_the_cap() {
    let registry = open_registry(false, |_| Reply::Endless {
        status: 200,
        headers: owned(&[("Content-Type", OCI_MANIFEST)]),
        limit: ENDLESS,
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["4 MiB"]);
    assert!(
        registry.written() < STOPPED,
        "read {} bytes",
        registry.written()
    );
}

#[test]
fn a_huge_content_length_is_refused_before_reading() {
    let registry = open_registry(false, |_| Reply::Endless {
        status: 200,
        headers: owned(&[
            ("Content-Type", OCI_MANIFEST),
            ("Content-Length", "5368709120"),
        ]),
        limit: ENDLESS,
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["4 MiB"]);
    assert!(
        registry.written() < STOPPED,
        "read {} bytes",
        registry.written()
    );
}

/// A token service on the registry's own host that answers `token`
/// (endless, or a JSON body).
fn registry_with_token(token: impl Fn() -> Reply + Send + Sync + 'static) -> Server {
    Server::http(move |request| match request.path() {
        "/v2/" => {
            let challenge = format!("Bearer realm=\"http://{}/token\"", request.own);
            reply(401, &[("WWW-Authenticate", challenge.as_str())], "")
        }
        path if path.starts_with("/token") => token(),
        path if path.contains("/manifests/") => manifest(),
        _ => reply(404, &[], ""),
    })
}

#[test]
fn an_endless_token_body_stops_at_the_cap() {
    let registry = registry_with_token(|| Reply::Endless {
        status: 200,
        headers: owned(&[("Content-Type", "application/json")]),
        limit: ENDLESS,
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["token", "1 MiB"]);
    assert!(
        registry.written() < STOPPED,
        "read {} bytes",
        registry.written()
    );
}

#[test]
fn an_endless_error_body_is_cut_short() {
    let registry = open_registry(false, |_| Reply::Endless {
        status: 404,
        headers: owned(&[("Content-Type", "text/plain")]),
        limit: ENDLESS,
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["not found"]);
    assert!(
        registry.written() < STOPPED,
        "read {} bytes",
        registry.written()
    );
}

#[test]
fn a_token_with_a_newline_or_control_characters_is_refused() {
    for (token, shown) in [
        (r#"{"token":"abc\ndef"}"#, "U+000A"),
        (r#"{"token":"abc\r\nX-Evil: 1"}"#, "U+000D"),
        (r#"{"access_token":"\u001b[31mred"}"#, "U+001B"),
        (r#"{"token":"a\u0000b"}"#, "U+0000"),
    ] {
        let registry = registry_with_token(move || reply(200, &[], token));
        let work = work(&format!("{}/app/runtime:1", registry.host));
        let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
        assert_refused(&work, &run, &["token", shown]);
    }
}

#[test]
fn an_index_of_250k_platforms_is_refused() {
    let body = index((0..250_000).map(|n| format!(r#"{{"os":"linux","architecture":"a{n}"}}"#)));
    let body = Arc::new(body);
    let registry = open_registry(false, move |_| {
        reply(200, &[("Content-Type", OCI_INDEX)], body.as_bytes())
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["4 MiB"]);
}

#[test]
fn an_index_of_more_than_64_platforms_is_refused() {
    let body = index((0..65).map(|n| format!(r#"{{"os":"linux","architecture":"a{n}"}}"#)));
    let registry = open_registry(false, move |_| {
        reply(200, &[("Content-Type", OCI_INDEX)], body.clone())
    });
    let work = work(&format!("{}/app/runtime:1", registry.host));
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["64 platforms"]);
}

#[test]
fn platform_strings_with_control_or_bidi_characters_are_refused() {
    for (platform, shown) in [
        (r#"{"os":"linux\n","architecture":"amd64"}"#, "U+000A"),
        (r#"{"os":"linux","architecture":"amd64\u0000"}"#, "U+0000"),
        (
            r#"{"os":"linux","architecture":"arm64","variant":"v8\u202e"}"#,
            "U+202E",
        ),
        (
            r#"{"os":"\u001b]0;owned\u0007linux","architecture":"amd64"}"#,
            "U+001B",
        ),
        (r#"{"os":"Linux","architecture":"amd64"}"#, "Linux"),
    ] {
        let body = index([platform.to_string()].into_iter());
        let registry = open_registry(false, move |_| {
            reply(200, &[("Content-Type", OCI_INDEX)], body.clone())
        });
        let work = work(&format!("{}/app/runtime:1", registry.host));
        let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
        assert_refused(&work, &run, &["platform", shown]);
    }
}

#[test]
fn a_manifest_of_another_media_type_is_refused() {
    for (media_type, shown) in [
        (
            "application/vnd.docker.distribution.manifest.v1+prettyjws",
            "prettyjws",
        ),
        ("text/html", "text/html"),
        (r"application/x\u001b[2J", "U+001B"),
    ] {
        let body = format!(r#"{{"schemaVersion":2,"mediaType":"{media_type}","layers":[]}}"#);
        let registry = open_registry(false, move |_| reply(200, &[], body.clone()));
        let work = work(&format!("{}/app/runtime:1", registry.host));
        let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
        assert_refused(&work, &run, &["media type", shown]);
    }
}

#[test]
fn escape_sequences_in_error_bodies_are_shown_not_sent() {
    let replies: [(u16, &'static [u8], &str); 3] = [
        (
            404,
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"\u001b[2J\u001b]0;owned\u0007gone"}]}"#,
            "not found",
        ),
        (403, b"\x1b[31mdenied\x1b[0m \xe2\x80\xae", "403"),
        (418, b"\x1b]8;;http://evil/\x07click\x1b]8;;\x07", "418"),
    ];
    for (status, body, expected) in replies {
        let registry = open_registry(false, move |_| reply(status, &[], body));
        let work = work(&format!("{}/app/runtime:1", registry.host));
        let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
        assert_refused(&work, &run, &[expected, "U+001B"]);
    }
}

/// Whether a process is gone (or a zombie nobody reaped yet).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_credential_helper_that_never_answers_is_killed_at_the_deadline() {
    let registry = open_registry(false, |_| manifest());
    let work = work(&format!("{}/app/runtime:1", registry.host));
    std::fs::write(work.docker.join("config.json"), r#"{"credsStore": "xyz"}"#).unwrap();
    // The helper's own child holds its stdout open too.
    let pid_file = work.bin.join("sleeper.pid");
    work.helper(
        "xyz",
        &format!("sleep 60 &\necho $! > {}\nwait", pid_file.display()),
    );
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["docker-credential-xyz", "10 s"]);
    assert!(run.elapsed >= Duration::from_secs(9), "{:?}", run.elapsed);
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let pid = pid.trim();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !gone(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(gone(pid), "the helper's child {pid} outlived shipit");
}

#[test]
fn a_credential_helper_that_prints_without_end_is_stopped_at_the_cap() {
    let registry = open_registry(false, |_| manifest());
    let work = work(&format!("{}/app/runtime:1", registry.host));
    std::fs::write(
        work.docker.join("config.json"),
        format!(r#"{{"credHelpers": {{"{}": "xyz"}}}}"#, registry.host),
    )
    .unwrap();
    // 256 MiB: without end, as far as a 1 MiB cap can tell.
    work.helper("xyz", "head -c 268435456 /dev/zero | tr '\\0' x");
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["docker-credential-xyz", "1 MiB"]);
}

#[test]
fn a_fifo_as_docker_config_is_an_error_not_a_hang() {
    let registry = open_registry(false, |_| manifest());
    let work = work(&format!("{}/app/runtime:1", registry.host));
    let status = Command::new("mkfifo")
        .arg(work.docker.join("config.json"))
        .status()
        .unwrap();
    assert!(status.success());
    let run = work.lock(&["--insecure-registry", &registry.host], LIMIT);
    assert_refused(&work, &run, &["config.json", "not a regular file"]);
}
