//! What a manifest or an index says, checked before any of it reaches the
//! lock: its media type is one of the four kinds a lock accepts, and its
//! platforms are `os/arch[/variant]` of `[a-z0-9._-]`, a bounded number.
//! The digest is of the bytes exactly as served.

use oci_client::manifest::{
    IMAGE_MANIFEST_LIST_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
};
use sha2::{Digest as _, Sha256};

use super::lookup::{Resolved, said};

/// The manifests a lock accepts, the index kinds first: asked for a
/// multi-platform tag, the registry answers with the index itself rather
/// than one platform's manifest.
pub(crate) const ACCEPT: &[&str] = &[
    OCI_IMAGE_INDEX_MEDIA_TYPE,
    IMAGE_MANIFEST_LIST_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
    IMAGE_MANIFEST_MEDIA_TYPE,
];

const INDEX_KINDS: &[&str] = &[OCI_IMAGE_INDEX_MEDIA_TYPE, IMAGE_MANIFEST_LIST_MEDIA_TYPE];

/// More platforms than any real image offers (the official images offer
/// about ten), few enough to read in a lock.
pub(crate) const MAX_PLATFORMS: usize = 64;
/// The longest `os`, `architecture` or `variant` (the real ones are a few
/// characters: `linux`, `ppc64le`, `v8`).
const MAX_PART: usize = 32;

/// `text` with every character [`crate::text::refused`] names spelled
/// out, the line break included (for a value that must be one word), and
/// cut at 100 characters.
fn spelled(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(100)
        .map(|c| match crate::text::refused(c) {
            Some(_) => format!("<{}>", crate::text::code_point(c)),
            None => c.to_string(),
        })
        .collect();
    if text.chars().nth(100).is_some() {
        out.push('…');
    }
    out
}

/// The digest, media type and platforms of a manifest body, or why it is
/// refused (said with the registry as its subject: "answered …"). `content_type` is the answer's `Content-Type`, used when the
/// body does not name its media type; `header_digest` its
/// `Docker-Content-Digest`, which must match the bytes when it is SHA-256.
pub(crate) fn resolved(
    body: &[u8],
    content_type: Option<&str>,
    header_digest: Option<&str>,
) -> Result<Resolved, String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Manifest {
        schema_version: Option<u64>,
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
    let digest = format!("sha256:{}", super::lookup::hex(&Sha256::digest(body)));
    if let Some(claimed) = header_digest.and_then(|d| d.strip_prefix("sha256:"))
        && format!("sha256:{claimed}") != digest
    {
        return Err(format!(
            "says the manifest's digest is `sha256:{}`, but the bytes it served hash to `{digest}`",
            said(claimed)
        ));
    }
    let manifest: Manifest = serde_json::from_slice(body).map_err(|error| {
        format!(
            "answered a manifest that is not JSON: {}",
            said(&error.to_string())
        )
    })?;
    // Both OCI and Docker v2 manifests say 2; Docker's schema 1 says 1.
    if manifest.schema_version != Some(2) {
        return Err(format!(
            "answered a manifest with `schemaVersion` {}, not 2: shipit locks OCI and Docker v2 manifests only",
            manifest
                .schema_version
                .map_or("missing".to_string(), |v| v.to_string())
        ));
    }
    let is_index = manifest.manifests.is_some();
    // A body that does not name its media type: the answer's Content-Type
    // when it is one of the four, else what the body's shape says.
    let media_type = manifest
        .media_type
        .or_else(|| {
            content_type
                .map(|t| t.split(';').next().unwrap_or_default().trim().to_string())
                .filter(|t| ACCEPT.contains(&t.as_str()))
        })
        .unwrap_or_else(|| {
            if is_index {
                OCI_IMAGE_INDEX_MEDIA_TYPE.to_string()
            } else {
                OCI_IMAGE_MEDIA_TYPE.to_string()
            }
        });
    if !ACCEPT.contains(&media_type.as_str()) {
        return Err(format!(
            "answered a manifest of media type `{}`, which shipit does not lock; it locks an OCI index, a Docker manifest list, an OCI image manifest or a Docker v2 image manifest",
            spelled(&media_type)
        ));
    }
    if INDEX_KINDS.contains(&media_type.as_str()) != is_index {
        let has = if is_index { "has" } else { "has no" };
        return Err(format!(
            "answered a manifest that says it is `{media_type}` but {has} `manifests` list"
        ));
    }
    let mut platforms = Vec::new();
    for platform in manifest
        .manifests
        .unwrap_or_default()
        .into_iter()
        .filter_map(|entry| entry.platform)
    {
        let variant = platform.variant.filter(|v| !v.is_empty());
        let parts = [
            Some(&platform.os),
            Some(&platform.architecture),
            variant.as_ref(),
        ];
        for part in parts.into_iter().flatten() {
            check_part(part)?;
        }
        // buildx attaches attestations as `unknown/unknown` entries.
        if platform.os == "unknown" && platform.architecture == "unknown" {
            continue;
        }
        platforms.push(match variant {
            Some(variant) => format!("{}/{}/{variant}", platform.os, platform.architecture),
            None => format!("{}/{}", platform.os, platform.architecture),
        });
    }
    platforms.sort();
    platforms.dedup();
    if platforms.len() > MAX_PLATFORMS {
        return Err(format!(
            "answered an index of {} platforms, more than the {MAX_PLATFORMS} platforms shipit records",
            platforms.len()
        ));
    }
    Ok(Resolved {
        digest,
        media_type,
        platforms,
    })
}

/// One part of a platform, as the lock may hold it.
fn check_part(part: &str) -> Result<(), String> {
    let fine = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
    if part.is_empty() || part.len() > MAX_PART || !part.chars().all(fine) {
        return Err(format!(
            "answered an index with the platform part `{}`; shipit records platforms as `os/arch[/variant]`, each part 1 to {MAX_PART} of `a-z`, `0-9`, `.`, `_`, `-`",
            spelled(part)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_digest_is_of_the_bytes_and_lists_platforms() {
        let body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"digest":"sha256:a","platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
            {"digest":"sha256:b","platform":{"os":"linux","architecture":"amd64"}},
            {"digest":"sha256:c","platform":{"os":"unknown","architecture":"unknown"}}]}"#;
        let resolved = resolved(body, None, None).unwrap();
        assert_eq!(
            resolved.digest,
            format!(
                "sha256:{}",
                super::super::lookup::hex(&Sha256::digest(body))
            )
        );
        assert_eq!(resolved.media_type, OCI_IMAGE_INDEX_MEDIA_TYPE);
        assert_eq!(resolved.platforms, ["linux/amd64", "linux/arm64/v8"]);
        let header = resolved.digest.clone();
        assert!(super::resolved(body, None, Some(&header)).is_ok());
        let wrong = format!("sha256:{}", "0".repeat(64));
        let error = super::resolved(body, None, Some(&wrong)).unwrap_err();
        assert!(error.contains("hash to"), "{error}");
    }

    #[test]
    fn media_types_are_the_four_kinds_and_agree_with_the_body() {
        let manifest = br#"{"schemaVersion":2,"layers":[]}"#;
        let error =
            super::resolved(br#"{"schemaVersion":1,"fsLayers":[]}"#, None, None).unwrap_err();
        assert!(error.contains("`schemaVersion` 1,"), "{error}");
        // No media type in the body: the Content-Type, else a guess.
        let docker = super::resolved(manifest, Some(IMAGE_MANIFEST_MEDIA_TYPE), None).unwrap();
        assert_eq!(docker.media_type, IMAGE_MANIFEST_MEDIA_TYPE);
        let guessed = super::resolved(manifest, Some("text/plain"), None).unwrap();
        assert_eq!(guessed.media_type, OCI_IMAGE_MEDIA_TYPE);
        for (body, expected) in [
            (
                r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws"}"#,
                "does not lock",
            ),
            (
                "{\"schemaVersion\":2,\"mediaType\":\"a\\u001b[2Jb\"}",
                "<U+001B>",
            ),
            (
                r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","layers":[]}"#,
                "has no `manifests`",
            ),
            (
                r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]}"#,
                "has `manifests`",
            ),
        ] {
            let error = super::resolved(body.as_bytes(), None, None).unwrap_err();
            assert!(error.contains(expected), "{body}: {error}");
            assert!(!error.contains('\u{1b}'), "{error:?}");
        }
    }

    #[test]
    fn platforms_are_plain_and_bounded() {
        let index = |platforms: &[String]| {
            let entries: Vec<String> = platforms
                .iter()
                .map(|p| format!(r#"{{"digest":"sha256:a","platform":{p}}}"#))
                .collect();
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{OCI_IMAGE_INDEX_MEDIA_TYPE}","manifests":[{}]}}"#,
                entries.join(",")
            )
        };
        for (platform, expected) in [
            (r#"{"os":"linux\n","architecture":"amd64"}"#, "<U+000A>"),
            (r#"{"os":"linux","architecture":"amd\u0000"}"#, "<U+0000>"),
            (
                r#"{"os":"linux","architecture":"arm","variant":"v7\u202e"}"#,
                "<U+202E>",
            ),
            (r#"{"os":"Linux","architecture":"amd64"}"#, "`Linux`"),
            (r#"{"os":"linux","architecture":""}"#, "``"),
            (
                r#"{"os":"linux/amd64","architecture":"x"}"#,
                "`linux/amd64`",
            ),
        ] {
            let error =
                resolved(index(&[platform.to_string()]).as_bytes(), None, None).unwrap_err();
            assert!(error.contains(expected), "{platform}: {error}");
        }
        let many: Vec<String> = (0..=MAX_PLATFORMS)
            .map(|n| format!(r#"{{"os":"linux","architecture":"a{n}"}}"#))
            .collect();
        let error = resolved(index(&many).as_bytes(), None, None).unwrap_err();
        assert!(error.contains("64 platforms"), "{error}");
        // Duplicates count once.
        let same = vec![r#"{"os":"linux","architecture":"amd64"}"#.to_string(); 100];
        assert_eq!(
            resolved(index(&same).as_bytes(), None, None)
                .unwrap()
                .platforms,
            ["linux/amd64"]
        );
    }
}
