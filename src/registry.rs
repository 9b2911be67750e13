//! The registry client: turns an image reference into the digest of what
//! its tag points at — for a multi-platform image, the index (manifest
//! list), so a build for any platform still resolves. Only `shipit lock`
//! calls this module: rendering and checking never touch the network.
//!
//! The three requests of a lookup — the `/v2/` challenge probe, the token
//! request to the realm the challenge names, and the manifest GET — are
//! made here with `reqwest`, because `oci-client` cannot be told where
//! credentials may go (it sends them to any realm, over any scheme), to
//! refuse redirects, or to stop reading a body: [`transport`] holds that
//! policy, and every request and every redirect consults it. From
//! `oci-client` come the reference grammar, the media types, the token and
//! error-envelope types; from `http-auth` the challenge parser; from
//! `docker_credential` the `auths` of Docker's `config.json`
//! ([`credentials`] runs credential helpers itself, bounded).
//!
//! Nothing a registry says reaches the terminal or the lock unchecked:
//! messages show its text through [`crate::text::shown`], and [`manifest`]
//! refuses media types and platforms a lock should not hold.

mod auth;
mod credentials;
mod failure;
mod lookup;
mod manifest;
mod transport;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use oci_client::Reference;
use oci_client::token_cache::RegistryToken;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};

use auth::{Challenge, bearer, challenge_of};
use credentials::{Credentials, login_host};
use failure::{Failure, answer_failure, network, refused};
use lookup::said;
pub(crate) use lookup::{LookupError, Resolved};
use transport::{MANIFEST_CAP, REQUEST_TIMEOUT, TOKEN_CAP, Transport, authority, mib};

/// How many times a request is tried when the registry or the network
/// fails in a way that may pass (connection errors, 429, 5xx).
const ATTEMPTS: u32 = 4;
/// The first pause between attempts; it doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Lookups in flight at once (`lock --all` over many manifests).
pub(crate) const CONCURRENCY: usize = 8;

/// Where a registry is reached, and with what.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Hosts (`HOST` or `HOST:PORT`) spoken to over plain HTTP: the user's
    /// `--insecure-registry` flags and `$SHIPIT_INSECURE_REGISTRIES`.
    pub insecure: Vec<String>,
}

/// One client for a whole `lock` run: credentials and challenges are
/// looked up once per registry.
#[derive(Clone)]
pub(crate) struct Registry {
    client: reqwest::Client,
    transport: Arc<Transport>,
    /// Credentials per login host.
    auth: Arc<tokio::sync::Mutex<BTreeMap<String, Credentials>>>,
    /// What each registry's `/v2/` answered, once it answered 200 or 401.
    challenges: Arc<tokio::sync::Mutex<BTreeMap<String, Challenge>>>,
}

impl Registry {
    /// `_hosts` (the registries the run will ask) is not needed: the
    /// transport policy decides per request.
    pub(crate) fn new(options: Options) -> Result<Registry, LookupError> {
        // reqwest's rustls needs a process-wide crypto provider; `ring`
        // builds with a C compiler only, no cmake. A second install (a
        // second `lock` in the same process) is refused, harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let transport = Transport::new(options.insecure);
        let client = transport.client().map_err(LookupError)?;
        Ok(Registry {
            client,
            transport: Arc::new(transport),
            auth: Arc::default(),
            challenges: Arc::default(),
        })
    }

    async fn auth_for(&self, host: &str) -> Result<Credentials, LookupError> {
        let mut known = self.auth.lock().await;
        if let Some(auth) = known.get(host) {
            return Ok(auth.clone());
        }
        let host_owned = host.to_string();
        // A credential helper is a process: keep it off the runtime.
        let auth = tokio::task::spawn_blocking(move || credentials::credentials(&host_owned))
            .await
            .map_err(|error| {
                LookupError(format!(
                    "the credential lookup for {host} failed on a bug in shipit: {}",
                    said(&error.to_string())
                ))
            })??;
        known.insert(host.to_string(), auth.clone());
        Ok(auth)
    }

    /// Resolves one reference (`name:tag`, any registry) to its digest,
    /// retrying what may pass. A panic in the lookup — a bug, whatever a
    /// registry sent — is reported as one, for this image only.
    pub(crate) async fn resolve(&self, image: &str) -> Result<Resolved, LookupError> {
        let this = self.clone();
        let owned = image.to_string();
        match tokio::spawn(async move { this.lookup(&owned).await }).await {
            Ok(answer) => answer,
            Err(error) => {
                let why = match error.try_into_panic() {
                    Ok(payload) => payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a panic".to_string()),
                    Err(error) => error.to_string(),
                };
                Err(LookupError(format!(
                    "`{image}`: the lookup failed on a bug in shipit ({}); please report it",
                    said(&why)
                )))
            }
        }
    }

    async fn lookup(&self, image: &str) -> Result<Resolved, LookupError> {
        let reference: Reference = image.parse().map_err(|error| {
            LookupError(format!(
                "`{image}` is not an image reference: {}",
                said(&format!("{error}"))
            ))
        })?;
        let host = login_host(&reference);
        let auth = self.auth_for(&host).await?;
        let mut delay = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            let mut withheld = None;
            let answer = tokio::time::timeout(
                REQUEST_TIMEOUT,
                self.attempt(&reference, &auth, &mut withheld),
            )
            .await;
            let failure = match answer {
                Ok(Ok(resolved)) => return Ok(resolved),
                Ok(Err(failure)) => failure,
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
                    let context = Context {
                        image,
                        host: &host,
                        anonymous: auth == Credentials::Anonymous,
                        withheld: withheld.as_deref(),
                        attempts: attempt,
                    };
                    return Err(self.explain(&context, failure));
                }
            }
        }
    }

    /// One try: the challenge (asked once per registry), a token when it
    /// is a bearer challenge, the manifest.
    async fn attempt(
        &self,
        reference: &Reference,
        auth: &Credentials,
        withheld: &mut Option<String>,
    ) -> Result<Resolved, Failure> {
        let registry = reference.resolve_registry();
        let authorization = match self.challenge(registry).await? {
            Challenge::Open | Challenge::Unknown => None,
            Challenge::Basic => match auth {
                Credentials::Basic { .. } => Some(Authorization::Basic),
                Credentials::Anonymous => None,
            },
            Challenge::Bearer { realm, service } => {
                let token = self
                    .token(reference, &realm, service.as_deref(), auth, withheld)
                    .await?;
                Some(Authorization::Bearer(token))
            }
        };
        let target = reference.digest().or(reference.tag()).unwrap_or("latest");
        let path = format!("/v2/{}/manifests/{target}", reference.repository());
        let url = self
            .transport
            .registry_url(registry, &path)
            .map_err(Failure::Other)?;
        self.transport.check(&url).map_err(refused)?;
        let mut request = self
            .client
            .get(url)
            .header(ACCEPT, manifest::ACCEPT.join(", "));
        match (authorization, auth) {
            (Some(Authorization::Bearer(value)), _) => {
                request = request.header(AUTHORIZATION, value);
            }
            // The manifest URL is the registry's own: its credentials.
            (Some(Authorization::Basic), Credentials::Basic { user, password }) => {
                request = request.basic_auth(user, Some(password));
            }
            _ => {}
        }
        let mut response = request.send().await.map_err(|e| network(&e))?;
        let status = response.status();
        if status != StatusCode::OK {
            return Err(answer_failure(status, &mut response).await);
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE.as_str());
        let digest = header("docker-content-digest");
        let body =
            transport::body(&mut response, MANIFEST_CAP)
                .await
                .map_err(|error| match error {
                    transport::BodyError::TooLarge => Failure::Invalid(format!(
                        "answered a manifest larger than {}, which no image manifest or index is",
                        mib(MANIFEST_CAP)
                    )),
                    transport::BodyError::Network(error) => network(&error),
                })?;
        manifest::resolved(&body, content_type.as_deref(), digest.as_deref())
            .map_err(Failure::Invalid)
    }

    /// What `registry`'s `/v2/` asks for, asked once per run when it
    /// answers 200 or 401.
    async fn challenge(&self, registry: &str) -> Result<Challenge, Failure> {
        if let Some(known) = self.challenges.lock().await.get(registry) {
            return Ok(known.clone());
        }
        let url = self
            .transport
            .registry_url(registry, "/v2/")
            .map_err(Failure::Other)?;
        self.transport.check(&url).map_err(refused)?;
        let response = self.client.get(url).send().await.map_err(|e| network(&e))?;
        let challenge = match response.status() {
            StatusCode::OK => Challenge::Open,
            StatusCode::UNAUTHORIZED => challenge_of(response.headers()),
            _ => Challenge::Unknown,
        };
        // The body is not read: dropping the answer closes it.
        drop(response);
        if !matches!(challenge, Challenge::Unknown) {
            self.challenges
                .lock()
                .await
                .insert(registry.to_string(), challenge.clone());
        }
        Ok(challenge)
    }

    /// A pull token for `reference` from `realm`: the registry's Basic
    /// credentials go along only when the realm is the registry's own host
    /// ([`Transport::may_carry_credentials`]); otherwise the token is asked
    /// for anonymously and `withheld` names the realm's host.
    async fn token(
        &self,
        reference: &Reference,
        realm: &str,
        service: Option<&str>,
        auth: &Credentials,
        withheld: &mut Option<String>,
    ) -> Result<HeaderValue, Failure> {
        let registry = reference.resolve_registry();
        let mut url = reqwest::Url::parse(realm).map_err(|_| {
            Failure::Invalid(format!(
                "names a token service that is not a URL: `{}`",
                said(realm)
            ))
        })?;
        let with_credentials = matches!(auth, Credentials::Basic { .. })
            && self.transport.may_carry_credentials(registry, &url);
        self.transport
            .check_realm(registry, &url, with_credentials)
            .map_err(|r| Failure::Refused(format!("names the token service {r}")))?;
        let service_host = authority(&url);
        {
            let mut query = url.query_pairs_mut();
            query.append_pair(
                "scope",
                &format!("repository:{}:pull", reference.repository()),
            );
            if let Some(service) = service {
                query.append_pair("service", service);
            }
        }
        let mut request = self.client.get(url);
        if let Credentials::Basic { user, password } = auth {
            if with_credentials {
                request = request.basic_auth(user, Some(password));
            } else {
                *withheld = Some(service_host.clone());
            }
        }
        let mut response = request.send().await.map_err(|e| network(&e))?;
        let status = response.status();
        if status != StatusCode::OK {
            let failure = answer_failure(status, &mut response).await;
            return Err(match failure {
                Failure::Unauthorized(answer) | Failure::NotFound(answer) => Failure::Unauthorized(
                    format!("its token service {service_host} answered {answer}"),
                ),
                other => other,
            });
        }
        let body = transport::body(&mut response, TOKEN_CAP)
            .await
            .map_err(|error| match error {
                transport::BodyError::TooLarge => Failure::Invalid(format!(
                    "names the token service {service_host}, which answered more than {} (no token is that large)",
                    mib(TOKEN_CAP)
                )),
                transport::BodyError::Network(error) => network(&error),
            })?;
        let token: RegistryToken = serde_json::from_slice(&body).map_err(|_| {
            Failure::Invalid(format!(
                "names the token service {service_host}, which answered something other than JSON with a `token`"
            ))
        })?;
        bearer(token.token(), &service_host)
    }

    fn explain(&self, context: &Context<'_>, failure: Failure) -> LookupError {
        let Context {
            image,
            host,
            anonymous,
            withheld,
            attempts,
        } = *context;
        let message = match failure {
            Failure::Unauthorized(answer) if withheld.is_some() => format!(
                "`{image}`: {host} asks for its tokens at {}, and shipit sends the credentials for {host} only to {host}'s own host name (over HTTPS, or plain HTTP to a host named with `--insecure-registry`); the token it got without them does not open the image ({answer})",
                withheld.unwrap_or_default()
            ),
            Failure::Unauthorized(answer) if anonymous => format!(
                "`{image}`: no credentials for {host}: run `docker login {host}` ({answer})"
            ),
            Failure::Unauthorized(answer) => format!(
                "`{image}`: {host} refused the credentials from the Docker config ({answer}): run `docker login {host}`"
            ),
            Failure::NotFound(answer) => {
                format!("`{image}`: not found on {host} ({answer}); check the name and the tag")
            }
            Failure::Transient(answer) => {
                format!("`{image}`: cannot reach {host} after {attempts} attempts: {answer}")
            }
            Failure::Tls(answer) if !self.transport.is_named_insecure(host) => format!(
                "`{image}`: cannot speak HTTPS to {host}: {answer}; if {host} serves plain HTTP, pass `--insecure-registry {host}`"
            ),
            Failure::Tls(answer) => format!("`{image}`: cannot reach {host}: {answer}"),
            Failure::Refused(answer) | Failure::Invalid(answer) => {
                format!("`{image}`: {host} {answer}")
            }
            Failure::Other(answer) => format!("`{image}`: {host} answered: {answer}"),
        };
        LookupError(message)
    }
}

/// What [`Registry::explain`] needs to say a failure.
struct Context<'a> {
    image: &'a str,
    host: &'a str,
    anonymous: bool,
    /// The token service the credentials were kept from.
    withheld: Option<&'a str>,
    attempts: u32,
}

/// What a manifest request carries.
enum Authorization {
    /// The registry's own credentials.
    Basic,
    Bearer(HeaderValue),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn said_is_one_short_line_with_controls_spelled_out() {
        assert_eq!(said("a\n  b\tc"), "a b c");
        assert_eq!(said("\u{1b}[2Jx"), "<U+001B>[2Jx");
        assert_eq!(said("x\u{202e}y"), "x<U+202E>y");
        assert!(said(&"é".repeat(300)).ends_with('…'));
    }
}
