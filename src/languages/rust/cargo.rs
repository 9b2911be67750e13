//! Cargo.toml, read once per process: the package, its workspace, its
//! binaries, and the names shipit may write into a Dockerfile.

/// A package of the workspace: its name, directory relative to the
/// workspace root (empty for the root) and binary targets.
#[derive(Debug)]
pub(super) struct Package {
    pub(super) name: String,
    pub(super) dir: String,
    pub(super) bins: Vec<String>,
    pub(super) default_run: Option<String>,
}

/// The packages of the Cargo project at the build context: the root
/// package, if any, and every `[workspace] members` directory with a
/// Cargo.toml (less `exclude`).
pub(super) fn workspace(dir: &std::path::Path) -> Result<Vec<Package>, (String, String)> {
    let manifest = cargo_toml(&dir.join("Cargo.toml"))?;
    let mut packages = Vec::new();
    if manifest.contains_key("package") {
        packages.push(package(dir, "", &manifest));
    }
    let workspace = manifest.get("workspace").and_then(toml::Value::as_table);
    let patterns = |key: &str, prefix: &str| -> Result<Vec<String>, (String, String)> {
        let Some(value) = workspace.and_then(|w| w.get(key)) else {
            return Ok(Vec::new());
        };
        let list = value.as_array().map(|list| {
            list.iter()
                .map(|p| p.as_str().map(|p| format!("{prefix}{p}")))
                .collect::<Option<Vec<String>>>()
        });
        list.flatten().ok_or_else(|| {
            (
                format!(
                    "`[workspace] {key}` in `{}` is not a list of paths",
                    dir.join("Cargo.toml").display()
                ),
                format!("write it as Cargo reads it, e.g. `{key} = [\"crates/*\"]`"),
            )
        })
    };
    let mut globs = patterns("members", "")?;
    globs.extend(patterns("exclude", "!")?);
    let members = crate::languages::members::workspace_members(dir, &globs, "Cargo.toml");
    for member in &members.dirs {
        // A file the root names: never read through a link (the walk
        // found which members' Cargo.toml is one).
        let relative = format!("{member}/Cargo.toml");
        if members.linked.contains(member) {
            let refused = crate::input::Refused::Link {
                file: relative.clone(),
                link: relative,
            };
            let refusal = crate::languages::support::refusal("Cargo.toml", &refused);
            return Err((refusal.message, refusal.help.join("; ")));
        }
        let table = cargo_toml(&dir.join(&relative))?;
        if table.contains_key("package") {
            packages.push(package(&dir.join(member), member, &table));
        }
    }
    Ok(packages)
}

pub(super) type Parsed = Result<toml::Table, (String, String)>;

/// Cargo.toml files already read in this process, by path, size and
/// modification time: `check --all` and `bake` plan every member of a
/// workspace, and each of them reads every member's Cargo.toml, which
/// would make a large workspace quadratic.
/// A file's identity for the cache: path, size, modification time.
pub(super) type FileKey = (std::path::PathBuf, u64, std::time::SystemTime);

pub(super) static CARGO_TOMLS: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<FileKey, Parsed>>,
> = std::sync::LazyLock::new(Default::default);

/// A Cargo.toml, parsed, keeping only what shipit reads of it (package,
/// binaries, workspace members, rust-version); an error names it, with the
/// line and column of a syntax error.
pub(super) fn cargo_toml(path: &std::path::Path) -> Parsed {
    let key = std::fs::metadata(path)
        .ok()
        .and_then(|m| Some((path.to_path_buf(), m.len(), m.modified().ok()?)));
    if let Some(key) = &key
        && let Ok(cache) = CARGO_TOMLS.lock()
        && let Some(parsed) = cache.get(key)
    {
        return parsed.clone();
    }
    let parsed = parse_cargo_toml(path).map(|table| pruned(&table));
    if let Some(key) = key
        && let Ok(mut cache) = CARGO_TOMLS.lock()
    {
        cache.insert(key, parsed.clone());
    }
    parsed
}

/// The keys of a Cargo.toml that shipit reads.
pub(super) fn pruned(table: &toml::Table) -> toml::Table {
    let keep = |from: Option<&toml::Value>, keys: &[&str]| -> Option<toml::Value> {
        let from = from?.as_table()?;
        let kept: toml::Table = keys
            .iter()
            .filter_map(|k| from.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        Some(toml::Value::Table(kept))
    };
    let mut out = toml::Table::new();
    if let Some(package) = keep(
        table.get("package"),
        &["name", "autobins", "default-run", "rust-version"],
    ) {
        out.insert("package".into(), package);
    }
    if let Some(bins) = table.get("bin").and_then(toml::Value::as_array) {
        let bins = bins
            .iter()
            .filter_map(|bin| keep(Some(bin), &["name", "path"]))
            .collect();
        out.insert("bin".into(), toml::Value::Array(bins));
    }
    if let Some(workspace) = table.get("workspace").and_then(toml::Value::as_table) {
        let mut kept = match keep(table.get("workspace"), &["members", "exclude"]) {
            Some(toml::Value::Table(kept)) => kept,
            _ => toml::Table::new(),
        };
        if let Some(package) = keep(workspace.get("package"), &["rust-version"]) {
            kept.insert("package".into(), package);
        }
        out.insert("workspace".into(), toml::Value::Table(kept));
    }
    out
}

pub(super) fn parse_cargo_toml(path: &std::path::Path) -> Parsed {
    let Some(text) = crate::languages::support::read(path) else {
        return Err(if path.exists() {
            (
                crate::languages::support::unreadable(path),
                "make it the package's Cargo.toml".to_string(),
            )
        } else {
            (
                format!("no `Cargo.toml` at `{}`", path.display()),
                "run `cargo init` there, or point `build.context` at the workspace root"
                    .to_string(),
            )
        });
    };
    toml::from_str(&text).map_err(|error| {
        let at = error.span().map_or(String::new(), |span| {
            let (line, column) = crate::diagnostic::line_col(&text, span.start);
            format!(":{line}:{column}")
        });
        (
            format!(
                "`{}{at}` is not valid TOML: {}",
                path.display(),
                error.message().trim_end()
            ),
            "fix it so that `cargo metadata` reads it".to_string(),
        )
    })
}

/// A package's name and binaries: `[[bin]]` targets, plus (unless
/// `autobins = false`) `src/main.rs` named after the package and
/// `src/bin/<name>.rs` or `src/bin/<name>/main.rs`.
pub(super) fn package(dir: &std::path::Path, relative: &str, manifest: &toml::Table) -> Package {
    let table = manifest.get("package").and_then(toml::Value::as_table);
    let field = |key: &str| {
        table
            .and_then(|t| t.get(key))
            .and_then(toml::Value::as_str)
            .map(str::to_string)
    };
    let name = field("name").unwrap_or_default();
    let mut bins: Vec<String> = Vec::new();
    let mut explicit_main = false;
    for bin in manifest
        .get("bin")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(bin_name) = bin.get("name").and_then(toml::Value::as_str) {
            bins.push(bin_name.to_string());
            let path = bin.get("path").and_then(toml::Value::as_str);
            explicit_main |= path == Some("src/main.rs") || (path.is_none() && bin_name == name);
        }
    }
    let autobins = table
        .and_then(|t| t.get("autobins"))
        .and_then(toml::Value::as_bool)
        .unwrap_or(true);
    // Links are followed only inside the package, as everywhere else.
    let inside = |path: &std::path::Path| match (path.canonicalize(), dir.canonicalize()) {
        (Ok(path), Ok(dir)) => path.starts_with(dir),
        _ => false,
    };
    if autobins {
        let main = dir.join("src/main.rs");
        if !explicit_main && main.is_file() && inside(&main) {
            bins.push(name.clone());
        }
        let bin_dir = dir.join("src/bin");
        let entries = std::fs::read_dir(&bin_dir)
            .ok()
            .filter(|_| inside(&bin_dir));
        if let Some(entries) = entries {
            for entry in entries.flatten() {
                let path = entry.path();
                if !inside(&path) {
                    continue;
                }
                let stem = if path.extension().is_some_and(|e| e == "rs") && path.is_file() {
                    path.file_stem()
                } else if path.join("main.rs").is_file() {
                    path.file_name()
                } else {
                    None
                };
                if let Some(stem) = stem.and_then(|s| s.to_str()) {
                    bins.push(stem.to_string());
                }
            }
        }
    }
    bins.sort();
    bins.dedup();
    Package {
        name,
        dir: relative.to_string(),
        bins,
        default_run: field("default-run"),
    }
}

/// A name `cargo -p` / `--bin` takes as it is, and no option.
pub(super) fn is_target_name(name: &str) -> bool {
    crate::plan::rules::made_of(name, "_-") && !name.starts_with('-')
}
