//! Entries that a build makes: TypeScript's `outDir`, a `dist/` that
//! `scripts.build` writes. `init` drafts the build step that makes them
//! and reads the port from their source; the plan warns about an entry
//! that nothing makes.

use std::path::Path;

use crate::manifest::NodeManager;

/// Directories that build scripts conventionally write into.
const BUILD_DIRS: [&str; 4] = ["dist", "build", "out", "lib"];

/// tsconfig.json's `compilerOptions.outDir` (or `rootDir`), without a
/// leading `./` or a trailing `/`. tsconfig is JSON with comments and
/// trailing commas, so the value is read by its key rather than parsed.
pub(super) fn tsconfig_dir(dir: &Path, key: &str) -> Option<String> {
    let text = without_comments(&crate::languages::support::read(
        &dir.join("tsconfig.json"),
    )?);
    let value = json_string(&text, key)?;
    // Only a directory inside the project: `/x` and `../x` are not read.
    crate::languages::support::join_relative("", &value).filter(|v| !v.is_empty())
}

/// The text after the first `"key"` of JSON with comments (once they are
/// taken out: [`without_comments`]) and its `:`.
pub(super) fn after_json_key<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let quoted = format!("\"{key}\"");
    let after = &text[text.find(&quoted)? + quoted.len()..];
    Some(after.trim_start().strip_prefix(':')?.trim_start())
}

/// The string value of the first `"key"` ([`after_json_key`]).
pub(super) fn json_string(text: &str, key: &str) -> Option<String> {
    let value = after_json_key(text, key)?.strip_prefix('"')?;
    Some(value[..value.find('"')?].to_string())
}

/// JSON with comments (tsconfig's) without them: `// …` and `/* … */`
/// outside strings, so a commented-out `"outDir"` is not read.
pub(super) fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut previous = ' ';
                for c in chars.by_ref() {
                    if previous == '*' && c == '/' {
                        break;
                    }
                    previous = c;
                }
                out.push(' ');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Why `file`, which is not in the project, is what `scripts.build`
/// makes: it lies in tsconfig's `outDir`, or in a conventional build
/// directory. `None` without a build script, or for any other path.
pub(super) fn made_by_build(dir: &Path, package: &serde_json::Value, file: &str) -> Option<String> {
    let script = package["scripts"]["build"].as_str()?;
    if let Some(out) = tsconfig_dir(dir, "outDir")
        && file.starts_with(&format!("{out}/"))
    {
        return Some(format!(
            "tsconfig.json's outDir `{out}/`, which `scripts.build` (`{script}`) writes"
        ));
    }
    let first = file.split('/').next()?;
    (file.contains('/') && BUILD_DIRS.contains(&first))
        .then(|| format!("`{first}/`, which `scripts.build` (`{script}`) writes"))
}

/// The command of a `scripts.start` that starts the program: the last of
/// `a && b`, without the environment set before it (`NODE_ENV=production
/// node app.js`, `cross-env NODE_ENV=production node app.js`).
pub(super) fn start_command(script: &str) -> String {
    let last = script.rsplit("&&").next().unwrap_or(script);
    let words: Vec<&str> = last
        .split_whitespace()
        .skip_while(|word| word.contains('=') || ["cross-env", "env"].contains(word))
        .collect();
    words.join(" ")
}

/// The script `node [options] script [args]` runs: node's own options
/// are skipped, with the value of those that take one (`-r dotenv/config`,
/// `--require ./tracing.js`, `--import tsx`).
pub(super) fn script_of_node(args: &str) -> Option<&str> {
    const TAKE_A_VALUE: [&str; 9] = [
        "-r",
        "--require",
        "--import",
        "--loader",
        "--experimental-loader",
        "--env-file",
        "--title",
        "-C",
        "--conditions",
    ];
    let mut words = args.split_whitespace();
    while let Some(word) = words.next() {
        if TAKE_A_VALUE.contains(&word) {
            words.next();
        } else if !word.starts_with('-') {
            return Some(word);
        }
    }
    None
}

/// The command that runs package.json's `script` with `manager`.
pub(super) fn run_script(manager: NodeManager, script: &str) -> String {
    match manager {
        NodeManager::Npm => format!("npm run {script}"),
        NodeManager::Pnpm => format!("pnpm run {script}"),
        NodeManager::Yarn => format!("yarn {script}"),
    }
}

/// A build step as it runs from the build context: for a workspace
/// member built from the root, pnpm runs the script in the member and,
/// first, in the workspace packages it depends on (`--filter
/// '{member}...'`: their `dist/` is what the member imports); other
/// managers run it in the member's own directory.
pub(super) fn in_member(dir: &std::path::Path, root: &std::path::Path, step: &str) -> String {
    let canonical = |p: &std::path::Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    match canonical(dir).strip_prefix(canonical(root)) {
        Ok(member) if !member.as_os_str().is_empty() => in_dir(&member.display().to_string(), step),
        _ => step.to_string(),
    }
}

/// `step` run for the workspace package at `member` (relative to the
/// root), as [`in_member`] says.
pub(super) fn in_dir(member: &str, step: &str) -> String {
    match step.strip_prefix("pnpm run ") {
        Some(script) => format!(
            "pnpm --filter {} run {script}",
            crate::text::shell_word(&format!("{{{member}}}..."))
        ),
        None => format!("cd {} && {step}", crate::text::shell_word(member)),
    }
}

/// The file the port is read from: the entry, or, for an entry the build
/// makes from TypeScript, its source (`dist/server.js` ←
/// `src/server.ts`, under tsconfig's `rootDir`, else `src/`).
pub(super) fn source_of(dir: &Path, entry: &str) -> String {
    let inside = |rel: &str| crate::languages::support::file_in(dir, rel);
    if inside(entry) {
        return entry.to_string();
    }
    let Some(out) = tsconfig_dir(dir, "outDir") else {
        return entry.to_string();
    };
    let Some(rest) = entry.strip_prefix(&format!("{out}/")) else {
        return entry.to_string();
    };
    let stem = rest
        .strip_suffix(".js")
        .or_else(|| rest.strip_suffix(".mjs"))
        .or_else(|| rest.strip_suffix(".cjs"))
        .unwrap_or(rest);
    let roots = [tsconfig_dir(dir, "rootDir"), Some("src".to_string()), None];
    roots
        .iter()
        .flat_map(|root| {
            ["ts", "mts", "cts", "tsx"].map(|ext| match root {
                Some(root) => format!("{root}/{stem}.{ext}"),
                None => format!("{stem}.{ext}"),
            })
        })
        .find(|candidate| inside(candidate))
        .unwrap_or_else(|| entry.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_dir_is_read_from_tsconfig_with_comments() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("tsconfig.json"),
            "{\n  // output\n  \"compilerOptions\": { \"outDir\" : \"./build/\", },\n}\n",
        )
        .unwrap();
        assert_eq!(tsconfig_dir(dir.path(), "outDir").as_deref(), Some("build"));
        assert_eq!(tsconfig_dir(dir.path(), "rootDir"), None);
    }

    #[test]
    fn comments_are_not_read_as_values() {
        let text = "{ // \"outDir\": \"nope\",\n /* \"rootDir\": \"x\" */ \"compilerOptions\": {\"outDir\": \"a//b\", \"x\": \"\\\"/*\"}}";
        let clean = without_comments(text);
        assert!(
            !clean.contains("nope") && !clean.contains("rootDir"),
            "{clean}"
        );
        assert!(
            clean.contains("\"a//b\"") && clean.contains("\"\\\"/*\""),
            "{clean}"
        );
    }

    #[test]
    fn the_start_command_is_the_last_without_its_environment() {
        for (script, command) in [
            ("node app.js", "node app.js"),
            ("npm run build && node dist/index.js", "node dist/index.js"),
            ("NODE_ENV=production node app.js", "node app.js"),
            (
                "cross-env NODE_ENV=production PORT=80 tsx src/index.ts",
                "tsx src/index.ts",
            ),
        ] {
            assert_eq!(start_command(script), command);
        }
    }

    #[test]
    fn only_files_in_build_directories_are_made_by_the_build() {
        let dir = tempfile::tempdir().unwrap();
        let package = serde_json::json!({"scripts": {"build": "tsc"}});
        assert!(made_by_build(dir.path(), &package, "dist/server.js").is_some());
        assert!(made_by_build(dir.path(), &package, "server.js").is_none());
        let none = serde_json::json!({});
        assert!(made_by_build(dir.path(), &none, "dist/server.js").is_none());
    }
}
