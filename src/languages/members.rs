//! Workspace members: which directories a workspace's globs reach, found
//! in one walk that never passes a link, and what a member copies.

use crate::plan::context::Cx;
use crate::plan::rules::safe_relative;

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
