//! The transport policy, in one place: which URLs the registry client may
//! ask, what may travel with a request, and how much of an answer it reads.
//! Every request — the `/v2/` probe, the token realm, the manifest, and
//! every redirect of each — goes through [`Transport`].
//!
//! * HTTPS everywhere; plain HTTP only to a host (`HOST[:PORT]`) the user
//!   named with `--insecure-registry` or `SHIPIT_INSECURE_REGISTRIES`. A
//!   registry cannot talk shipit down to plain HTTP with a challenge or a
//!   redirect.
//! * Basic credentials go only to the registry's own host, never to a
//!   token service elsewhere (Docker Hub's `auth.docker.io` excepted).
//! * A bearer token goes only to the registry's own host; a redirect to
//!   another host, or from HTTPS to HTTP, drops it (reqwest removes the
//!   `Authorization` header when scheme, host or port change).
//! * Bodies are read up to a cap, never to their end.

use std::time::Duration;

use reqwest::Url;

/// An answer that takes longer than this is a failed attempt.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Redirects followed for one request (Docker follows 10).
const MAX_REDIRECTS: usize = 10;

/// A manifest or an index: the distribution spec has registries accept
/// manifests up to 4 MiB, and containerd reads no more.
pub(crate) const MANIFEST_CAP: usize = 4 * 1024 * 1024;
/// A token service's answer: a JSON object with a token of a few KiB.
pub(crate) const TOKEN_CAP: usize = 1024 * 1024;
/// An error body, only ever shown (cut to one line): the rest is not read.
pub(crate) const ERROR_CAP: usize = 64 * 1024;

/// Whether `host` (`HOST[:PORT]`) is one the user named insecure: an entry
/// with a port names that port only, one without names every port.
pub(crate) fn is_insecure(host: &str, insecure: &[String]) -> bool {
    let bare = host.rsplit_once(':').map_or(host, |(name, _)| name);
    insecure
        .iter()
        .any(|entry| entry == host || (!entry.contains(':') && entry == bare))
}

/// `HOST[:PORT]` of a URL, as users name hosts: the port only when it is
/// not the scheme's default.
pub(crate) fn authority(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// A request the policy does not make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub url: String,
    pub host: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}`: plain HTTP to {}, which `--insecure-registry` does not name; shipit sends credentials and reads digests over HTTPS only",
            crate::text::shown_value(&self.url),
            crate::text::shown_value(&self.host)
        )
    }
}

impl std::error::Error for Refused {}

/// The policy, and the HTTP client that follows it.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    insecure: Vec<String>,
}

impl Transport {
    pub(crate) fn new(insecure: Vec<String>) -> Transport {
        Transport { insecure }
    }

    /// `https://HOST/PATH`, or `http://` for a host the user named
    /// insecure.
    pub(crate) fn registry_url(&self, host: &str, path: &str) -> Result<Url, String> {
        let scheme = if is_insecure(host, &self.insecure) {
            "http"
        } else {
            "https"
        };
        Url::parse(&format!("{scheme}://{host}{path}"))
            .map_err(|error| format!("`{scheme}://{host}{path}` is not a URL: {error}"))
    }

    /// Whether `host` is reached over plain HTTP.
    pub(crate) fn is_named_insecure(&self, host: &str) -> bool {
        is_insecure(host, &self.insecure)
    }

    /// Whether a request may go to `url` at all: HTTPS to any host, plain
    /// HTTP only to a host the user named insecure, nothing else.
    pub(crate) fn check(&self, url: &Url) -> Result<(), Refused> {
        let host = authority(url);
        let allowed = match url.scheme() {
            "https" => url.host_str().is_some(),
            "http" => url.host_str().is_some() && is_insecure(&host, &self.insecure),
            _ => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(Refused {
                url: url.to_string(),
                host,
            })
        }
    }

    /// Whether the Basic credentials for `registry` (`HOST[:PORT]` as the
    /// registry is addressed) may go to `url`: only to the registry's own
    /// host name (a token service on another port of it, as `docker_auth`
    /// usually is, included), over a transport [`Transport::check`] allows.
    /// Docker and containerd send them to whatever token realm the registry
    /// names; shipit does not, so a registry (or whoever answers for it)
    /// cannot have them collected elsewhere. Docker Hub is the one registry
    /// whose token service lives on another host by design, and the
    /// credentials for it are Docker Hub's own.
    pub(crate) fn may_carry_credentials(&self, registry: &str, url: &Url) -> bool {
        if self.check(url).is_err() {
            return false;
        }
        let Ok(own) = self.registry_url(registry, "/") else {
            return false;
        };
        let (own, target) = (own.host_str(), url.host_str());
        let docker_hub = matches!(own, Some("registry-1.docker.io" | "index.docker.io"))
            && url.scheme() == "https"
            && target == Some("auth.docker.io");
        (own.is_some() && target == own) || docker_hub
    }

    /// Whether a token request may go to `realm`, the token service
    /// `registry` names: as [`Transport::check`] says, except that a
    /// registry the user reaches over plain HTTP may name a plain-HTTP
    /// realm for a request without credentials — its tokens then travel as
    /// plainly as everything else it serves, no lower. An HTTPS registry
    /// cannot send shipit to a plain-HTTP realm.
    pub(crate) fn check_realm(
        &self,
        registry: &str,
        realm: &Url,
        with_credentials: bool,
    ) -> Result<(), Refused> {
        self.check(realm).or_else(|refused| {
            let plain_registry = self.is_named_insecure(registry);
            if realm.scheme() == "http" && plain_registry && !with_credentials {
                Ok(())
            } else {
                Err(refused)
            }
        })
    }

    /// The HTTP client for a whole `lock` run: redirects followed only
    /// where [`Transport::check`] allows, a deadline on every request
    /// (body included).
    pub(crate) fn client(&self) -> Result<reqwest::Client, String> {
        let policy = self.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                let error = format!("more than {MAX_REDIRECTS} redirects");
                return attempt.error(error);
            }
            match policy.check(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(refused) => attempt.error(refused),
            }
        });
        reqwest::Client::builder()
            .redirect(redirects)
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(REQUEST_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("shipit/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| format!("cannot start the registry client: {error}"))
    }
}

/// Why a body was not read whole.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// Larger than the cap (said by `Content-Length`, or found reading).
    TooLarge,
    Network(reqwest::Error),
}

/// The whole body of `response`, refused past `cap` bytes: a
/// `Content-Length` above it is refused before reading, and a body without
/// one is read chunk by chunk and dropped at the cap.
pub(crate) async fn body(
    response: &mut reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > cap as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Network)? {
        if bytes.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// At most `cap` bytes of a body that is only shown (an error's): the rest
/// is left unread, and a failure to read is no more than an end.
pub(crate) async fn prefix(response: &mut reqwest::Response, cap: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    while bytes.len() < cap {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = cap - bytes.len();
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            _ => break,
        }
    }
    bytes
}

/// The size of a cap, as messages say it.
pub(crate) fn mib(cap: usize) -> String {
    if cap >= 1024 * 1024 {
        format!("{} MiB", cap / (1024 * 1024))
    } else {
        format!("{} KiB", cap / 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

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
    fn plain_http_only_to_hosts_named_insecure() {
        let transport = Transport::new(vec!["127.0.0.1:5000".into(), "registry.lan".into()]);
        assert!(transport.check(&url("https://ghcr.io/v2/")).is_ok());
        assert!(transport.check(&url("https://evil.example/token")).is_ok());
        assert!(transport.check(&url("http://127.0.0.1:5000/v2/")).is_ok());
        assert!(transport.check(&url("http://registry.lan:8080/x")).is_ok());
        // Another port of a host named with one, another host, another scheme.
        let refused = transport
            .check(&url("http://127.0.0.1:5001/v2/"))
            .unwrap_err();
        assert_eq!(refused.host, "127.0.0.1:5001");
        assert!(refused.to_string().contains("--insecure-registry"));
        assert!(transport.check(&url("http://ghcr.io/token")).is_err());
        assert!(transport.check(&url("ftp://ghcr.io/token")).is_err());
        assert!(transport.check(&url("file:///etc/passwd")).is_err());

        assert_eq!(
            transport.registry_url("ghcr.io", "/v2/").unwrap().as_str(),
            "https://ghcr.io/v2/"
        );
        assert_eq!(
            transport
                .registry_url("127.0.0.1:5000", "/v2/")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:5000/v2/"
        );
    }

    #[test]
    fn a_realm_is_never_plainer_than_its_registry() {
        let transport = Transport::new(vec!["127.0.0.1:5000".into()]);
        let realm = |registry: &str, to: &str, credentials: bool| {
            transport
                .check_realm(registry, &url(to), credentials)
                .is_ok()
        };
        assert!(realm("ghcr.io", "https://ghcr.io/token", true));
        assert!(!realm("ghcr.io", "http://ghcr.io/token", false));
        assert!(!realm("ghcr.io", "http://127.0.0.1:5001/token", false));
        // A plain-HTTP registry's plain-HTTP realm: anonymous only.
        assert!(realm(
            "127.0.0.1:5000",
            "http://127.0.0.1:5001/token",
            false
        ));
        assert!(!realm(
            "127.0.0.1:5000",
            "http://127.0.0.1:5001/token",
            true
        ));
        assert!(realm("127.0.0.1:5000", "http://127.0.0.1:5000/token", true));
        assert!(!realm(
            "127.0.0.1:5000",
            "ftp://127.0.0.1:5001/token",
            false
        ));
    }

    #[test]
    fn credentials_go_to_the_registry_host_only() {
        let transport = Transport::new(vec!["127.0.0.1:5000".into()]);
        let may = |registry: &str, to: &str| transport.may_carry_credentials(registry, &url(to));
        assert!(may("ghcr.io", "https://ghcr.io/token?scope=x"));
        assert!(may("ghcr.io", "https://ghcr.io:443/token"));
        assert!(may("registry.lan:5000", "https://registry.lan:5001/auth"));
        assert!(!may("ghcr.io", "https://auth.ghcr.io/token"));
        assert!(!may("ghcr.io", "http://ghcr.io/token"));
        assert!(!may("registry.gitlab.com", "https://gitlab.com/jwt/auth"));
        assert!(may("registry-1.docker.io", "https://auth.docker.io/token"));
        assert!(!may("registry-1.docker.io", "http://auth.docker.io/token"));
        assert!(!may("ghcr.io", "https://auth.docker.io/token"));
        assert!(may("127.0.0.1:5000", "http://127.0.0.1:5000/token"));
        // Its own host name, but plain HTTP to a port not named insecure.
        assert!(!may("127.0.0.1:5000", "http://127.0.0.1:5001/token"));
        assert!(!may("127.0.0.1:5000", "http://localhost:5000/token"));
    }
}
