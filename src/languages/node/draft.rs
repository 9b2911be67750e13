//! `init` for Node: the starter manifest from package.json, with an entry
//! file that exists, the mode that runs it, and the port it listens on.

use super::managers::detect_manager;

/// From package.json: the name; `bin` (a CLI: pkg mode) or `main`, or the
/// file `scripts.start` runs (a service: runtime mode) as the entry; the
/// major version of `engines.node`.
pub(super) fn detect(
    dir: &std::path::Path,
    root: &std::path::Path,
    chosen: Option<&str>,
) -> anyhow::Result<crate::languages::support::Draft> {
    use anyhow::Context as _;
    let mut draft = crate::languages::support::Draft::default();
    let read = |dir: &std::path::Path| -> anyhow::Result<serde_json::Value> {
        let path = dir.join("package.json");
        let text = crate::languages::support::read(&path)
            .with_context(|| format!("cannot read `{}` as UTF-8 text", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("`{}` is not valid JSON", path.display()))
    };
    let package = read(dir)?;
    // A workspace's manager is its root's: `packageManager` and the
    // lockfile are there.
    let manager = match root == dir {
        true => detect_manager(dir, &package, chosen, &mut draft)?,
        false => detect_manager(root, &read(root)?, chosen, &mut draft)?,
    };
    if let Some(name) = package["name"].as_str() {
        draft.name = Some(name.rsplit('/').next().unwrap_or(name).to_string());
        draft.reason(format!("package.json: name `{name}`"));
    }
    // `.nvmrc` (here or at the workspace root) comes before engines: the
    // plan reads it, so nothing is written.
    let pinned = [dir, root]
        .iter()
        .flat_map(|d| [".nvmrc", ".node-version"].map(|f| (f, d.join(f))))
        .find(|(_, path)| path.is_file());
    if let Some((file, _)) = pinned {
        draft.reason(format!(
            "{file}: the build reads its Node from it (no `build.version`)"
        ));
    } else if let Some(range) = package["engines"]["node"].as_str() {
        // The plan reads the range itself and picks a Node it allows (never
        // an end-of-life one for `>=18`): written down, its lower bound
        // would freeze an old Node.
        draft.reason(format!(
            "package.json: engines.node `{}`: the build picks the Node it allows (no `build.version`)",
            crate::text::shown_value(range)
        ));
    }
    let bin = match &package["bin"] {
        serde_json::Value::String(path) => Some(path.clone()),
        serde_json::Value::Object(map) => map.values().find_map(|v| v.as_str().map(str::to_string)),
        _ => None,
    };
    let start = package["scripts"]["start"]
        .as_str()
        .map(super::built::start_command)
        .and_then(|command| {
            command
                .strip_prefix("node ")
                .and_then(super::built::script_of_node)
                .map(str::to_string)
        });
    if super::next::detect(dir, root, &package, manager, &mut draft) {
        draft.table("manager", manager.key());
        return Ok(draft);
    }
    // A start script that runs TypeScript through a loader: what tsc
    // writes, or why there is none (and the TypeScript is no entry).
    let compiled = bin
        .is_none()
        .then(|| super::typescript::compiled_start(dir, &package))
        .flatten();
    let (entry, mode, built) = match compiled {
        Some(Ok((entry, why))) => {
            draft.reason(why);
            (Some(entry), "runtime", true)
        }
        Some(Err(why)) => {
            draft.reason(why);
            entry_and_mode(dir, &package, bin, None, &mut draft)
        }
        None => entry_and_mode(dir, &package, bin, start, &mut draft),
    };
    if built {
        let step = super::built::in_member(dir, root, &super::built::run_script(manager, "build"));
        draft.reason(format!("the entry is build output → build.steps `{step}`"));
        draft.build("steps", toml::Value::Array(vec![step.into()]));
    }
    if let Some(entry) = entry {
        let source = super::built::source_of(dir, &entry);
        if let Some((port, how)) = listen_port(dir, &source) {
            let shown = crate::text::shown_value(&source);
            draft.reason(format!("`{shown}`: {how} → port {port}"));
            draft.runtime("ports", toml::Value::Array(vec![i64::from(port).into()]));
        }
        draft.table("entry", entry);
    }
    draft.table("mode", mode);
    draft.table("manager", manager.key());
    Ok(draft)
}

/// The entry (a file that exists: `bin`, the file `scripts.start` runs,
/// `main`, `index.js`; or one of those that `scripts.build` makes), the
/// mode, and whether the build makes the entry. A `bin` is one executable
/// (pkg) only when it exists before a build, is CommonJS, and the package
/// serves no files (`public/`, `static/`): else node runs it as it is.
fn entry_and_mode(
    dir: &std::path::Path,
    package: &serde_json::Value,
    bin: Option<String>,
    start: Option<String>,
    draft: &mut crate::languages::support::Draft,
) -> (Option<String>, &'static str, bool) {
    // In the project, reached through no link (`k -> /proc`).
    let exists = |file: &str| crate::languages::support::file_in(dir, file);
    // Only a path inside the project: an absolute one, or one that climbs
    // out (`/proc/kmsg`, `../x`), is never read nor run.
    let mut clean = |file: &str| {
        let inside = crate::languages::support::join_relative("", file).filter(|f| !f.is_empty());
        if inside.is_none() {
            draft.reason(format!(
                "package.json: `{}` is not a path inside the project: not used",
                crate::text::shown_value(file)
            ));
        }
        inside
    };
    let bin = bin.and_then(|b| clean(&b));
    let start = start.and_then(|s| clean(&s));
    let main = package["main"].as_str().and_then(&mut clean);
    if let Some(bin) = bin {
        let esm = package["type"].as_str() == Some("module") || bin.ends_with(".mjs");
        let serves = ["public", "static"]
            .into_iter()
            .find(|d| dir.join(d).is_dir());
        match (exists(&bin), esm, serves) {
            (true, false, None) => {
                draft.reason(format!("package.json: bin `{bin}` → one executable (pkg)"));
                return (Some(bin), "pkg", false);
            }
            (false, _, _) => draft.reason(format!(
                "package.json: bin `{bin}` does not exist before a build → node runtime"
            )),
            (true, true, _) => {
                draft.reason(format!(
                    "package.json: bin `{bin}` is an ES module → node runtime"
                ));
                return (Some(bin), "runtime", false);
            }
            (true, false, Some(served)) => {
                draft.reason(format!(
                    "package.json: bin `{bin}`, but the package serves `{served}/` → node runtime"
                ));
                return (Some(bin), "runtime", false);
            }
        }
    }
    let candidates = [
        (start, "scripts.start runs"),
        (main, "main"),
        (Some("index.js".to_string()), "the default"),
    ];
    for (file, from) in candidates {
        let Some(file) = file else { continue };
        if exists(&file) {
            draft.reason(format!("package.json: {from} `{file}` → node runtime"));
            return (Some(file), "runtime", false);
        }
        if from != "the default"
            && let Some(why) = super::built::made_by_build(dir, package, &file)
        {
            draft.reason(format!(
                "package.json: {from} `{file}`, not in the project: it is in {why} → node runtime"
            ));
            return (Some(file), "runtime", true);
        }
        if from != "the default" {
            draft.reason(format!(
                "package.json: {from} `{file}`, which does not exist"
            ));
        }
    }
    draft.reason("no entry file found: set `node.entry` to the script node runs");
    (None, "runtime", false)
}

/// The port a server listens on when its entry says so with a literal:
/// `listen(3000)`, `listen(process.env.PORT || 3000)`, or a port variable
/// read as `process.env.PORT || 3000` (`??`, `Number(process.env.PORT)`,
/// a quoted `'3000'` alike) and passed to `listen`.
fn listen_port(dir: &std::path::Path, entry: &str) -> Option<(u16, String)> {
    let text = crate::languages::support::read_in(dir, entry)?;
    let port = |literal: &str| literal.trim().parse::<u16>().ok().filter(|p| *p > 0);
    // What follows `.listen(`, up to 200 bytes: a call's first argument
    // is short, and an unclosed call must not read the rest of the file
    // once per call.
    let args_of = |at: usize| {
        let rest = &text[at + ".listen(".len()..];
        let mut end = rest.len().min(200);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        rest[..end].split([')', ',']).next()
    };
    let in_call = text.match_indices(".listen(").find_map(|(at, _)| {
        let args = args_of(at)?;
        let port = port(args.rsplit(['|', '?', ':', ' ']).next()?)?;
        Some((port, format!("listen({port})")))
    });
    if in_call.is_some() || !text.contains(".listen(") {
        return in_call;
    }
    let digits_of = |value: &str| -> String {
        value
            .trim_start()
            .trim_start_matches(['\'', '"', '`'])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    let from_env = text.lines().find_map(|line| {
        let (before, after) = line.split_once("||").or_else(|| line.split_once("??"))?;
        // A string literal as well (express-generator's
        // `normalizePort(process.env.PORT || '3000')`).
        let port = before.contains("PORT").then(|| port(&digits_of(after)))??;
        Some((port, format!("`PORT` or {port}, passed to listen")))
    });
    if from_env.is_some() {
        return from_env;
    }
    // A variable passed to listen, set to a literal: `const port = 3000;`
    // … `app.listen(port)`.
    text.match_indices(".listen(").take(16).find_map(|(at, _)| {
        let name = args_of(at)?.trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        {
            return None;
        }
        text.lines().find_map(|line| {
            let code = line.trim_start();
            let code = ["const ", "let ", "var "]
                .iter()
                .find_map(|keyword| code.strip_prefix(keyword))?;
            let value = code.strip_prefix(name)?.trim_start().strip_prefix('=')?;
            let port = port(&digits_of(value))?;
            Some((port, format!("`{name} = {port}`, passed to listen")))
        })
    })
}
