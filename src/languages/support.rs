//! What every language shares: the [`Support`] trait the table dispatches
//! to, the [`Draft`] `init` fills, and helpers for reading project files
//! and naming paths.

use std::path::Path;

use crate::manifest::Artifact;
use crate::plan::context::{Cx, LanguageDefaults};

/// What one language brings: its defaults for the plan, and what `init`
/// recognises and drafts.
pub(crate) trait Support: Sync {
    /// The language's defaults, merged with its manifest table, and that
    /// table resolved for the template.
    fn defaults(&self, cx: &mut Cx) -> LanguageDefaults;

    /// Whether `dir` looks like a project in this language.
    fn recognises(&self, dir: &Path) -> bool;

    /// What [`Support::recognises`] looks for, for messages.
    fn looked_for(&self) -> &'static str;

    /// How a user starts a project that `init` would recognise.
    fn starter(&self) -> &'static str;

    /// How to build a program that needs no C library (for `scratch`),
    /// as the manifest says it: `c.static = true`. `None`: no such way.
    fn without_libc(&self) -> Option<&'static str> {
        None
    }

    /// Whether `init --manager` chooses among package managers.
    fn chooses_manager(&self) -> bool {
        false
    }

    /// Whether `dir` declares a workspace of this language (`init` makes a
    /// project below it a member, built from there).
    fn workspace_root(&self, _dir: &Path) -> bool {
        false
    }

    /// A starter manifest for the project in `dir`, with the package
    /// `manager` the user chose, if any. `root` is the workspace root the
    /// project builds from (its lockfile and manager), else `dir`.
    fn detect(&self, dir: &Path, root: &Path, manager: Option<&str>) -> anyhow::Result<Draft>;
}

/// A manifest under construction: the keys `init` fills, in the order they
/// are written, plus what it saw.
#[derive(Debug, Default)]
pub struct Draft {
    pub name: Option<String>,
    pub build: Vec<(String, toml::Value)>,
    pub artifacts: Vec<(String, String)>,
    pub runtime: Vec<(String, toml::Value)>,
    pub table: Vec<(String, toml::Value)>,
    /// `[[build.assets]]`, each its keys.
    pub assets: Vec<Vec<(String, toml::Value)>>,
    /// What was detected, and from which file: printed for the user.
    pub reasons: Vec<String>,
}

impl Draft {
    pub fn build(&mut self, key: &str, value: impl Into<toml::Value>) {
        self.build.push((key.into(), value.into()));
    }
    pub fn runtime(&mut self, key: &str, value: impl Into<toml::Value>) {
        self.runtime.push((key.into(), value.into()));
    }
    pub fn table(&mut self, key: &str, value: impl Into<toml::Value>) {
        self.table.push((key.into(), value.into()));
    }
    pub fn reason(&mut self, reason: impl Into<String>) {
        self.reasons.push(reason.into());
    }
}

/// Files copied into one directory before an install: `COPY FILES... DIR`.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct CopyGroup {
    /// The destination, `./` or `sub/dir/`.
    pub(crate) dir: String,
    pub(crate) files: Vec<String>,
}

/// Context-relative files grouped by directory, in first-seen order: one
/// `COPY` each, so every file lands where it is in the context.
pub(crate) fn copy_groups(files: &[String]) -> Vec<CopyGroup> {
    let mut groups: Vec<CopyGroup> = Vec::new();
    // Each directory's group: a workspace of N members has N directories.
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    for file in files {
        let dir = file
            .rfind('/')
            .map_or("./".to_string(), |cut| file[..=cut].to_string());
        match index.get(&dir) {
            Some(&at) => groups[at].files.push(file.clone()),
            None => {
                index.insert(dir.clone(), groups.len());
                groups.push(CopyGroup {
                    dir,
                    files: vec![file.clone()],
                });
            }
        }
    }
    groups
}

/// `base/rel` with `.` and `..` resolved, or `None` when it is absolute or
/// climbs out of the context.
pub(crate) fn join_relative(base: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// A file's text, or `None` when it cannot be read. Only a regular file
/// (a FIFO would block), of a sane size, not a link out of its directory.
pub(crate) fn read(path: &std::path::Path) -> Option<String> {
    let root = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    let bytes = crate::input::read_file(path, root).ok()??;
    String::from_utf8(bytes).ok()
}

/// What a walk found, by what it walked: filled once per key and process
/// (`check --all` and `bake` plan every member of a workspace, and each
/// needs the whole workspace; files do not change under one run).
pub(crate) type OnceMap<K, V> = std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<K, std::sync::Arc<std::sync::OnceLock<V>>>>,
>;

/// The value for `key`, made by `make` the first time it is asked for:
/// threads asking at once wait for the one that makes it.
pub(crate) fn once<K: std::hash::Hash + Eq, V: Clone>(
    map: &OnceMap<K, V>,
    key: K,
    make: impl FnOnce() -> V,
) -> V {
    let cell = match map.lock() {
        Ok(mut cache) => cache.entry(key).or_default().clone(),
        // A thread panicked holding the lock: make it without the cache.
        Err(_) => std::sync::Arc::default(),
    };
    cell.get_or_init(make).clone()
}

/// Why a file that `named_by` names (with its line and column where
/// known) was not read: the error every walk gives for what
/// [`crate::input::read_inside`] refuses.
pub(crate) fn refusal(
    named_by: &str,
    refused: &crate::input::Refused,
) -> crate::diagnostic::Diagnostic {
    use crate::input::Refused;
    let named_by = crate::text::shown_value(named_by);
    let (rule, help) = match refused {
        Refused::Link { .. } | Refused::Outside(_) => (
            ": shipit reads what a project file names only inside the build context, never through a symbolic link",
            "make it a real file or directory inside the build context: a Dockerfile copies a link, not what it points to",
        ),
        Refused::Unreadable(_) => ("", "make it a plain text file"),
    };
    crate::diagnostic::Diagnostic::new(format!("`{named_by}` names {refused}{rule}"))
        .with_help(help)
}

/// Why a project file that exists gave no text to [`read`]: the message
/// every language gives for it.
pub(crate) fn unreadable(path: &std::path::Path) -> String {
    format!(
        "cannot read `{}`: not a regular UTF-8 file of at most 4 MiB inside the project",
        path.display()
    )
}

/// The usual single artifact: one program built to `/out/<file>` and
/// installed as `/usr/local/bin/<file>`, which is also the entrypoint.
pub(crate) fn program(file: &str) -> (Vec<Artifact>, Vec<String>) {
    let installed = format!("/usr/local/bin/{file}");
    let artifacts = vec![Artifact {
        from: format!("/out/{file}"),
        to: installed.clone(),
    }];
    (artifacts, vec![installed])
}

/// A file that a project file names (`rel`, relative to `dir`), read
/// only inside `dir` and through no symbolic link on the way: an entry,
/// a module, a source a port is read from. `None` for anything else.
pub(crate) fn read_in(dir: &std::path::Path, rel: &str) -> Option<String> {
    crate::input::read_inside(dir, rel).ok().flatten()
}

/// Whether `rel` names a regular file inside `dir` reached through no
/// symbolic link (absolute paths and `..` out of `dir` are not).
pub(crate) fn file_in(dir: &std::path::Path, rel: &str) -> bool {
    let Some(clean) = join_relative("", rel).filter(|c| !c.is_empty()) else {
        return false;
    };
    crate::input::first_link(dir, &clean).is_none()
        && std::fs::symlink_metadata(dir.join(&clean)).is_ok_and(|m| m.is_file())
}

/// A project's source files whose names end with one of `suffixes`,
/// relative to `dir`, suffix by suffix, each in name order (a directory's
/// entries sorted, depth first): at most three directories down, 256 files
/// of each suffix, not in hidden directories, dependency trees or test
/// data, through no link. One walk, however many suffixes.
pub(crate) fn source_files(dir: &Path, suffixes: &[&str]) -> Vec<String> {
    fn walk(dir: &Path, rel: &str, suffixes: &[&str], depth: usize, found: &mut [Vec<String>]) {
        let Ok(entries) = std::fs::read_dir(dir.join(rel)) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir()
                && depth < 3
                && !name.starts_with('.')
                && ![
                    "vendor",
                    "node_modules",
                    "testdata",
                    "__pycache__",
                    "venv",
                    "site-packages",
                ]
                .contains(&name.as_str())
            {
                walk(dir, &child, suffixes, depth + 1, found);
            } else if kind.is_file()
                && let Some(files) = suffixes
                    .iter()
                    .position(|suffix| name.ends_with(suffix))
                    .map(|at| &mut found[at])
                && files.len() < 256
            {
                files.push(child);
            }
        }
    }
    let mut found = vec![Vec::new(); suffixes.len()];
    walk(dir, "", suffixes, 0, &mut found);
    found.into_iter().flatten().collect()
}

/// The words of a line of code: identifiers cut at `_` and at camel
/// case (`httpPort` → `http`, `port`; `reportEvery` → `report`, `every`).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    for identifier in line.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut word = String::new();
        let mut previous_lower = false;
        for c in identifier.chars() {
            if c.is_ascii_uppercase() && previous_lower && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    words
}

/// The port a server's source names with a literal, and the file: the
/// first address literal (`r.Run(":8082")`), or number from 80 to 65535
/// on a code line with a word about the port or the listening address
/// (`port = "8080"`, `htons(8080)`, `#define PORT 8080`; not
/// `reportEvery = 300`). The
/// files (`rels`, relative to `dir`, at most 64, in the order given) are
/// read with [`read_in`].
pub(crate) fn port_in_sources(dir: &std::path::Path, rels: &[String]) -> Option<(u16, String)> {
    const WORDS: [&str; 4] = ["port", "listen", "addr", "htons"];
    rels.iter().take(64).find_map(|rel| {
        let text = read_in(dir, rel)?;
        let port = text.lines().find_map(|line| {
            let code = line.trim_start();
            if ["//", "/*", "*", "#!", "# "]
                .iter()
                .any(|c| code.starts_with(c))
            {
                return None;
            }
            // An address literal (`r.Run(":8082")`) says it on any line.
            let address = code.split('"').skip(1).step_by(2).find_map(|quoted| {
                quoted
                    .strip_prefix(':')?
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p >= 80)
            });
            if address.is_some() {
                return address;
            }
            if !words(code).iter().any(|w| WORDS.contains(&w.as_str())) {
                return None;
            }
            code.split(|c: char| !c.is_ascii_digit())
                .filter_map(|digits| digits.parse::<u16>().ok())
                .find(|port| *port >= 80)
        })?;
        let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
        Some((port, name))
    })
}

/// A project of `files` (path, text) in a temporary directory, for unit
/// tests of what reads projects.
#[cfg(test)]
pub(crate) fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}
