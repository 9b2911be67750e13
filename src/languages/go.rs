//! Go: a static, stripped binary on `scratch` (`CGO_ENABLED=0`), with CA
//! certificates and a passwd entry; glibc-matched Debian images with cgo.

use serde::Serialize;

use crate::plan::context::{Cx, LanguageDefaults};
use crate::plan::image::DEBIAN;

pub(crate) struct Go;

impl super::support::Support for Go {
    fn defaults(&self, cx: &mut Cx) -> LanguageDefaults {
        defaults(cx)
    }

    fn recognises(&self, dir: &std::path::Path) -> bool {
        recognises(dir)
    }

    fn without_libc(&self) -> Option<&'static str> {
        Some("`go.cgo = false`")
    }

    fn looked_for(&self) -> &'static str {
        "`go.mod`"
    }

    fn starter(&self) -> &'static str {
        "go mod init example.com/app"
    }

    fn workspace_root(&self, dir: &std::path::Path) -> bool {
        dir.join("go.work").is_file()
    }

    fn detect(
        &self,
        dir: &std::path::Path,
        _root: &std::path::Path,
        _manager: Option<&str>,
    ) -> anyhow::Result<super::support::Draft> {
        detect(dir)
    }
}

const VERSION: &str = "1.25";

#[derive(Serialize)]
struct Settings {
    package: String,
    /// What `go build` builds, relative to the context root: `package`, or
    /// `./<member>/<package>` for a workspace member.
    target: String,
    cgo: bool,
    tzdata: bool,
    binary: String,
    /// `go.work` is at the context root: a workspace.
    workspace: bool,
    /// The context root has a go.mod (a module rooted there).
    root_module: bool,
    /// Directories of the other modules (the member's own, `replace … =>
    /// ./lib`, `use ./lib`), relative to the context root, whose go.mod
    /// must be in place before `go mod download`.
    modules: Vec<String>,
}

fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.go.clone().unwrap_or_default();
    let version = cx.version(VERSION, project_version(cx));
    let package = table.package.unwrap_or_else(|| ".".into());
    cx.context_path("go.package", &package);
    let binary = cx.manifest.name.clone();

    let (builder_image, runtime_base) = if table.cgo {
        (
            format!("golang:{version}-{DEBIAN}"),
            format!("debian:{DEBIAN}-slim"),
        )
    } else {
        (format!("golang:{version}"), "scratch".to_string())
    };
    // The time zone database embedded in the binary (`-tags timetzdata`):
    // every IANA name, legacy links included, whatever the builder has.
    let mut build_env = std::collections::BTreeMap::new();
    if table.tzdata {
        let goflags = with_tag(cx.manifest.build.env.get("GOFLAGS"), "timetzdata");
        build_env.insert("GOFLAGS".to_string(), goflags);
    }
    let workspace = cx.root_exists("go.work");
    let modules = local_modules(cx);
    let root_module = cx.member.is_empty() || cx.root_exists("go.mod");
    check_member(cx, workspace, root_module);
    if cx.manifest.build.steps.is_none() {
        let custom = cx.manifest.runtime.entrypoint.is_some();
        let mut sources = package_files(&cx.context, &package);
        sources.retain(|file| !file.ends_with("_test.go"));
        super::arguments::warn_needs_argument(cx, &sources, custom);
    }
    let target = match cx.member.as_str() {
        "" => package.clone(),
        member => {
            let joined = super::support::join_relative(member, &package).unwrap_or_default();
            format!("./{joined}")
        }
    };

    let (artifacts, entrypoint) = super::support::program(&binary);
    LanguageDefaults {
        version,
        builder_image,
        runtime_base,
        build_workdir: "/src".into(),
        build_env,
        helpers: Default::default(),
        build_packages: Vec::new(),
        runtime_packages: Vec::new(),
        artifacts,
        entrypoint: Some(entrypoint),
        runtime_workdir: None,
        init: false,
        links_libc: table.cgo,
        ignore: vec![
            "**/*.test".into(),
            "**/*.out".into(),
            format!("/{}bin", cx.member),
        ],
        settings: serde_json::to_value(Settings {
            package,
            target,
            cgo: table.cgo,
            tzdata: table.tzdata,
            binary,
            workspace,
            root_module,
            modules,
        })
        .unwrap_or_default(),
    }
}

/// go.mod's `toolchain` (the exact Go the project builds with), else its
/// `go` line's minor version (the newest patch of it).
fn project_version(cx: &Cx) -> Option<(String, String)> {
    // A workspace's go.work governs the build at its root; else go.mod.
    let (file, text) = match super::support::read(&cx.root.join("go.work")) {
        Some(text) => ("go.work", text),
        None => ("go.mod", super::support::read(&cx.context.join("go.mod"))?),
    };
    let directive = |name: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(name).map(|v| v.trim().to_string()))
    };
    if let Some(toolchain) = directive("toolchain ") {
        let version = toolchain.trim_start_matches("go").to_string();
        return Some((version, format!("{file}: toolchain {toolchain}")));
    }
    let go = directive("go ")?;
    let minor = super::versions::version_prefix(&go, 2)?;
    Some((minor, format!("{file}: go {go}")))
}

/// `GOFLAGS` with a build tag added: into the manifest's own `-tags` list
/// when it has one (a second `-tags` would replace the first).
fn with_tag(goflags: Option<&String>, tag: &str) -> String {
    let mut words: Vec<String> = goflags
        .map(|flags| flags.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    match words
        .iter_mut()
        .find(|w| w.starts_with("-tags=") || w.starts_with("--tags="))
    {
        Some(tags) => {
            tags.push(',');
            tags.push_str(tag);
        }
        None => words.push(format!("-tags={tag}")),
    }
    words.join(" ")
}

/// A member (`build.context` above the manifest) builds in the context
/// root: go.work there must `use` its module, or a go.mod there must be
/// the module the member's package belongs to.
fn check_member(cx: &mut Cx, workspace: bool, root_module: bool) {
    let member = cx.member_dir().to_string();
    if member.is_empty() {
        return;
    }
    if !workspace && !root_module {
        cx.error(
            "build.context",
            "the build context has neither go.work nor go.mod: `go mod download` and `go build` run at the context root",
            "point `build.context` at the directory with the workspace's go.work (`go work init`, `go work use ./...`), or leave it out",
        );
        return;
    }
    if workspace && cx.exists("go.mod") {
        let text = super::support::read(&cx.root.join("go.work")).unwrap_or_default();
        let used = module_paths(&text)
            .unwrap_or_default()
            .into_iter()
            .any(|(_, _, path)| {
                super::support::join_relative("", &path).as_deref() == Some(member.as_str())
            });
        if !used {
            cx.error(
                "build.context",
                format!("`{member}` is not a module of the Go workspace at `build.context`: go.work does not `use` it"),
                format!("add it: `go work use ./{member}` at the workspace root"),
            );
        }
    }
}

/// The local modules `go mod download` reads: the member's own module,
/// `replace … => ./dir` in go.mod and `use`/`replace` in go.work, followed
/// into each module found, relative to the context root, sorted. What a
/// file names is read through [`crate::input::read_inside`]: never through
/// a symbolic link, never outside the context.
fn local_modules(cx: &mut Cx) -> Vec<String> {
    let mut found = std::collections::BTreeSet::new();
    // (directory, file, who named the directory): the walk's own starting
    // points are named by no file.
    let mut queue: Vec<(String, &'static str, Option<String>)> = vec![
        (String::new(), "go.mod", None),
        (String::new(), "go.work", None),
    ];
    let member = cx.member_dir().to_string();
    if !member.is_empty() && cx.exists("go.mod") {
        found.insert(member.clone());
        queue.push((member, "go.mod", None));
    }
    while let Some((dir, file, named_by)) = queue.pop() {
        let path = if dir.is_empty() {
            file.to_string()
        } else {
            format!("{dir}/{file}")
        };
        let text = match &named_by {
            None => super::support::read(&cx.root.join(&path)),
            Some(named_by) => match crate::input::read_inside(&cx.root, &path) {
                Ok(text) => text,
                Err(refused) => {
                    let refusal = super::support::refusal(named_by, &refused);
                    cx.diagnostics.push(refusal);
                    continue;
                }
            },
        };
        let Some(text) = text else {
            continue;
        };
        let paths = match module_paths(&text) {
            Ok(paths) => paths,
            Err((line, column, problem)) => {
                cx.diagnostics.push(
                    crate::diagnostic::Diagnostic::new(format!(
                        "`{}:{line}:{column}`: {problem}",
                        cx.root.join(&path).display()
                    ))
                    .with_help(format!(
                        "fix it so that `go` reads it: `go mod edit` / `go work edit` check {file}"
                    )),
                );
                continue;
            }
        };
        for (line, column, target) in paths {
            let at = format!("{path}:{line}:{column}");
            match super::support::join_relative(&dir, &target) {
                // The context root: its go.mod is copied anyway.
                Some(module) if module.is_empty() => {}
                Some(module) if crate::plan::rules::safe_relative(&module) => {
                    if let Some(link) = crate::input::first_link(&cx.root, &module) {
                        let refused = crate::input::Refused::Link { file: module, link };
                        cx.diagnostics.push(super::support::refusal(&at, &refused));
                    } else if found.insert(module.clone()) {
                        queue.push((module, "go.mod", Some(at)));
                    }
                }
                _ => cx.diagnostics.push(
                    crate::diagnostic::Diagnostic::new(format!(
                        "`{at}`: the local module `{}` is not a directory inside the build context",
                        crate::text::shown_value(&target)
                    ))
                    .with_help("a Dockerfile can only copy from its context: set `build.context` to the workspace root that holds the module, or move it there (letters, digits, `.`, `_`, `/`, `@`, `+`, `-`)"),
                ),
            }
        }
    }
    found.into_iter().collect()
}

/// A go.mod or go.work problem: its line, column and what is wrong.
type Broken = (usize, usize, String);

/// `(line, column, path)` of every local directory a go.mod or go.work
/// names: `replace X => ./dir`, `use ./dir`, in single lines or blocks.
/// A block never closed, or a `use` or `replace` without its path, is
/// an error at its place: go refuses the file.
fn module_paths(text: &str) -> Result<Vec<(usize, usize, String)>, Broken> {
    let mut paths = Vec::new();
    // The open block's directive, and where it opened.
    let mut block: Option<(&str, usize, usize)> = None;
    for (index, raw) in text.lines().enumerate() {
        let code = raw.split("//").next().unwrap_or("");
        let line = code.trim();
        let indent = code.len() - code.trim_start().len();
        let (directive, rest) = match block {
            Some(_) if line == ")" => {
                block = None;
                continue;
            }
            Some(_) if line.is_empty() => continue,
            Some((directive, ..)) => (directive, line),
            None => match line.split_once(char::is_whitespace) {
                Some((word @ ("replace" | "use"), rest)) if rest.trim() == "(" => {
                    let paren = code.rfind('(').unwrap_or(0);
                    block = Some((word, index + 1, code[..paren].chars().count() + 1));
                    continue;
                }
                Some((word @ ("replace" | "use"), rest)) => (word, rest.trim()),
                None if line == "replace" || line == "use" => {
                    return Err((
                        index + 1,
                        indent + 1,
                        format!("`{line}` names no module directory"),
                    ));
                }
                _ => continue,
            },
        };
        let target = match directive {
            "replace" => rest
                .split_once("=>")
                .and_then(|(_, to)| to.split_whitespace().next()),
            _ => rest.split_whitespace().next(),
        };
        let Some(target) = target else {
            return Err((
                index + 1,
                indent + 1,
                format!("this `{directive}` names no replacement after `=>`"),
            ));
        };
        let column = code
            .find(target)
            .map_or(indent, |at| code[..at].chars().count())
            + 1;
        // A replacement is local only as a path (`./lib`, `../lib`); a
        // `use` always names a directory, `lib` as well as `./lib`.
        let target = target.trim_matches(['"', '`']);
        if directive == "use"
            || target == "."
            || target.starts_with("./")
            || target.starts_with("../")
            || target.starts_with('/')
        {
            paths.push((index + 1, column, target.to_string()));
        }
    }
    match block {
        Some((directive, line, column)) => Err((
            line,
            column,
            format!("the `{directive} (` block is never closed with `)`"),
        )),
        None => Ok(paths),
    }
}

/// The name a module path gives its program: its last element, but the
/// one before a major-version suffix (`example.com/x/v2` → `x`), as
/// `go install` names the binary.
fn module_name(module: &str) -> &str {
    let mut parts = module.rsplit('/');
    let last = parts.next().unwrap_or(module);
    let major = last
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    match parts.next() {
        Some(before) if major => before,
        _ => last,
    }
}

fn recognises(dir: &std::path::Path) -> bool {
    dir.join("go.mod").is_file()
}

/// From go.mod: the module's last path element as the name, the `go`
/// directive as the version; the main package is `.` when the root has a
/// `package main`, else the only (or first) `cmd/*`.
fn detect(dir: &std::path::Path) -> anyhow::Result<super::support::Draft> {
    let mut draft = super::support::Draft::default();
    let path = dir.join("go.mod");
    let go_mod = super::support::read(&path)
        .ok_or_else(|| anyhow::anyhow!("cannot read `{}` as UTF-8 text", path.display()))?;
    if !go_mod
        .lines()
        .any(|line| line.trim().starts_with("module ") || line.trim().starts_with("module\t"))
    {
        anyhow::bail!(
            "`{}` has no `module` directive; is it a go.mod? (`go mod init example.com/app` writes one)",
            path.display()
        );
    }
    for line in go_mod.lines().map(str::trim) {
        if let Some(module) = line.strip_prefix("module ") {
            let module = module.trim().trim_matches('"');
            draft.name = Some(module_name(module).to_string());
            draft.reason(format!("go.mod: module `{module}`"));
        } else if let Some(version) = line.strip_prefix("go ") {
            draft.reason(format!(
                "go.mod: go {}; the build reads its Go from go.mod (no `build.version`)",
                version.trim()
            ));
        } else if let Some(toolchain) = line.strip_prefix("toolchain ") {
            draft.reason(format!(
                "go.mod: toolchain {0} → built with Go {1}",
                toolchain.trim(),
                toolchain.trim().trim_start_matches("go")
            ));
        }
    }
    let root_main = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            let path = entry.path();
            path.extension().is_some_and(|e| e == "go")
                && super::support::read(&path).is_some_and(|text| text.contains("package main"))
        });
    if !root_main {
        let mut commands: Vec<String> = std::fs::read_dir(dir.join("cmd"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.path().is_dir())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        commands.sort();
        // Of several commands, the one named like the module (`cmd/orders`
        // in `…/orders`), else one that serves, else the first.
        let serves = |command: &str| {
            std::fs::read_dir(dir.join("cmd").join(command))
                .into_iter()
                .flatten()
                .flatten()
                .filter(|entry| entry.file_name().to_string_lossy().ends_with(".go"))
                .any(|entry| {
                    let rel = format!("cmd/{command}/{}", entry.file_name().to_string_lossy());
                    super::support::read_in(dir, &rel).is_some_and(|text| {
                        text.contains("ListenAndServe") || text.contains(".Listen(")
                    })
                })
        };
        let chosen = commands
            .iter()
            .find(|command| draft.name.as_deref() == Some(command.as_str()))
            .or_else(|| commands.iter().find(|command| serves(command)))
            .or(commands.first());
        if let Some(first) = chosen {
            let package = format!("./cmd/{first}");
            if commands.len() > 1 {
                draft.reason(format!(
                    "several commands under cmd/: chose `{package}` (named like the module, or serving); set `go.package` for another"
                ));
            } else {
                draft.reason(format!("main package: `{package}`"));
            }
            draft.table("package", package);
        }
    }
    // The main package's files, relative to the project: read through
    // no link (`cmd/x` may be one).
    let main_package = match draft.table.iter().find(|(key, _)| key == "package") {
        Some((_, package)) => package.as_str().unwrap_or(".").to_string(),
        None => String::new(),
    };
    let files = package_files(dir, &main_package);
    if let Some((port, file)) = super::support::port_in_sources(dir, &files) {
        draft.reason(format!("`{file}`: listens on {port} → port {port}"));
        draft.runtime("ports", toml::Value::Array(vec![i64::from(port).into()]));
    }
    Ok(draft)
}

/// The Go files of the package at `package` (relative to `dir`), sorted,
/// relative to `dir`.
fn package_files(dir: &std::path::Path, package: &str) -> Vec<String> {
    let Some(package) = super::support::join_relative("", package) else {
        return Vec::new();
    };
    let mut files: Vec<String> = std::fs::read_dir(dir.join(&package))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".go"))
        .map(|name| match package.as_str() {
            "" => name,
            package => format!("{package}/{name}"),
        })
        .collect();
    files.sort();
    files
}

/// Whether a `//go:embed` directive in the module's Go files (at most
/// three directories down, 256 files) names `path` (relative to the
/// module root): a package that embeds its frontend's build in place,
/// `//go:embed all:dist` in `web/` for `web/dist`.
pub(crate) fn embeds(dir: &std::path::Path, path: &str) -> bool {
    let files = super::support::source_files(dir, &[".go"]);
    files.iter().any(|file| {
        let base = file.rsplit_once('/').map_or("", |(base, _)| base);
        super::support::read_in(dir, file).is_some_and(|text| {
            text.lines()
                .filter_map(|line| line.trim().strip_prefix("//go:embed "))
                .flat_map(str::split_whitespace)
                .filter_map(|pattern| {
                    super::support::join_relative(
                        base,
                        pattern.trim_start_matches("all:").trim_matches('"'),
                    )
                })
                .any(|embedded| embedded == path)
        })
    })
}
