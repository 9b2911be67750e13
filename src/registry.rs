//! The registry client: turns an image reference into the digest of what
//! its tag points at — for a multi-platform image, the index (manifest
//! list), so a build for any platform still resolves. The OCI distribution
//! protocol (the anonymous and credentialed bearer-token flows, basic
//! auth) is `oci-client`'s; Docker's `config.json` (`auths`, `credsStore`,
//! `credHelpers`) is `docker_credential`'s. Only `shipit lock` calls this
//! module: rendering and checking never touch the network.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::{
    IMAGE_MANIFEST_LIST_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use sha2::{Digest as _, Sha256};

/// The manifests a lock accepts, the index kinds first: asked for a
/// multi-platform tag, the registry answers with the index itself rather
/// than one platform's manifest.
const ACCEPT: &[&str] = &[
    OCI_IMAGE_INDEX_MEDIA_TYPE,
    IMAGE_MANIFEST_LIST_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
    IMAGE_MANIFEST_MEDIA_TYPE,
];

/// How many times a request is tried when the registry or the network
/// fails in a way that may pass (connection errors, 429, 5xx).
const ATTEMPTS: u32 = 4;
/// The first pause between attempts; it doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// An answer that takes longer than this is a failed attempt.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Lookups in flight at once (`lock --all` over many manifests).
pub(crate) const CONCURRENCY: usize = 8;

/// Where a registry is reached, and with what.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Hosts (`HOST` or `HOST:PORT`) spoken to over plain HTTP: the user's
    /// `--insecure-registry` flags and `$SHIPIT_INSECURE_REGISTRIES`.
    pub insecure: Vec<String>,
}

/// What a reference resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// `sha256:` and the hex digest of the manifest's bytes.
    pub digest: String,
    pub media_type: String,
    /// `os/arch[/variant]` of each image in an index; empty for a
    /// single-platform manifest.
    pub platforms: Vec<String>,
}

/// A failed lookup, said the way a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LookupError(pub String);

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LookupError {}

/// A registry host as `docker login` and `config.json` name it.
fn login_host(reference: &Reference) -> String {
    match reference.registry() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => "docker.io".to_string(),
        other => other.to_string(),
    }
}

/// The key `docker login` stores a host's credentials under.
fn credential_server(host: &str) -> String {
    if host == "docker.io" {
        "https://index.docker.io/v1/".to_string()
    } else {
        host.to_string()
    }
}

/// Whether `host` (`HOST[:PORT]`) is one the user named insecure: an entry
/// with a port names that port only, one without names every port.
pub(crate) fn is_insecure(host: &str, insecure: &[String]) -> bool {
    let bare = host.rsplit_once(':').map_or(host, |(name, _)| name);
    insecure
        .iter()
        .any(|entry| entry == host || (!entry.contains(':') && entry == bare))
}

/// Credentials for a registry host from `$DOCKER_CONFIG/config.json` (or
/// `~/.docker/config.json`): `credHelpers`, then `auths`, then `credsStore`.
/// No file, no entry, or a helper that knows no credential for the host
/// means anonymous.
fn credentials(host: &str) -> Result<RegistryAuth, LookupError> {
    use docker_credential::{CredentialRetrievalError as E, DockerCredential};
    let server = credential_server(host);
    match docker_credential::get_credential(&server) {
        Ok(DockerCredential::UsernamePassword(user, password)) => {
            Ok(RegistryAuth::Basic(user, password))
        }
        Ok(DockerCredential::IdentityToken(_)) => Err(LookupError(format!(
            "the credentials for {host} in the Docker config are an identity token, which shipit cannot use yet: run `docker login {host}` with a username and a password or access token"
        ))),
        Err(E::NoCredentialConfigured | E::ConfigNotFound) => Ok(RegistryAuth::Anonymous),
        // The file is missing (anonymous) or is not JSON (an error).
        Err(E::ConfigReadError) => match docker_config_path() {
            Some(path) if path.exists() => Err(LookupError(format!(
                "cannot read the Docker config `{}`: it is not a JSON object with `auths`, `credsStore` or `credHelpers`",
                path.display()
            ))),
            _ => Ok(RegistryAuth::Anonymous),
        },
        // `docker-credential-*` exits non-zero when it knows nothing for the
        // host ("credentials not found in native keychain"): anonymous.
        Err(E::HelperFailure { stdout, stderr, .. })
            if format!("{stdout}{stderr}")
                .to_lowercase()
                .contains("not found") =>
        {
            Ok(RegistryAuth::Anonymous)
        }
        Err(E::HelperFailure { helper, stderr, .. }) => Err(LookupError(format!(
            "the credential helper `docker-credential-{helper}` failed for {host}: {}",
            stderr.trim()
        ))),
        Err(E::HelperCommunicationError) => Err(LookupError(format!(
            "cannot run the credential helper the Docker config names for {host}: is `docker-credential-*` on the PATH?"
        ))),
        Err(error) => Err(LookupError(format!(
            "cannot get the credentials for {host} from the Docker config: {error}"
        ))),
    }
}

fn docker_config_path() -> Option<std::path::PathBuf> {
    std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".docker"))
        })
        .map(|dir| dir.join("config.json"))
}

/// One client for a whole `lock` run: tokens and credentials are reused
/// across references on the same registry.
#[derive(Clone)]
pub(crate) struct Registry {
    client: Arc<Client>,
    options: Arc<Options>,
    /// Credentials per login host, looked up once.
    auth: Arc<tokio::sync::Mutex<BTreeMap<String, RegistryAuth>>>,
}

impl Registry {
    pub(crate) fn new(options: Options, hosts: &[String]) -> Result<Registry, LookupError> {
        // reqwest's rustls needs a process-wide crypto provider; `ring`
        // builds with a C compiler only, no cmake. A second install (a
        // second `lock` in the same process) is refused, harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let insecure: Vec<String> = hosts
            .iter()
            .filter(|host| is_insecure(host, &options.insecure))
            .cloned()
            .collect();
        let config = ClientConfig {
            protocol: ClientProtocol::HttpsExcept(insecure),
            connect_timeout: Some(CONNECT_TIMEOUT),
            read_timeout: Some(REQUEST_TIMEOUT),
            user_agent: concat!("shipit/", env!("CARGO_PKG_VERSION")),
            ..ClientConfig::default()
        };
        let client = Client::try_from(config)
            .map_err(|error| LookupError(format!("cannot start the registry client: {error}")))?;
        Ok(Registry {
            client: Arc::new(client),
            options: Arc::new(options),
            auth: Arc::default(),
        })
    }

    /// The registry host (as `oci-client` addresses it) of a reference.
    pub(crate) fn host_of(reference: &str) -> Option<String> {
        let parsed: Reference = reference.parse().ok()?;
        Some(parsed.resolve_registry().to_string())
    }

    async fn auth_for(&self, host: &str) -> Result<RegistryAuth, LookupError> {
        let mut known = self.auth.lock().await;
        if let Some(auth) = known.get(host) {
            return Ok(auth.clone());
        }
        let host_owned = host.to_string();
        // A credential helper is a process: keep it off the runtime.
        let auth = tokio::task::spawn_blocking(move || credentials(&host_owned))
            .await
            .map_err(|error| LookupError(format!("credential lookup failed: {error}")))??;
        known.insert(host.to_string(), auth.clone());
        Ok(auth)
    }

    /// Resolves one reference (`name:tag`, any registry) to its digest,
    /// retrying what may pass.
    pub(crate) async fn resolve(&self, image: &str) -> Result<Resolved, LookupError> {
        let reference: Reference = image.parse().map_err(|error| {
            LookupError(format!("`{image}` is not an image reference: {error}"))
        })?;
        let host = login_host(&reference);
        let auth = self.auth_for(&host).await?;
        let anonymous = auth == RegistryAuth::Anonymous;
        let mut delay = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            let answer = tokio::time::timeout(
                REQUEST_TIMEOUT,
                self.client.pull_manifest_raw(&reference, &auth, ACCEPT),
            )
            .await;
            let failure = match answer {
                Ok(Ok((body, _))) => return resolved(image, &body),
                Ok(Err(error)) => classify(&error),
                Err(_) => {
                    Failure::Transient(format!("no answer within {}s", REQUEST_TIMEOUT.as_secs()))
                }
            };
            match failure {
                Failure::Transient(_) if attempt < ATTEMPTS => {
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    attempt += 1;
                }
                failure => {
                    return Err(self.explain(image, &host, anonymous, failure, attempt));
                }
            }
        }
    }

    fn explain(
        &self,
        image: &str,
        host: &str,
        anonymous: bool,
        failure: Failure,
        attempts: u32,
    ) -> LookupError {
        let message = match failure {
            Failure::Unauthorized(_) if anonymous => {
                format!("`{image}`: no credentials for {host}: run `docker login {host}`")
            }
            Failure::Unauthorized(answer) => format!(
                "`{image}`: {host} refused the credentials from the Docker config ({answer}): run `docker login {host}`"
            ),
            Failure::NotFound(answer) => {
                format!("`{image}`: not found on {host} ({answer}); check the name and the tag")
            }
            Failure::Transient(answer) => {
                format!("`{image}`: cannot reach {host} after {attempts} attempts: {answer}")
            }
            Failure::Tls(answer) if !is_insecure(host, &self.options.insecure) => format!(
                "`{image}`: cannot speak HTTPS to {host}: {answer}; if {host} serves plain HTTP, pass `--insecure-registry {host}`"
            ),
            Failure::Tls(answer) => format!("`{image}`: cannot reach {host}: {answer}"),
            Failure::Other(answer) => format!("`{image}`: {host} answered: {answer}"),
        };
        LookupError(message)
    }
}

/// A failed request, by what to do about it.
#[derive(Debug)]
enum Failure {
    Unauthorized(String),
    NotFound(String),
    /// May pass: retry.
    Transient(String),
    /// HTTPS did not work out with this host.
    Tls(String),
    Other(String),
}

fn classify(error: &OciDistributionError) -> Failure {
    use OciDistributionError as E;
    match error {
        E::UnauthorizedError { .. } => Failure::Unauthorized("401 Unauthorized".into()),
        E::AuthenticationFailure(reason) => Failure::Unauthorized(one_line(reason)),
        E::ServerError { code: 401, .. } => Failure::Unauthorized("401 Unauthorized".into()),
        E::ServerError {
            code: 403, message, ..
        } => Failure::Unauthorized(format!("403 Forbidden: {}", one_line(message))),
        E::ServerError { code: 404, .. } | E::ImageManifestNotFoundError(_) => {
            Failure::NotFound("404 Not Found".into())
        }
        E::ServerError { code, message, .. } if *code == 429 || *code >= 500 => {
            Failure::Transient(format!("HTTP {code}: {}", one_line(message)))
        }
        E::RegistryError { envelope, .. } => {
            use oci_client::errors::OciErrorCode as C;
            let answer = envelope
                .errors
                .iter()
                .map(|e| {
                    let code = serde_json::to_value(&e.code)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| format!("{:?}", e.code));
                    format!("{code}: {}", one_line(&e.message))
                })
                .collect::<Vec<_>>()
                .join("; ");
            match envelope.errors.first().map(|e| &e.code) {
                Some(C::Unauthorized | C::Denied) => Failure::Unauthorized(answer),
                Some(C::ManifestUnknown | C::NameUnknown | C::NotFound) => {
                    Failure::NotFound(answer)
                }
                Some(C::Toomanyrequests) => Failure::Transient(answer),
                _ => Failure::Other(answer),
            }
        }
        // A TLS handshake that fails the same way every time (most often a
        // plain-HTTP registry) is not worth retrying.
        E::RequestError(error) => {
            let chain = error_chain(error);
            match looks_like_plain_http(&chain) {
                true => Failure::Tls(chain),
                false => Failure::Transient(chain),
            }
        }
        E::IoError(error) => Failure::Transient(error.to_string()),
        other => Failure::Other(one_line(&other.to_string())),
    }
}

/// An error and its causes on one line: reqwest's own message alone says
/// only "error sending request".
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn looks_like_plain_http(answer: &str) -> bool {
    let answer = answer.to_lowercase();
    [
        "tls",
        "ssl",
        "certificate",
        "corrupt",
        "invalidcontenttype",
        "handshake",
    ]
    .iter()
    .any(|word| answer.contains(word))
}

fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.len() > 200 {
        let mut end = 200;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &line[..end])
    } else {
        line
    }
}

/// The digest is that of the exact bytes the registry served, computed
/// here: it is what `docker pull name@digest` asks for.
fn resolved(image: &str, body: &[u8]) -> Result<Resolved, LookupError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Manifest {
        media_type: Option<String>,
        manifests: Option<Vec<Entry>>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        platform: Option<Platform>,
    }
    #[derive(serde::Deserialize)]
    struct Platform {
        os: String,
        architecture: String,
        variant: Option<String>,
    }
    let digest = format!("sha256:{}", hex(&Sha256::digest(body)));
    let manifest: Manifest = serde_json::from_slice(body).map_err(|error| {
        LookupError(format!(
            "`{image}`: the registry's manifest is not JSON: {error}"
        ))
    })?;
    let is_index = manifest.manifests.is_some();
    let media_type = manifest.media_type.unwrap_or_else(|| {
        if is_index {
            OCI_IMAGE_INDEX_MEDIA_TYPE.to_string()
        } else {
            OCI_IMAGE_MEDIA_TYPE.to_string()
        }
    });
    let mut platforms: Vec<String> = manifest
        .manifests
        .unwrap_or_default()
        .into_iter()
        .filter_map(|entry| entry.platform)
        // buildx attaches attestations as `unknown/unknown` entries.
        .filter(|p| p.os != "unknown" && p.architecture != "unknown")
        .map(|p| match p.variant {
            Some(variant) if !variant.is_empty() => {
                format!("{}/{}/{variant}", p.os, p.architecture)
            }
            _ => format!("{}/{}", p.os, p.architecture),
        })
        .collect();
    platforms.sort();
    platforms.dedup();
    Ok(Resolved {
        digest,
        media_type,
        platforms,
    })
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_entries_with_and_without_ports() {
        let list = vec!["127.0.0.1:5000".to_string(), "registry.lan".to_string()];
        assert!(is_insecure("127.0.0.1:5000", &list));
        assert!(!is_insecure("127.0.0.1:5001", &list));
        assert!(is_insecure("registry.lan", &list));
        assert!(is_insecure("registry.lan:8443", &list));
        assert!(!is_insecure("ghcr.io", &list));
    }

    #[test]
    fn docker_hub_credentials_live_under_the_v1_url() {
        let hub: Reference = "golang:1.25".parse().unwrap();
        assert_eq!(login_host(&hub), "docker.io");
        assert_eq!(
            credential_server("docker.io"),
            "https://index.docker.io/v1/"
        );
        let ghcr: Reference = "ghcr.io/astral-sh/uv:0.8".parse().unwrap();
        assert_eq!(credential_server(&login_host(&ghcr)), "ghcr.io");
    }

    #[test]
    fn index_digest_is_of_the_bytes_and_lists_platforms() {
        let body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"digest":"sha256:a","platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
            {"digest":"sha256:b","platform":{"os":"linux","architecture":"amd64"}},
            {"digest":"sha256:c","platform":{"os":"unknown","architecture":"unknown"}}]}"#;
        let resolved = resolved("x:1", body).unwrap();
        assert_eq!(
            resolved.digest,
            format!("sha256:{}", hex(&Sha256::digest(body)))
        );
        assert_eq!(resolved.media_type, OCI_IMAGE_INDEX_MEDIA_TYPE);
        assert_eq!(resolved.platforms, ["linux/amd64", "linux/arm64/v8"]);
    }
}
