//! What one lookup gives: the digest and what it names, or an error said
//! the way a user can act on; and how registry text is shown in either.

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

/// `text` as a message may show it: one line, at most 200 bytes, and every
/// character a terminal could act on (ESC, a bidi override) spelled out.
pub(crate) fn said(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = if line.len() > 200 {
        let mut end = 200;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &line[..end])
    } else {
        line
    };
    crate::text::shown_value(&line).into_owned()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
