//! Rust toolchain files (`rust-toolchain.toml`, `rust-toolchain`) and
//! version strings.

/// The toolchain files at `root` that exist (as anything, a link too),
/// each with its text, or why it cannot be read: rustup reads them, so
/// they are read like every file shipit follows, through
/// [`crate::input::read_inside`] (never a link, never a FIFO).
pub(super) type Toolchain = Vec<(std::path::PathBuf, Result<String, crate::input::Refused>)>;

pub(super) fn toolchain_files(root: &std::path::Path) -> Toolchain {
    ["rust-toolchain.toml", "rust-toolchain"]
        .into_iter()
        .filter_map(|file| {
            let text = crate::input::read_inside(root, file).transpose()?;
            Some((root.join(file), text))
        })
        .collect()
}

/// The first toolchain file's channel that is a version.
pub(super) fn pinned_channel(files: &Toolchain) -> Option<(String, String)> {
    for (path, text) in files {
        let Ok(text) = text else {
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
