//! A Node workspace member: which workspace packages and local
//! directories it needs (pnpm, npm and yarn workspaces alike), and what of
//! the tree it ships.

use std::sync::Arc;

use serde::Serialize;

use crate::manifest::NodeManager;
use crate::plan::context::Cx;

/// The workspace's members, from the root package.json's `workspaces`
/// (npm, yarn) or pnpm-workspace.yaml's `packages`; the manifest's own
/// directory must be one of them, or the root install would skip its
/// dependencies. Also the file that lists them, which names each member's
/// package.json.
pub(super) fn members(
    cx: &mut Cx,
    manager: NodeManager,
    root_package: &serde_json::Value,
) -> (Arc<Vec<String>>, &'static str) {
    let (patterns, declared_in): (Vec<String>, &str) = match manager {
        NodeManager::Pnpm => {
            let text = crate::languages::support::read(&cx.root.join("pnpm-workspace.yaml"))
                .unwrap_or_default();
            let packages = pnpm_packages(&text).unwrap_or_else(|problem| {
                cx.error(
                    "build.context",
                    format!("the workspace's pnpm-workspace.yaml cannot be read: {problem}"),
                    "write `packages:` as a list of glob strings, e.g. `packages: [\"apps/*\", \"packages/*\"]`",
                );
                Vec::new()
            });
            (packages, "pnpm-workspace.yaml's `packages`")
        }
        _ => {
            let field = &root_package["workspaces"];
            let list = field.as_array().or_else(|| field["packages"].as_array());
            let patterns = list
                .map(|list| {
                    list.iter()
                        .filter_map(|item| item.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            (patterns, "the root package.json's `workspaces`")
        }
    };
    let file = match manager {
        NodeManager::Pnpm => "pnpm-workspace.yaml",
        _ => "package.json",
    };
    let members = crate::languages::members::copied_members(
        cx,
        &patterns,
        "package.json",
        (file, declared_in),
    );
    (members, file)
}

/// pnpm-workspace.yaml's `packages`, read from the parser's events: an
/// alias is refused rather than expanded (a few lines of nested aliases
/// expand to gigabytes), and every entry must be a plain string.
pub(super) fn pnpm_packages(text: &str) -> Result<Vec<String>, String> {
    use yaml_rust2::parser::{Event, EventReceiver, Parser};
    struct Events(Vec<Event>);
    impl EventReceiver for Events {
        fn on_event(&mut self, event: Event) {
            self.0.push(event);
        }
    }
    let mut events = Events(Vec::new());
    Parser::new_from_str(text)
        .load(&mut events, false)
        .map_err(|e| format!("not valid YAML: {e}"))?;
    let mut events = events.0.into_iter().skip_while(|e| {
        matches!(
            e,
            Event::StreamStart | Event::DocumentStart | Event::Nothing
        )
    });
    let Some(Event::MappingStart(..)) = events.next() else {
        return Ok(Vec::new());
    };
    // Key, value pairs of the top-level mapping; other values are skipped
    // node by node.
    loop {
        let key = match events.next() {
            Some(Event::Scalar(key, ..)) => key,
            Some(Event::MappingEnd) | None => return Ok(Vec::new()),
            Some(_) => return Err("its top-level keys must be plain strings".into()),
        };
        if key == "packages" {
            match events.next() {
                Some(Event::SequenceStart(..)) => {}
                Some(Event::Alias(_)) => {
                    return Err("`packages` is an alias; write the list out".into());
                }
                _ => return Err("`packages` is not a list".into()),
            }
            let mut packages = Vec::new();
            loop {
                match events.next() {
                    Some(Event::Scalar(item, ..)) => packages.push(item),
                    Some(Event::SequenceEnd) => return Ok(packages),
                    Some(Event::Alias(_)) => {
                        return Err("an entry of `packages` is an alias; write it out".into());
                    }
                    _ => return Err("an entry of `packages` is not a string".into()),
                }
            }
        }
        let mut depth = 0usize;
        loop {
            match events.next() {
                Some(Event::SequenceStart(..) | Event::MappingStart(..)) => depth += 1,
                Some(Event::SequenceEnd | Event::MappingEnd) => depth = depth.saturating_sub(1),
                Some(_) => {}
                None => return Ok(Vec::new()),
            }
            if depth == 0 {
                break;
            }
        }
    }
}

/// The directories the workspace members' local dependencies (any kind:
/// the install reads devDependencies too) point to, sorted.
pub(super) fn local_dirs(cx: &mut Cx, members: &Packages) -> Vec<String> {
    let mut dirs = std::collections::BTreeSet::new();
    for (member, value) in members {
        for (name, spec) in dependency_specs(value) {
            if let Some(Local::Path(path)) = local_spec(spec) {
                dirs.extend(local_dir(cx, member, name, path, true));
            }
        }
    }
    dirs.into_iter().collect()
}

/// Where a dependency's spec points inside the workspace.
pub(super) enum Local<'a> {
    /// A directory, relative to the package that names it.
    Path(&'a str),
    /// Another workspace package, by name (pnpm's `workspace:name@range`).
    Name(&'a str),
}

/// A spec that names a directory (`file:`, `link:`, `portal:`, pnpm's
/// `workspace:../path`) or a workspace package by another name; `None`
/// for a version, a range, or `workspace:*` (the dependency's own name).
pub(super) fn local_spec(spec: &str) -> Option<Local<'_>> {
    if let Some(path) = ["file:", "link:", "portal:"]
        .iter()
        .find_map(|protocol| spec.strip_prefix(protocol))
    {
        return Some(Local::Path(path));
    }
    let rest = spec.strip_prefix("workspace:")?;
    if rest.starts_with('.') || rest.starts_with('/') {
        return Some(Local::Path(rest));
    }
    // `workspace:@scope/name@^1` or `workspace:name@*`: the name before the
    // last `@` that is not the scope's.
    let at = rest.rfind('@').filter(|&at| at > 0)?;
    Some(Local::Name(&rest[..at]))
}

/// Package.json files by directory, parsed once: every member of a
/// workspace plans with all of them.
pub(super) type Packages = std::collections::BTreeMap<String, Arc<serde_json::Value>>;

/// A workspace as every member plans with it: the members' package.json
/// by directory, the directory of each package name, and the directories
/// the members' local dependencies name.
#[derive(Default)]
pub(super) struct Workspace {
    pub(super) packages: Packages,
    pub(super) by_name: std::collections::BTreeMap<String, String>,
    pub(super) local: Vec<String>,
}

impl Workspace {
    fn new(packages: Packages, local: Vec<String>) -> Workspace {
        let by_name = packages
            .iter()
            .filter_map(|(dir, value)| Some((value["name"].as_str()?.to_string(), dir.clone())))
            .collect();
        Workspace {
            packages,
            by_name,
            local,
        }
    }
}

/// Workspaces whose members all read cleanly, by root and member list:
/// made once per process, so `check --all` over n members does n times
/// the work of one, not n × n.
type Key = (std::path::PathBuf, MemberList);

/// A member list as a key, in constant time for the list every member of
/// a workspace shares (one per workspace and process, see
/// [`crate::languages::members::copied_members`]): equal when it is the
/// same list or holds the same members, hashed by its length and ends.
#[derive(Debug)]
pub(super) struct MemberList(Arc<Vec<String>>);

impl PartialEq for MemberList {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for MemberList {}

impl std::hash::Hash for MemberList {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.len().hash(state);
        self.0.first().hash(state);
        self.0.last().hash(state);
    }
}
static WORKSPACES: crate::languages::support::OnceMap<Key, Option<Arc<Workspace>>> =
    std::sync::LazyLock::new(Default::default);

/// The workspace at `root` with `members`, when every member's
/// package.json reads and every local dependency ships: nothing to
/// report, so one value serves every member. `None` otherwise (the caller
/// then reads them itself, reporting what is wrong).
pub(super) fn clean_workspace(
    root: &std::path::Path,
    members: &Arc<Vec<String>>,
) -> Option<Arc<Workspace>> {
    let key = (root.to_path_buf(), MemberList(members.clone()));
    crate::languages::support::once(&WORKSPACES, key, || {
        let mut packages = Packages::new();
        for member in members.iter() {
            match load(root, member) {
                Loaded::Json(value) => packages.insert(member.clone(), value),
                _ => return None,
            };
        }
        let mut local = std::collections::BTreeSet::new();
        for (member, value) in &packages {
            for (_, spec) in dependency_specs(value) {
                if let Some(Local::Path(path)) = local_spec(spec) {
                    match local_place(root, member, path) {
                        Place::Dir(dir) => {
                            local.insert(dir);
                        }
                        Place::Skip => {}
                        Place::Problem(..) => return None,
                    }
                }
            }
        }
        Some(Arc::new(Workspace::new(
            packages,
            local.into_iter().collect(),
        )))
    })
}

/// Every dependency of a package.json (the install reads devDependencies
/// too), by name and spec.
fn dependency_specs(value: &serde_json::Value) -> impl Iterator<Item = (&String, &str)> {
    [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ]
    .into_iter()
    .filter_map(|field| value[field].as_object())
    .flatten()
    .map(|(name, spec)| (name, spec.as_str().unwrap_or_default()))
}

/// A workspace read member by member, reporting what is wrong.
pub(super) fn read_workspace(cx: &mut Cx, packages: Packages) -> Workspace {
    let local = local_dirs(cx, &packages);
    Workspace::new(packages, local)
}

/// What reading one package.json gave.
#[derive(Clone)]
enum Loaded {
    /// Its JSON, or `Null` when there is none.
    Json(Arc<serde_json::Value>),
    Refused(crate::input::Refused),
    /// Not JSON: the file, line, column and the parser's message.
    Invalid(String),
}

/// Every package.json read in this process, by path: each member of a
/// workspace plans with every member's package.json.
static PACKAGES: crate::languages::support::OnceMap<std::path::PathBuf, Loaded> =
    std::sync::LazyLock::new(Default::default);

/// The package.json in `dir` below the build context `root`, read once
/// per process. A member's (`dir` not empty) is a file another one names,
/// read through [`crate::input::read_inside`]; the root's is read as the
/// root's other files are.
fn load(root: &std::path::Path, dir: &str) -> Loaded {
    let relative = match dir {
        "" => "package.json".to_string(),
        dir => format!("{dir}/package.json"),
    };
    // A member's build context is canonical already (`build.context` is
    // resolved so): no system call per member per member.
    let path = root.join(&relative);
    crate::languages::support::once(&PACKAGES, path.clone(), || {
        let text = match dir {
            "" if std::fs::symlink_metadata(&path).is_err() => Ok(None),
            "" => crate::languages::support::read(&path)
                .map(Some)
                .ok_or_else(|| crate::input::Refused::Unreadable(relative.clone())),
            _ => crate::input::read_inside(root, &relative),
        };
        match text {
            Err(refused) => Loaded::Refused(refused),
            Ok(None) => Loaded::Json(Arc::new(serde_json::Value::Null)),
            Ok(Some(text)) => match serde_json::from_str(&text) {
                Ok(value) => Loaded::Json(Arc::new(value)),
                Err(error) => Loaded::Invalid(format!(
                    "`{}:{}:{}` is not valid JSON: {error}",
                    path.display(),
                    error.line(),
                    error.column()
                )),
            },
        }
    })
}

/// A member's (or a `file:` directory's) package.json, or `null` when it
/// has none; one that cannot be read or parsed is an error, since what it
/// depends on would be left out of the image. `named_by`: the file that
/// names the directory (`None` for the workspace root's own).
pub(super) fn member_package(
    cx: &mut Cx,
    dir: &str,
    named_by: Option<&str>,
) -> Arc<serde_json::Value> {
    match load(&cx.root, dir) {
        Loaded::Json(value) => value,
        Loaded::Refused(refused) => {
            let refusal = match named_by {
                Some(named_by) => crate::languages::support::refusal(named_by, &refused),
                None => crate::diagnostic::Diagnostic::new(format!("cannot read {refused}"))
                    .with_help("make it the workspace's package.json"),
            };
            cx.diagnostics.push(refusal);
            Arc::new(serde_json::Value::Null)
        }
        Loaded::Invalid(message) => {
            cx.error(
                "build.context",
                format!("the workspace's {message}"),
                "fix it so that the package manager reads it (no trailing commas, no comments)",
            );
            Arc::new(serde_json::Value::Null)
        }
    }
}

/// A local dependency's directory, context-relative, when it is a
/// directory inside the context (a tarball installs into node_modules; a
/// path outside the context cannot be in the build at all). One reached
/// through a symbolic link, or named so that a Dockerfile cannot copy it
/// as written, is an error: it would not ship.
pub(super) fn local_dir(
    cx: &mut Cx,
    from: &str,
    name: &str,
    path: &str,
    report: bool,
) -> Option<String> {
    let problem = match local_place(&cx.root, from, path) {
        Place::Dir(dir) => return Some(dir),
        Place::Skip => return None,
        Place::Problem(dir, problem) => (dir, problem),
    };
    if !report {
        return None;
    }
    let (dir, problem) = problem;
    let shown = crate::text::shown_value(&dir);
    cx.error(
        "build.context",
        format!("the dependency `{}` of `{from}/package.json` is the directory `{shown}`, reached {problem}: it cannot ship", crate::text::shown_value(name)),
        "make it a real directory of the workspace, named with letters, digits, `.`, `_`, `/`, `@`, `+` and `-`",
    );
    None
}

/// Where a local dependency's path leads, from the package at `from`.
enum Place {
    /// A directory of the context that ships.
    Dir(String),
    /// Nothing to copy: outside the context, or not a directory.
    Skip,
    /// A directory that cannot ship, and why.
    Problem(String, &'static str),
}

fn local_place(root: &std::path::Path, from: &str, path: &str) -> Place {
    let Some(dir) = crate::languages::support::join_relative(from, path).filter(|d| !d.is_empty())
    else {
        return Place::Skip;
    };
    if crate::input::first_link(root, &dir).is_some() {
        Place::Problem(dir, "through a symbolic link")
    } else if !root.join(&dir).is_dir() {
        Place::Skip
    } else if !crate::plan::rules::safe_relative(&dir) {
        Place::Problem(dir, "with a name a Dockerfile cannot copy as written")
    } else {
        Place::Dir(dir)
    }
}

/// Where the build stage assembles what a workspace member ships.
pub(super) const SHIPPED: &str = "/out/app";

/// What a workspace member's image ships, context-relative: the root's
/// package.json and node_modules, the member, and every directory it needs
/// at run time: the workspace packages its `dependencies`,
/// `optionalDependencies` and `peerDependencies` name (by package name or
/// pnpm's `workspace:` alias or path, transitively) and its `file:`,
/// `link:` and `portal:` directories. Not the other members: their code
/// and dependencies stay in the builder.
pub(super) fn shipped(
    cx: &mut Cx,
    workspace: &Workspace,
    package: &serde_json::Value,
) -> Vec<String> {
    let own = cx.member_dir().to_string();
    let (packages, by_name) = (&workspace.packages, &workspace.by_name);
    let mut shipped = std::collections::BTreeSet::new();
    // Each directory with the package.json that names it.
    let mut queue = vec![(own.clone(), String::new())];
    while let Some((dir, named_by)) = queue.pop() {
        if !shipped.insert(dir.clone()) {
            continue;
        }
        let value = match packages.get(&dir) {
            Some(value) => value.clone(),
            // The manifest's own directory, listed or not.
            None if dir == own => Arc::new(package.clone()),
            // A `file:` directory outside the members: its own dependencies.
            None => member_package(cx, &dir, Some(&named_by)),
        };
        let named_by = match dir.as_str() {
            "" => "package.json".to_string(),
            dir => format!("{dir}/package.json"),
        };
        for field in ["dependencies", "optionalDependencies", "peerDependencies"] {
            let Some(dependencies) = value[field].as_object() else {
                continue;
            };
            for (name, spec) in dependencies {
                let spec = spec.as_str().unwrap_or_default();
                let next = match local_spec(spec) {
                    // Problems are reported once, by `local_dirs`.
                    Some(Local::Path(path)) => local_dir(cx, &dir, name, path, false),
                    Some(Local::Name(alias)) => by_name.get(alias).cloned(),
                    None => by_name.get(name).cloned(),
                };
                queue.extend(next.map(|next| (next, named_by.clone())));
            }
        }
    }
    // A directory inside another one ships with it.
    let mut ship = vec!["package.json".to_string(), "node_modules".to_string()];
    for dir in &shipped {
        let inside = dir
            .match_indices('/')
            .any(|(at, _)| shipped.contains(&dir[..at]));
        if !inside {
            ship.push(dir.clone());
        }
    }
    ship
}

/// Context-relative paths copied into one directory of [`SHIPPED`].
#[derive(Serialize)]
pub(super) struct Shipped {
    pub(super) into: String,
    pub(super) files: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(list: &MemberList) -> u64 {
        use std::hash::{BuildHasher, RandomState};
        thread_local!(static STATE: RandomState = RandomState::new());
        STATE.with(|state| state.hash_one(list))
    }

    #[test]
    fn a_member_list_key_is_the_list_s_contents() {
        let list = |members: &[&str]| {
            MemberList(Arc::new(members.iter().map(|m| m.to_string()).collect()))
        };
        let a = list(&["apps/a", "apps/b", "apps/c"]);
        let same = list(&["apps/a", "apps/b", "apps/c"]);
        // Same length and ends, another member in the middle.
        let other = list(&["apps/a", "apps/x", "apps/c"]);
        assert_eq!(a, same);
        assert_eq!(hash(&a), hash(&same));
        assert_ne!(a, other);
        assert_eq!(a, MemberList(a.0.clone()));
        assert_ne!(list(&[]), a);
    }
}
