//! The fuzz target's body and its invariants, shared by `fuzz/` and the
//! test that replays saved inputs, so both hold the same line.

use std::path::Path;
use std::sync::OnceLock;

use crate::diagnostic::Source;
use crate::templates::Templates;

/// Arbitrary bytes through parse → resolve → render. Anything may be
/// rejected; nothing may panic, and whatever renders must be a well-formed
/// two-stage Dockerfile with no stray control characters and a digest that
/// matches.
pub fn render_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source {
        name: "shipit.toml".into(),
        text: text.to_string(),
    };
    let Ok((manifest, spans)) = crate::manifest::parse(&source) else {
        return;
    };
    // A context directory with no files: detection finds nothing.
    let Ok(plan) = crate::plan::resolve(&manifest, &spans, Path::new("/nonexistent")) else {
        return;
    };
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(Templates::default);
    let text = crate::render::render(&plan, "shipit.toml", templates)
        .expect("a resolved plan renders with the built-in templates")
        .text;
    assert!(text.ends_with('\n'));
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    let stages = text.lines().filter(|l| l.starts_with("FROM ")).count();
    assert_eq!(stages, 2, "{text}");
    assert_eq!(crate::render::digest_matches(&text), Some(true));
}
