//! Rust toolchain files (`rust-toolchain.toml`, `rust-toolchain`) and
//! version strings.

/// The toolchain files at `root` that exist, each with its text, or
/// `None` when it cannot be read (a FIFO, a link out, not UTF-8).
pub(super) fn toolchain_files(root: &std::path::Path) -> Vec<(std::path::PathBuf, Option<String>)> {
    ["rust-toolchain.toml", "rust-toolchain"]
        .into_iter()
        .map(|file| root.join(file))
        .filter(|path| path.exists())
        .map(|path| {
            let text = crate::languages::support::read(&path);
            (path, text)
        })
        .collect()
}

/// The first toolchain file's channel that is a version.
pub(super) fn pinned_channel(
    files: &[(std::path::PathBuf, Option<String>)],
) -> Option<(String, String)> {
    for (path, text) in files {
        let Some(text) = text else {
            continue;
        };
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        let channel = match toml::from_str::<toml::Table>(text) {
            Ok(table) => table
                .get("toolchain")
                .and_then(|t| t.get("channel"))
                .and_then(toml::Value::as_str)
                .map(str::to_string),
            // The legacy file holds the channel alone.
            Err(_) => Some(text.trim().to_string()),
        };
        if let Some(channel) = channel.filter(|c| is_version(c)) {
            return Some((channel.clone(), format!("{file}: channel {channel}")));
        }
    }
    None
}

/// `(major, minor)` of `1.85` or `1.85.0`; `None` for anything else.
pub(super) fn minor_version(value: &str) -> Option<(u32, u32)> {
    if !is_version(value) {
        return None;
    }
    let mut parts = value.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// `1.85` or `1.85.0`: a toolchain the official images are tagged with.
pub(super) fn is_version(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}
