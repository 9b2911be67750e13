//! Workspace members: which directories a workspace's globs reach, found
//! in one walk that never passes a link, once per process, and what a
//! member copies.

use std::sync::Arc;

use super::support::{OnceMap, once};
use crate::plan::context::Cx;
use crate::plan::rules::safe_relative;

/// A workspace's member list: its root (canonical), its patterns (sorted,
/// without repeats) and the marker file.
type Key = (std::path::PathBuf, Vec<String>, String);

/// Member lists already found in this process.
static MEMBERS: OnceMap<Key, Arc<Members>> = std::sync::LazyLock::new(Default::default);

/// What the walk found: the member directories, relative to the root and
/// sorted, and those of them whose marker is a symbolic link (a member
/// still: reading it is refused with the link named, rather than the
/// member silently left out).
#[derive(Debug, Default)]
pub(crate) struct Members {
    pub(crate) dirs: Vec<String>,
    pub(crate) linked: std::collections::BTreeSet<String>,
    /// `dirs` without the linked ones: what the Dockerfile copies. Shared,
    /// so each member of a large workspace takes the list without copying
    /// it, and it can key what is read once per workspace.
    copied: Arc<Vec<String>>,
    /// Those of `copied` whose names a Dockerfile cannot copy as written.
    uncopyable: Vec<String>,
}

/// The members of a workspace rooted at `root`: the directories, relative
/// to it and sorted, that the workspace's globs match (`packages/*`,
/// `apps/**`; a leading `!` excludes) and that hold `marker` (the member's
/// package.json or pyproject.toml). Dependency trees and hidden or
/// git-ignored directories are not searched. Found once per process for
/// each root, patterns and marker.
pub(crate) fn workspace_members(
    root: &std::path::Path,
    patterns: &[String],
    marker: &str,
) -> Arc<Members> {
    let mut patterns = patterns.to_vec();
    patterns.sort();
    patterns.dedup();
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let key = (root.clone(), patterns.clone(), marker.to_string());
    once(&MEMBERS, key, || {
        Arc::new(walk_members(&root, &patterns, marker))
    })
}

/// One walk of `root` for the directories `patterns` match: however many
/// patterns there are, and however they overlap.
fn walk_members(root: &std::path::Path, patterns: &[String], marker: &str) -> Members {
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
        return Members::default();
    };
    let mut roots = walk_roots(patterns);
    roots.sort();
    roots.dedup();
    if roots.is_empty() {
        return Members::default();
    }
    // Only below each pattern's literal directories, and no deeper than it
    // reaches: `packages/*` reads `packages` one level down, never the
    // rest of the tree (a context at `/` would read the file system). The
    // walk never enters a link: one on the way (`big/root -> /`) would
    // lead out of the root.
    let reaches = move |relative: &str| {
        let depth = relative.split('/').filter(|p| !p.is_empty()).count();
        roots.iter().any(|(base, below)| {
            let base_depth = base.split('/').filter(|p| !p.is_empty()).count();
            if depth <= base_depth {
                // On the way down to the base.
                base == relative || base.starts_with(&format!("{relative}/")) || relative.is_empty()
            } else {
                (base.is_empty() || relative.starts_with(&format!("{base}/")))
                    && below.is_none_or(|below| depth - base_depth <= below)
            }
        })
    };
    let walk_root = root.to_path_buf();
    // The managers list members by glob alone: no .gitignore (above the
    // root or global) may drop one, or the render would differ by machine.
    let walk = ignore::WalkBuilder::new(root)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .filter_entry(move |entry| {
            let skipped = matches!(
                entry.file_name().to_str(),
                Some("node_modules" | ".venv" | "target" | "__pycache__")
            );
            let relative = entry
                .path()
                .strip_prefix(&walk_root)
                .ok()
                .and_then(|p| p.to_str());
            !skipped
                && entry.file_type().is_some_and(|t| t.is_dir())
                && relative.is_some_and(&reaches)
        })
        .build();
    let mut members = Members::default();
    for entry in walk.filter_map(Result::ok) {
        let Some(relative) = entry
            .path()
            .strip_prefix(root)
            .ok()
            .and_then(|p| p.to_str())
        else {
            continue;
        };
        if relative.is_empty() || !include.is_match(relative) || exclude.is_match(relative) {
            continue;
        }
        match std::fs::symlink_metadata(entry.path().join(marker)) {
            Ok(found) if found.file_type().is_symlink() => {
                members.linked.insert(relative.to_string());
            }
            Ok(found) if found.is_file() => {}
            _ => continue,
        }
        members.dirs.push(relative.to_string());
    }
    members.dirs.sort();
    members.copied = Arc::new(
        members
            .dirs
            .iter()
            .filter(|member| !members.linked.contains(*member))
            .cloned()
            .collect(),
    );
    members.uncopyable = members
        .copied
        .iter()
        .filter(|member| !safe_relative(member))
        .cloned()
        .collect();
    members
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
/// error, not a member quietly left out of the install. So is a member
/// whose `marker` is a symbolic link (`listed_in`: the file that lists the
/// members): it is not read, and not returned.
pub(crate) fn copied_members(
    cx: &mut Cx,
    patterns: &[String],
    marker: &str,
    (listed_in, declared_in): (&str, &str),
) -> Arc<Vec<String>> {
    // Found once per workspace: what each member adds is its own check,
    // so a workspace of N members is planned in time linear in N.
    let found = workspace_members(&cx.root, patterns, marker);
    // What the workspace's file names is read (or copied) from the
    // context as it is, never through a link.
    for member in &found.linked {
        let refused = crate::input::Refused::Link {
            file: format!("{member}/{marker}"),
            link: format!("{member}/{marker}"),
        };
        cx.diagnostics
            .push(crate::languages::support::refusal(listed_in, &refused));
    }
    let own = cx.member_dir().to_string();
    // The manifest at the workspace's root is its root project.
    if !own.is_empty() && found.copied.binary_search(&own).is_err() {
        cx.error(
            "build.context",
            format!("`{own}` is not a member of the workspace at `build.context`: {declared_in} does not name it"),
            format!("add `{own}` (or a glob that matches it) to {declared_in}, or build it on its own without `build.context`"),
        );
    }
    for member in &found.uncopyable {
        cx.error(
            "build.context",
            format!("the workspace member `{member}` has a directory name a Dockerfile cannot copy as written"),
            "rename it with letters, digits, `.`, `_`, `/`, `@`, `+` and `-`, not starting with `-`",
        );
    }
    found.copied.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_s_copied_members_are_found_once_and_shared() {
        let root = tempfile::tempdir().unwrap();
        for member in ["apps/a", "apps/b", "apps/b c", "apps/linked"] {
            std::fs::create_dir_all(root.path().join(member)).unwrap();
        }
        for member in ["apps/a", "apps/b", "apps/b c"] {
            std::fs::write(root.path().join(member).join("package.json"), "{}").unwrap();
        }
        std::os::unix::fs::symlink(
            root.path().join("apps/a/package.json"),
            root.path().join("apps/linked/package.json"),
        )
        .unwrap();
        let patterns = vec!["apps/*".to_string()];
        let first = workspace_members(root.path(), &patterns, "package.json");
        assert_eq!(first.dirs, ["apps/a", "apps/b", "apps/b c", "apps/linked"]);
        assert_eq!(*first.copied, ["apps/a", "apps/b", "apps/b c"]);
        assert_eq!(first.uncopyable, ["apps/b c"]);
        // Every member of the workspace takes the same list: no member
        // copies or checks the others' names again.
        let again = workspace_members(root.path(), &patterns, "package.json");
        assert!(Arc::ptr_eq(&first.copied, &again.copied));
    }

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
