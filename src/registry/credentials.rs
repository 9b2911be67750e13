//! Credentials for a registry host, read the way `docker` reads them:
//! `$DOCKER_CONFIG/config.json` (or `~/.docker/config.json`),
//! `credHelpers`, then `auths`, then `credsStore`.
//!
//! The file is read through [`crate::input::read_user_file`] (a regular
//! file, size-capped: a FIFO is an error, not a hang). `auths` are decoded
//! by `docker_credential`. Helpers are run here, not by that crate, which
//! waits for a helper without a deadline and reads all it prints: a
//! `docker-credential-NAME` runs in its own process group with
//! [`HELPER_DEADLINE`] and [`HELPER_OUTPUT`] bytes per stream, and the
//! group is killed past either.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::lookup::LookupError;
use super::lookup::said;
use super::transport::mib;

/// How long a credential helper may take (a keychain unlock prompt
/// included).
pub(crate) const HELPER_DEADLINE: Duration = Duration::from_secs(10);
/// What a helper may print on stdout or stderr: its answer is a JSON
/// object of a few KiB.
pub(crate) const HELPER_OUTPUT: usize = 1024 * 1024;

/// What shipit sends a registry.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Credentials {
    Anonymous,
    Basic { user: String, password: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { user, .. } => write!(f, "Basic({user}, <redacted>)"),
        }
    }
}

/// A registry host as `docker login` and `config.json` name it.
pub(crate) fn login_host(reference: &oci_client::Reference) -> String {
    match reference.registry() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
        other => other.to_string(),
    }
}

/// The key `docker login` stores a host's credentials under.
pub(crate) fn credential_server(host: &str) -> String {
    if host == "docker.io" {
        "https://index.docker.io/v1/".to_string()
    } else {
        host.to_string()
    }
}

pub(crate) fn docker_config_path() -> Option<PathBuf> {
    std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".docker"))
        })
        .map(|dir| dir.join("config.json"))
}

/// The helpers a config names; the rest of the file is `docker_credential`'s.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Helpers {
    creds_store: Option<String>,
    cred_helpers: Option<BTreeMap<String, String>>,
}

/// Credentials for `host` (a login host, [`login_host`]). No file, no
/// entry, or a helper that knows no credential for the host means
/// anonymous.
pub(crate) fn credentials(host: &str) -> Result<Credentials, LookupError> {
    let Some(path) = docker_config_path() else {
        return Ok(Credentials::Anonymous);
    };
    let bytes = match crate::input::read_user_file(&path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(Credentials::Anonymous),
        Err(error) => {
            return Err(LookupError(format!(
                "the Docker config: {}",
                said(&format!("{error:#}"))
            )));
        }
    };
    let not_config = || {
        LookupError(format!(
            "cannot read the Docker config `{}`: it is not a JSON object with `auths`, `credsStore` or `credHelpers`",
            path.display()
        ))
    };
    let Ok(serde_json::Value::Object(mut config)) = serde_json::from_slice(&bytes) else {
        return Err(not_config());
    };
    let mut helpers = serde_json::Map::new();
    for key in ["credsStore", "credHelpers"] {
        if let Some(value) = config.remove(key) {
            helpers.insert(key.to_string(), value);
        }
    }
    let helpers: Helpers =
        serde_json::from_value(serde_json::Value::Object(helpers)).map_err(|_| not_config())?;
    let server = credential_server(host);
    if let Some(helper) = helpers
        .cred_helpers
        .as_ref()
        .and_then(|helpers| helpers.get(&server))
        .filter(|name| !name.is_empty())
    {
        return from_helper(helper, &server, host);
    }
    // What is left has no helper in it: `docker_credential` reads `auths`
    // and never runs a process.
    let rest = serde_json::to_vec(&config).map_err(|_| not_config())?;
    use docker_credential::{CredentialRetrievalError as E, DockerCredential};
    match docker_credential::get_credential_from_reader(rest.as_slice(), &server) {
        Ok(DockerCredential::UsernamePassword(user, password)) => {
            Ok(Credentials::Basic { user, password })
        }
        Ok(DockerCredential::IdentityToken(_)) => Err(identity_token(host)),
        Err(E::NoCredentialConfigured) => match helpers.creds_store.filter(|s| !s.is_empty()) {
            Some(store) => from_helper(&store, &server, host),
            None => Ok(Credentials::Anonymous),
        },
        Err(E::CredentialDecodingError | E::CredentialMismatchError) => Err(LookupError(format!(
            "the `auths` entry for {host} in the Docker config `{}` is not base64 of `user:password` matching its `username` and `password`: run `docker login {host}` again",
            path.display()
        ))),
        Err(E::ConfigReadError | E::ConfigNotFound) => Err(not_config()),
        Err(error) => Err(LookupError(format!(
            "cannot get the credentials for {host} from the Docker config: {}",
            said(&error.to_string())
        ))),
    }
}

fn identity_token(host: &str) -> LookupError {
    LookupError(format!(
        "the credentials for {host} in the Docker config are an identity token, which shipit cannot use yet: run `docker login {host}` with a username and a password or access token"
    ))
}

/// The answer `docker-credential-NAME get` prints.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    username: String,
    secret: String,
}

/// Asks `docker-credential-NAME get` for `server`, bounded.
fn from_helper(name: &str, server: &str, host: &str) -> Result<Credentials, LookupError> {
    let program = format!("docker-credential-{name}");
    // A name with a `/` would run a path, not a helper on the PATH.
    let fine = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    if name.is_empty() || !name.chars().all(fine) {
        return Err(LookupError(format!(
            "the Docker config names the credential helper `{}` for {host}, which is not a helper name (letters, digits, `.`, `_`, `-`)",
            crate::text::shown_value(name)
        )));
    }
    let output = run_bounded(&program, server).map_err(|why| {
        LookupError(format!(
            "the credential helper `{program}`, asked for the credentials for {host}, {why}"
        ))
    })?;
    if output.success {
        let answer: HelperAnswer = serde_json::from_slice(&output.stdout).map_err(|_| {
            LookupError(format!(
                "the credential helper `{program}` answered for {host} with something other than JSON with `Username` and `Secret`"
            ))
        })?;
        if answer.username == "<token>" {
            return Err(identity_token(host));
        }
        return Ok(Credentials::Basic {
            user: answer.username,
            password: answer.secret,
        });
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Helpers exit non-zero when they know nothing for the host
    // ("credentials not found in native keychain"): anonymous.
    if format!("{stdout}{stderr}")
        .to_lowercase()
        .contains("not found")
    {
        return Ok(Credentials::Anonymous);
    }
    let said_text = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    Err(LookupError(format!(
        "the credential helper `{program}` failed for {host}: {}",
        said(&said_text)
    )))
}

/// What a helper did.
struct HelperOutput {
    success: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `program get` with `input` on stdin, in a process group of its
/// own; kills the group when it outlives [`HELPER_DEADLINE`] or prints more
/// than [`HELPER_OUTPUT`] on either stream. The error says what happened,
/// to follow "the credential helper `NAME`".
fn run_bounded(program: &str, input: &str) -> Result<HelperOutput, String> {
    use std::os::unix::process::CommandExt as _;
    let started = Instant::now();
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => {
                "is not on the PATH (the Docker config names it)".to_string()
            }
            _ => format!("cannot be run ({error})"),
        })?;
    // The server name is far shorter than a pipe's buffer: this write does
    // not wait on the helper. A helper that exits without reading it is
    // judged by its exit, below.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input.as_bytes());
    }
    let (sender, received) = mpsc::channel();
    let streams: [(bool, Box<dyn std::io::Read + Send>); 2] = [
        (true, Box::new(child.stdout.take().expect("piped stdout"))),
        (false, Box::new(child.stderr.take().expect("piped stderr"))),
    ];
    for (is_stdout, stream) in streams {
        let sender = sender.clone();
        // Never joined: a helper's own child may hold the pipe open after
        // the group is killed (it is killed too), and shipit does not wait
        // for that.
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let read = stream
                .take(HELPER_OUTPUT as u64 + 1)
                .read_to_end(&mut bytes);
            let _ = sender.send((is_stdout, read.map(|_| bytes)));
        });
    }
    drop(sender);
    let (mut stdout, mut stderr) = (None, None);
    while stdout.is_none() || stderr.is_none() {
        let left = HELPER_DEADLINE.saturating_sub(started.elapsed());
        match received.recv_timeout(left) {
            Ok((is_stdout, Ok(bytes))) => {
                if bytes.len() > HELPER_OUTPUT {
                    kill(&mut child);
                    return Err(format!(
                        "printed more than {} on its {} and was stopped",
                        mib(HELPER_OUTPUT),
                        if is_stdout { "stdout" } else { "stderr" }
                    ));
                }
                if is_stdout {
                    stdout = Some(bytes);
                } else {
                    stderr = Some(bytes);
                }
            }
            Ok((_, Err(error))) => {
                kill(&mut child);
                return Err(format!("could not be read ({error})"));
            }
            Err(_) => {
                kill(&mut child);
                return Err(too_slow());
            }
        }
    }
    // Both streams closed: the helper is done, or about to be.
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return Ok(HelperOutput {
                    success: status.success(),
                    stdout: stdout.unwrap_or_default(),
                    stderr: stderr.unwrap_or_default(),
                });
            }
            Ok(None) if started.elapsed() < HELPER_DEADLINE => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) => {
                kill(&mut child);
                return Err(too_slow());
            }
            Err(error) => {
                kill(&mut child);
                return Err(format!("could not be waited for ({error})"));
            }
        }
    }
}

fn too_slow() -> String {
    format!(
        "did not answer within {} s and was stopped",
        HELPER_DEADLINE.as_secs()
    )
}

/// Kills the helper's process group (the helper and whatever it started),
/// then reaps the helper.
fn kill(child: &mut Child) {
    if let Ok(group) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) takes two integers and touches no memory of
        // ours; the group is the one the helper was started in, which
        // `process_group(0)` made its own, and it is not reaped yet (so the
        // id is not reused).
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_credentials_live_under_the_v1_url() {
        let hub: oci_client::Reference = "golang:1.25".parse().unwrap();
        assert_eq!(login_host(&hub), "docker.io");
        assert_eq!(
            credential_server("docker.io"),
            "https://index.docker.io/v1/"
        );
        let ghcr: oci_client::Reference = "ghcr.io/astral-sh/uv:0.8".parse().unwrap();
        assert_eq!(credential_server(&login_host(&ghcr)), "ghcr.io");
    }

    #[test]
    fn a_helper_is_bounded_in_time_and_output() {
        let dir = tempfile::tempdir().unwrap();
        let script = |name: &str, body: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            let status = Command::new("chmod")
                .arg("755")
                .arg(&path)
                .status()
                .unwrap();
            assert!(status.success());
            path.display().to_string()
        };
        let answer = script(
            "answer",
            "read s; echo \"{\\\"Username\\\":\\\"u\\\",\\\"Secret\\\":\\\"$s\\\"}\"",
        );
        let output = run_bounded(&answer, "ghcr.io").unwrap();
        assert!(output.success);
        assert_eq!(
            output.stdout,
            b"{\"Username\":\"u\",\"Secret\":\"ghcr.io\"}\n"
        );

        let chatty = script("chatty", "yes");
        let started = Instant::now();
        let error = run_bounded(&chatty, "x").err().unwrap();
        assert!(error.contains("more than 1 MiB on its stdout"), "{error}");
        assert!(started.elapsed() < HELPER_DEADLINE);

        let error = run_bounded("/nonexistent/docker-credential-x", "x")
            .err()
            .unwrap();
        assert!(error.contains("not on the PATH"), "{error}");
    }

    #[test]
    fn helper_names_are_names_not_paths() {
        let error = from_helper("../../tmp/evil", "ghcr.io", "ghcr.io").unwrap_err();
        assert!(error.0.contains("not a helper name"), "{error}");
        let error = from_helper("a\u{1b}b", "ghcr.io", "ghcr.io").unwrap_err();
        assert!(error.0.contains("a<U+001B>b"), "{error}");
    }
}
