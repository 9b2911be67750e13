//! Arbitrary bytes through the whole path: parse → resolve → render.
//! Nothing may panic, and whatever renders must be a well-formed
//! two-stage Dockerfile with no stray control characters.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shipit::diagnostic::Source;
use shipit::templates::Templates;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source {
        name: "shipit.toml".into(),
        text: text.to_string(),
    };
    let Ok((manifest, spans)) = shipit::manifest::parse(&source) else {
        return;
    };
    // A context directory with no files: detection finds nothing.
    let Ok(plan) = shipit::plan::resolve(&manifest, &spans, Path::new("/nonexistent")) else {
        return;
    };
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(Templates::default);
    let rendered = shipit::render::render(&plan, "shipit.toml", templates)
        .expect("a resolved plan always renders with the built-in templates");
    let text = rendered.text;
    assert!(text.ends_with('\n'));
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
    let stages = text.lines().filter(|l| l.starts_with("FROM ")).count();
    assert_eq!(stages, 2, "{text}");
    assert_eq!(shipit::render::digest_matches(&text), Some(true));
});
