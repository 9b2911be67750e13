//! The language layer: one module per language, each implementing
//! [`Support`], registered in the one table below, which also embeds its
//! template (`templates/<key>.Dockerfile.j2`). Adding a language is its
//! module, its template, one line in [`languages!`] and its typed table in
//! `manifest.rs`.

mod c;
mod go;
mod node;
mod python;
mod rust;
mod versions;

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::manifest::Artifact;
use crate::plan::{Cx, LanguageDefaults};

/// The Debian release that builder and runtime images share where a binary
/// links against glibc, so both sides have the same libc.
pub(crate) const DEBIAN: &str = "trixie";

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

/// Declares the languages: the `language` enum of the manifest (its doc
/// comments are the schema's descriptions), each one's key, and the
/// module that supports it.
macro_rules! languages {
    ($($(#[doc = $doc:literal])* $variant:ident = $key:literal => $support:expr,)+) => {
        /// A supported application language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
        pub enum Language {
            $($(#[doc = $doc])* #[serde(rename = $key)] $variant,)+
        }

        impl Language {
            pub const ALL: &'static [Language] = &[$(Language::$variant),+];

            /// The manifest key of this language's table, and its
            /// template's stem.
            pub fn key(self) -> &'static str {
                match self {
                    $(Language::$variant => $key,)+
                }
            }

            pub(crate) fn support(self) -> &'static dyn Support {
                match self {
                    $(Language::$variant => &$support,)+
                }
            }

            /// The built-in template, `templates/<key>.Dockerfile.j2`.
            pub(crate) fn template(self) -> &'static str {
                match self {
                    $(Language::$variant => include_str!(concat!("../../templates/", $key, ".Dockerfile.j2")),)+
                }
            }
        }
    };
}

languages! {
    /// Go: a static binary on `scratch`.
    Go = "go" => go::Go,
    /// Node.js: one `pkg` executable on `alpine`, or `node:<v>-alpine` with
    /// production dependencies.
    Node = "node" => node::Node,
    /// Python: a virtualenv copied onto `python:<v>-slim`.
    Python = "python" => python::Python,
    /// C: a gcc-built binary on `ubuntu`.
    C = "c" => c::C,
    /// Rust: a `--locked` release build on `debian:<release>-slim`, or a
    /// static musl binary on `scratch`.
    Rust = "rust" => rust::Rust,
}

/// `init --language` takes the same keys as the manifest.
impl clap::ValueEnum for Language {
    fn value_variants<'a>() -> &'a [Self] {
        Language::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.key()))
    }
}

impl Language {
    /// The language whose key is `key`.
    pub fn from_key(key: &str) -> Option<Language> {
        Language::ALL.iter().copied().find(|l| l.key() == key)
    }

    /// The built-in template's file name.
    pub fn template_name(self) -> String {
        format!("{}.Dockerfile.j2", self.key())
    }
}

pub(crate) fn defaults(cx: &mut Cx) -> LanguageDefaults {
    cx.manifest.language.support().defaults(cx)
}

/// A starter manifest for the project in `dir`.
pub(crate) fn detect(
    language: Language,
    dir: &Path,
    root: &Path,
    manager: Option<&str>,
) -> anyhow::Result<Draft> {
    let support = language.support();
    if let Some(manager) = manager
        && !support.chooses_manager()
    {
        let choosers: Vec<String> = Language::ALL
            .iter()
            .filter(|l| l.support().chooses_manager())
            .map(|l| format!("`{}`", l.key()))
            .collect();
        anyhow::bail!(
            "`--manager {manager}` does not apply to `{}`: only {} projects have a package manager to choose",
            language.key(),
            choosers.join(", ")
        );
    }
    support.detect(dir, root, manager)
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

/// The members of a workspace rooted at `root`: the directories, relative
/// to it and sorted, that the workspace's globs match (`packages/*`,
/// `apps/**`; a leading `!` excludes) and that hold `marker` (the member's
/// package.json or pyproject.toml). Dependency trees and hidden or
/// git-ignored directories are not searched.
pub(crate) fn workspace_members(
    root: &std::path::Path,
    patterns: &[String],
    marker: &str,
) -> Vec<String> {
    let mut include = globset::GlobSetBuilder::new();
    let mut exclude = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let (set, pattern) = match pattern.strip_prefix('!') {
            Some(rest) => (&mut exclude, rest),
            None => (&mut include, pattern.as_str()),
        };
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        if let Ok(glob) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
        {
            set.add(glob);
        }
    }
    let (Ok(include), Ok(exclude)) = (include.build(), exclude.build()) else {
        return Vec::new();
    };
    let mut members: Vec<String> = Vec::new();
    // Only below each pattern's literal directories, and no deeper than it
    // reaches: `packages/*` reads `packages` one level down, never the
    // rest of the tree (a context at `/` would read the file system).
    for (base, depth) in walk_roots(patterns) {
        let start = root.join(&base);
        // As the walk itself, never through a link: one at a pattern's
        // base (`big/root -> /`) would lead out of the root.
        if !start.is_dir() || through_link(root, &base) {
            continue;
        }
        // The managers list members by glob alone: no .gitignore (above the
        // root or global) may drop one, or the render would differ by machine.
        let walk = ignore::WalkBuilder::new(&start)
            .git_ignore(false)
            .git_global(false)
            .git_exclude(false)
            .ignore(false)
            .parents(false)
            .max_depth(depth)
            .filter_entry(|entry| {
                !matches!(
                    entry.file_name().to_str(),
                    Some("node_modules" | ".venv" | "target" | "__pycache__")
                )
            })
            .build();
        members.extend(
            walk.filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_some_and(|t| t.is_dir()))
                .filter_map(|entry| {
                    let relative = entry.path().strip_prefix(root).ok()?.to_str()?.to_string();
                    (!relative.is_empty()
                        && include.is_match(&relative)
                        && !exclude.is_match(&relative)
                        && entry.path().join(marker).is_file())
                    .then_some(relative)
                }),
        );
    }
    members.sort();
    members.dedup();
    members
}

/// Whether `relative` below `root` passes through a symbolic link.
pub(crate) fn through_link(root: &std::path::Path, relative: &str) -> bool {
    let mut path = root.to_path_buf();
    relative.split('/').filter(|p| !p.is_empty()).any(|part| {
        path.push(part);
        std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
    })
}

/// Where to look for what the include `patterns` can match: each one's
/// leading literal directories, and how many levels below them it reaches
/// (`None`: any, for `**`). A pattern that climbs (`..`) or is absolute
/// matches nothing inside the root and is skipped.
fn walk_roots(patterns: &[String]) -> Vec<(String, Option<usize>)> {
    let mut roots: Vec<(String, Option<usize>)> = Vec::new();
    for pattern in patterns.iter().filter(|p| !p.starts_with('!')) {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        if pattern.starts_with('/') {
            continue;
        }
        let parts: Vec<&str> = pattern
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        if parts.contains(&"..") {
            continue;
        }
        let literal = parts
            .iter()
            .take_while(|p| !p.contains(['*', '?', '[', '{', '\\']))
            .count();
        // `**` anywhere, or a brace group (which may hold `/` and `**`),
        // reaches any depth.
        let open = parts[literal..]
            .iter()
            .any(|p| p.contains("**") || p.contains('{'));
        let depth = (!open).then(|| parts.len() - literal);
        roots.push((parts[..literal].join("/"), depth));
    }
    roots
}

/// The members of the workspace at the build context that the Dockerfile
/// copies: [`workspace_members`], where the manifest's own directory must
/// be one (else the root install would skip its dependencies;
/// `declared_in` names what lists them), and each can be copied by name:
/// a directory whose name `COPY` would read as a glob or a variable is an
/// error, not a member quietly left out of the install.
pub(crate) fn copied_members(
    cx: &mut Cx,
    patterns: &[String],
    marker: &str,
    declared_in: &str,
) -> Vec<String> {
    let members = workspace_members(&cx.root, patterns, marker);
    let own = cx.member_dir().to_string();
    if !members.contains(&own) {
        cx.error(
            "build.context",
            format!("`{own}` is not a member of the workspace at `build.context`: {declared_in} does not name it"),
            format!("add `{own}` (or a glob that matches it) to {declared_in}, or build it on its own without `build.context`"),
        );
    }
    for member in members.iter().filter(|member| !safe_relative(member)) {
        cx.error(
            "build.context",
            format!("the workspace member `{member}` has a directory name a Dockerfile cannot copy as written"),
            "rename it with letters, digits, `.`, `_`, `/`, `@`, `+` and `-`, not starting with `-`",
        );
    }
    members
}

/// Files copied into one directory before an install: `COPY FILES... DIR`.
#[derive(serde::Serialize)]
pub(crate) struct CopyGroup {
    /// The destination, `./` or `sub/dir/`.
    pub(crate) dir: String,
    pub(crate) files: Vec<String>,
}

/// Context-relative files grouped by directory, in first-seen order: one
/// `COPY` each, so every file lands where it is in the context.
pub(crate) fn copy_groups(files: &[String]) -> Vec<CopyGroup> {
    let mut groups: Vec<CopyGroup> = Vec::new();
    for file in files {
        let dir = file
            .rfind('/')
            .map_or("./".to_string(), |cut| file[..=cut].to_string());
        match groups.iter_mut().find(|g| g.dir == dir) {
            Some(group) => group.files.push(file.clone()),
            None => groups.push(CopyGroup {
                dir,
                files: vec![file.clone()],
            }),
        }
    }
    groups
}

/// A path relative to the build context that needs no quoting in `COPY`
/// and `RUN` and is no tool's option: no leading `/` or `-`, no `..`, only
/// letters, digits and `._/@+-`.
pub(crate) fn safe_relative(path: &str) -> bool {
    crate::plan::made_of(path, "._/@+-")
        && !path.starts_with(['/', '-'])
        && !path.split('/').any(|part| part == "..")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_looked_for_only_where_their_globs_reach() {
        let patterns: Vec<String> = [
            "packages/*",
            "./apps/**",
            "tools/cli",
            "*",
            "../x/*",
            "/abs",
            "!packages/old",
            "{apps/*,deep/**}",
            "deep/a**",
        ]
        .iter()
        .map(|p| p.to_string())
        .collect();
        assert_eq!(
            walk_roots(&patterns),
            [
                ("packages".to_string(), Some(1)),
                ("apps".to_string(), None),
                ("tools/cli".to_string(), Some(0)),
                (String::new(), Some(1)),
                (String::new(), None),
                ("deep".to_string(), None),
            ]
        );
    }
}
