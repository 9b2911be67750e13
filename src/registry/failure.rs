//! Failed requests, sorted by what to do about them (retry, suggest
//! `--insecure-registry`, say what the registry said), with everything a
//! registry sent made fit to show.

use oci_client::errors::{OciEnvelope, OciErrorCode};
use reqwest::StatusCode;

use super::lookup::said;
use super::transport::{self, ERROR_CAP, REQUEST_TIMEOUT, Refused};

/// A failed request, by what to do about it. Every string in it is
/// already fit to show ([`said`]).
#[derive(Debug)]
pub(crate) enum Failure {
    Unauthorized(String),
    NotFound(String),
    /// May pass: retry.
    Transient(String),
    /// HTTPS did not work out with this host.
    Tls(String),
    /// The transport policy would not make a request.
    Refused(String),
    /// The registry answered something shipit will not take: too large, a
    /// token that cannot be sent, a manifest a lock cannot hold.
    Invalid(String),
    Other(String),
}

pub(crate) fn refused(refused: Refused) -> Failure {
    Failure::Refused(format!("would be asked at {refused}"))
}

/// A non-200 answer, by what to do about it: its body is read up to
/// [`ERROR_CAP`] and only shown.
pub(crate) async fn answer_failure(
    status: StatusCode,
    response: &mut reqwest::Response,
) -> Failure {
    let body = transport::prefix(response, ERROR_CAP).await;
    let code = status.as_u16();
    if status.is_client_error()
        && let Ok(envelope) = serde_json::from_slice::<OciEnvelope>(&body)
        && let Some(first) = envelope.errors.first()
    {
        let answer = envelope
            .errors
            .iter()
            .map(|e| {
                let code = serde_json::to_value(&e.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("{:?}", e.code));
                format!("{}: {}", said(&code), said(&e.message))
            })
            .collect::<Vec<_>>()
            .join("; ");
        use OciErrorCode as C;
        return match first.code {
            C::Unauthorized | C::Denied => Failure::Unauthorized(answer),
            C::ManifestUnknown | C::NameUnknown | C::NotFound => Failure::NotFound(answer),
            C::Toomanyrequests => Failure::Transient(answer),
            _ if code == 404 => Failure::NotFound(answer),
            _ => Failure::Other(answer),
        };
    }
    let text = said(&String::from_utf8_lossy(&body));
    let with_text = |head: String| {
        if text.is_empty() {
            head
        } else {
            format!("{head}: {text}")
        }
    };
    match code {
        401 => Failure::Unauthorized("401 Unauthorized".into()),
        403 => Failure::Unauthorized(with_text("403 Forbidden".into())),
        404 => Failure::NotFound("404 Not Found".into()),
        429 | 500.. => Failure::Transient(with_text(format!("HTTP {code}"))),
        _ => Failure::Other(with_text(format!("HTTP {code}"))),
    }
}

/// A request that got no answer, by what to do about it: refused by the
/// transport policy on a redirect, a TLS failure that will not pass, or
/// something worth retrying.
pub(crate) fn network(error: &reqwest::Error) -> Failure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<Refused>() {
            return Failure::Refused(format!("redirects the request to {refused}"));
        }
        source = cause.source();
    }
    if error.is_timeout() {
        return Failure::Transient(format!("no answer within {}s", REQUEST_TIMEOUT.as_secs()));
    }
    let chain = said(&error_chain(error));
    if error.is_redirect() {
        return Failure::Other(chain);
    }
    match looks_like_plain_http(&chain) {
        true => Failure::Tls(chain),
        false => Failure::Transient(chain),
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
