//! Authentication answers from outside: the challenge a registry's
//! `/v2/` sends (parsed by `http-auth`, as oci-client parses it) and the
//! token its token service sends, which must be able to stand in a header
//! before it is put in one.

use reqwest::header::{HeaderValue, WWW_AUTHENTICATE};

use super::failure::Failure;

/// What a registry's `/v2/` asked for.
#[derive(Debug, Clone)]
pub(crate) enum Challenge {
    /// 200: no credentials needed.
    Open,
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
    },
    /// Any other answer: the manifest request will say what is wrong.
    Unknown,
}

/// The challenge in a 401's `WWW-Authenticate` headers: Bearer before
/// Basic, anything else unknown.
pub(crate) fn challenge_of(headers: &reqwest::header::HeaderMap) -> Challenge {
    let mut found = Challenge::Unknown;
    for value in headers.get_all(WWW_AUTHENTICATE) {
        let Ok(text) = value.to_str() else { continue };
        for challenge in http_auth::ChallengeParser::new(text).flatten() {
            if challenge.scheme.eq_ignore_ascii_case("bearer") {
                let param = |name: &str| {
                    challenge
                        .params
                        .iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(name))
                        .map(|(_, value)| value.to_unescaped())
                };
                if let Some(realm) = param("realm") {
                    return Challenge::Bearer {
                        realm,
                        service: param("service"),
                    };
                }
            } else if challenge.scheme.eq_ignore_ascii_case("basic") {
                found = Challenge::Basic;
            }
        }
    }
    found
}

/// A `Bearer` header for a token from `service`, refused unless every
/// character of the token may stand in a header (visible ASCII, no space):
/// a newline in it would end the header and start another.
pub(crate) fn bearer(token: &str, service: &str) -> Result<HeaderValue, Failure> {
    if token.is_empty() {
        return Err(Failure::Invalid(format!(
            "names the token service {service}, which answered an empty token"
        )));
    }
    if let Some(c) = token.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(Failure::Invalid(format!(
            "names the token service {service}, which answered a token that cannot go in an HTTP header: it holds <{}>",
            crate::text::code_point(c)
        )));
    }
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
        Failure::Invalid(format!(
            "names the token service {service}, which answered a token that cannot go in an HTTP header"
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> reqwest::header::HeaderMap {
        let mut map = reqwest::header::HeaderMap::new();
        for value in values {
            map.append(WWW_AUTHENTICATE, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn challenges_prefer_bearer_and_keep_the_realm_as_written() {
        let found = challenge_of(&headers(&[
            "Basic realm=\"x\"",
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\"",
        ]));
        match found {
            Challenge::Bearer { realm, service } => {
                assert_eq!(realm, "https://auth.docker.io/token");
                assert_eq!(service.as_deref(), Some("registry.docker.io"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            challenge_of(&headers(&["Basic realm=\"registry\""])),
            Challenge::Basic
        ));
        assert!(matches!(challenge_of(&headers(&[])), Challenge::Unknown));
        assert!(matches!(
            challenge_of(&headers(&["Bearer service=\"no realm\""])),
            Challenge::Unknown
        ));
    }

    #[test]
    fn tokens_that_cannot_be_a_header_are_refused_not_panicked_on() {
        assert!(bearer("eyJhbGciOi.J9-_~+/=", "auth").is_ok());
        for (token, shown) in [
            ("a\nb", "<U+000A>"),
            ("a\r\nX-Evil: 1", "<U+000D>"),
            ("\u{1b}[31m", "<U+001B>"),
            ("a b", "<U+0020>"),
            ("é", "<U+00E9>"),
            ("a\0", "<U+0000>"),
        ] {
            let Err(Failure::Invalid(message)) = bearer(token, "auth") else {
                panic!("{token:?} accepted");
            };
            assert!(message.contains(shown), "{message}");
        }
        assert!(bearer("", "auth").is_err());
    }
}
