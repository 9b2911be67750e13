//! A start script that runs TypeScript through a development loader
//! (`tsx src/index.ts`): what the production image runs instead is the
//! JavaScript `tsc` writes, read from the tsconfig the build uses.

use std::path::Path;

use super::built::{after_json_key, json_string};
use crate::languages::support::{file_in, join_relative, read_in, source_files};

/// What a tsconfig says about where `tsc` writes, after its `extends`
/// chain: paths relative to the project.
#[derive(Debug, Default, PartialEq)]
struct TsConfig {
    out_dir: Option<String>,
    root_dir: Option<String>,
    include: Option<Vec<String>>,
    no_emit: bool,
}

/// How many tsconfigs an `extends` chain is followed through.
const MAX_EXTENDS: usize = 4;

/// The tsconfig at `file` (relative to `dir`), with what the configs it
/// `extends` (inside the project) add; `None` when it cannot be read.
/// tsconfig is JSON with comments and trailing commas: values are read
/// by their keys rather than parsed.
fn read_tsconfig(dir: &Path, file: &str) -> Option<TsConfig> {
    let mut config = TsConfig::default();
    let mut next = Some(file.to_string());
    let mut read_one = false;
    for _ in 0..MAX_EXTENDS {
        let Some(file) = next.take() else { break };
        let Some(text) = read_in(dir, &file) else {
            break;
        };
        let text = super::built::without_comments(&text);
        read_one = true;
        // Paths in a tsconfig are relative to its own directory.
        let base = file.rsplit_once('/').map_or("", |(base, _)| base);
        // (`"."` is the config's own directory: `""` at the project's root)
        let path = |key: &str| json_string(&text, key).and_then(|v| join_relative(base, &v));
        config.out_dir = config.out_dir.or_else(|| path("outDir"));
        config.root_dir = config.root_dir.or_else(|| path("rootDir"));
        if config.include.is_none() {
            config.include = strings_value(&text, "include").map(|list| {
                list.iter()
                    .filter_map(|item| join_relative(base, item))
                    .collect()
            });
        }
        config.no_emit |= bool_value(&text, "noEmit");
        next = json_string(&text, "extends")
            .filter(|extends| extends.starts_with('.'))
            .and_then(|extends| join_relative(base, &extends))
            .map(|extends| match extends.ends_with(".json") {
                true => extends,
                false => format!("{extends}.json"),
            });
    }
    read_one.then_some(config)
}

fn strings_value(text: &str, key: &str) -> Option<Vec<String>> {
    let list = after_json_key(text, key)?.strip_prefix('[')?;
    let list = &list[..list.find(']')?];
    Some(
        list.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect(),
    )
}

fn bool_value(text: &str, key: &str) -> bool {
    after_json_key(text, key).is_some_and(|value| value.starts_with("true"))
}

/// The directory holding every path of `paths` (files), `""` for the
/// project's root.
fn common_dir<'a>(paths: impl Iterator<Item = &'a str>) -> String {
    let mut common: Option<Vec<&str>> = None;
    for path in paths {
        let parts: Vec<&str> = path.split('/').collect();
        let dirs = &parts[..parts.len() - 1];
        common = Some(match common {
            None => dirs.to_vec(),
            Some(common) => common
                .iter()
                .zip(dirs)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    common.unwrap_or_default().join("/")
}

/// Where `tsc` takes the paths of its outputs from: `rootDir`, else the
/// directory holding every input, as tsc computes it: the literal
/// directories of `include` (`src/**/*` → `src`), else every TypeScript
/// file of the project (not declarations, not the output).
fn root_dir(dir: &Path, config: &TsConfig, out: &str) -> String {
    if let Some(root) = &config.root_dir {
        return root.clone();
    }
    if let Some(include) = &config.include {
        let literal: Vec<String> = include
            .iter()
            .map(|pattern| {
                let parts: Vec<&str> = pattern
                    .split('/')
                    .take_while(|p| !p.contains(['*', '?', '[', '{']))
                    .collect();
                // A file (`src/index.ts`) stands for its directory.
                let whole = parts.len() == pattern.split('/').count();
                match parts.last() {
                    Some(last) if whole && last.contains('.') => parts.join("/"),
                    _ => format!("{}/x", parts.join("/")),
                }
            })
            .collect();
        return common_dir(literal.iter().map(|p| p.trim_start_matches('/')));
    }
    let inputs: Vec<String> = source_files(dir, &[".ts", ".tsx", ".mts", ".cts"])
        .into_iter()
        .filter(|file| !file.ends_with(".d.ts") && !file.starts_with(&format!("{out}/")))
        .collect();
    common_dir(inputs.iter().map(String::as_str))
}

/// The tsconfig `scripts.build` compiles with: `tsc -p FILE` (or
/// `--project`; a directory stands for its tsconfig.json), else
/// tsconfig.json.
fn build_tsconfig(script: &str) -> String {
    let words: Vec<&str> = script.split_whitespace().collect();
    words
        .windows(2)
        .find(|pair| pair[0] == "-p" || pair[0] == "--project")
        .and_then(|pair| join_relative("", pair[1]))
        .filter(|path| !path.is_empty())
        .map(|path| match path.ends_with(".json") {
            true => path,
            false => format!("{path}/tsconfig.json"),
        })
        .unwrap_or_else(|| "tsconfig.json".to_string())
}

/// The TypeScript file `scripts.start` runs and the loader that runs it
/// (`tsx src/index.ts`, `ts-node src/index.ts`, `node --import tsx
/// src/index.ts`): `None` when it runs no TypeScript.
fn typescript_start(start: &str) -> Option<(String, String)> {
    let start = super::built::start_command(start);
    let start = start.as_str();
    let mut words = start.split_whitespace();
    let runner = words.next()?;
    let (file, loader) = match runner {
        // The first TypeScript file among the words: past `tsx watch` and
        // the loader's options with their values (`-r tsconfig-paths/register`).
        "tsx" | "ts-node" | "ts-node-esm" => (
            words.find(|w| !w.starts_with('-') && typescript(w))?,
            runner.to_string(),
        ),
        "node" => {
            let args = start.strip_prefix("node ")?;
            let loader = ["tsx", "ts-node"]
                .into_iter()
                .find(|loader| args.split_whitespace().any(|w| w.starts_with(loader)))
                .unwrap_or("node's type stripping");
            (super::built::script_of_node(args)?, loader.to_string())
        }
        _ => return None,
    };
    let file = join_relative("", file).filter(|f| !f.is_empty())?;
    typescript(&file).then_some((file, loader))
}

fn typescript(file: &str) -> bool {
    [".ts", ".mts", ".cts", ".tsx"]
        .iter()
        .any(|ext| file.ends_with(ext))
}

/// For a `scripts.start` that runs TypeScript through a loader: the
/// JavaScript `scripts.build` compiles it into, and why (`Ok`), or why
/// there is none (`Err`): no build script, a tsconfig without `outDir`
/// or with `noEmit`, a file tsc does not compile. `None` when the start
/// script runs no TypeScript. The loaders are development tools: the
/// production image runs what `tsc` writes, the path below the root
/// directory below `outDir`, `.ts` → `.js`, `.mts` → `.mjs`, `.cts` →
/// `.cjs`.
pub(super) fn compiled_start(
    dir: &Path,
    package: &serde_json::Value,
) -> Option<Result<(String, String), String>> {
    let start = package["scripts"]["start"].as_str()?;
    let (file, loader) = typescript_start(start)?;
    let shown = crate::text::shown_value(&file);
    let runs =
        format!("package.json: scripts.start runs `{shown}` with {loader}, a development loader");
    Some((|| {
        if !file_in(dir, &file) {
            return Err(format!("{runs}, and the file is not in the project"));
        }
        let Some(script) = package["scripts"]["build"].as_str() else {
            return Err(format!(
                "{runs}, and no `scripts.build` compiles it: add one (`tsc`) writing to tsconfig's outDir, or set `node.entry`"
            ));
        };
        let tsconfig = build_tsconfig(script);
        let shown_config = crate::text::shown_value(&tsconfig);
        let Some(config) = read_tsconfig(dir, &tsconfig) else {
            return Err(format!(
                "{runs}, and `{shown_config}` cannot be read: set `node.entry`"
            ));
        };
        if config.no_emit {
            return Err(format!(
                "{runs}, and `{shown_config}` sets `noEmit`: tsc writes no JavaScript to run; set `node.entry`"
            ));
        }
        let Some(out) = config.out_dir.clone() else {
            return Err(format!(
                "{runs}, and `{shown_config}` has no `outDir`: set `node.entry` to what the build writes"
            ));
        };
        let root = root_dir(dir, &config, &out);
        let (stem, js) = [
            (".ts", "js"),
            (".tsx", "js"),
            (".mts", "mjs"),
            (".cts", "cjs"),
        ]
        .iter()
        .find_map(|(ts, js)| file.strip_suffix(ts).map(|stem| (stem, *js)))
        .unwrap_or((&file, "js"));
        let below = match root.as_str() {
            "" => Some(stem),
            root => stem.strip_prefix(&format!("{root}/")),
        };
        let Some(below) = below else {
            return Err(format!(
                "{runs}, outside the directory `{shown_config}` compiles (`{root}`): set `node.entry`"
            ));
        };
        let compiled = match out.as_str() {
            "" => format!("{below}.{js}"),
            out => format!("{out}/{below}.{js}"),
        };
        Ok((
            compiled.clone(),
            format!(
                "{runs}; `scripts.build` (`{}`) compiles it with `{shown_config}` into `{}` → node runtime",
                crate::text::shown_value(script),
                crate::text::shown_value(&compiled),
            ),
        ))
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(files: &[(&str, &str)], start: &str, build: &str) -> Result<String, String> {
        let dir = crate::languages::support::tree(files);
        let package = serde_json::json!({"scripts": {"start": start, "build": build}});
        compiled_start(dir.path(), &package)
            .expect("runs TypeScript")
            .map(|(entry, _)| entry)
    }

    #[test]
    fn the_root_directory_is_the_one_tsc_computes() {
        let src = ("src/index.ts", "");
        // rootDir, else include, else every input.
        let cases: [(&[(&str, &str)], &str); 6] = [
            (
                &[
                    src,
                    (
                        "tsconfig.json",
                        r#"{"compilerOptions": {"outDir": "dist", "rootDir": "src"}}"#,
                    ),
                ],
                "dist/index.js",
            ),
            (
                &[
                    src,
                    (
                        "tsconfig.json",
                        r#"{"compilerOptions": {"outDir": "dist"}, "include": ["src/**/*"]}"#,
                    ),
                ],
                "dist/index.js",
            ),
            (
                &[
                    src,
                    (
                        "tsconfig.json",
                        r#"{"compilerOptions": {"outDir": "dist"}}"#,
                    ),
                ],
                "dist/index.js",
            ),
            // A config file at the root makes the root the common one.
            (
                &[
                    src,
                    ("vitest.config.ts", ""),
                    (
                        "tsconfig.json",
                        r#"{"compilerOptions": {"outDir": "dist"}}"#,
                    ),
                ],
                "dist/src/index.js",
            ),
            // `"rootDir": "."` is the project's root; a commented-out
            // outDir is no outDir.
            (
                &[
                    src,
                    (
                        "tsconfig.json",
                        "{ // \"outDir\": \"nope\",\n \"compilerOptions\": {\"outDir\": \"./build/\", \"rootDir\": \".\"}}",
                    ),
                ],
                "build/src/index.js",
            ),
            // Declarations and the output are no inputs.
            (
                &[
                    src,
                    ("types.d.ts", ""),
                    ("dist/old.ts", ""),
                    (
                        "tsconfig.json",
                        r#"{"compilerOptions": {"outDir": "dist"}}"#,
                    ),
                ],
                "dist/index.js",
            ),
        ];
        for (files, entry) in cases {
            assert_eq!(
                compiled(files, "tsx src/index.ts", "tsc").as_deref(),
                Ok(entry),
                "{files:?}"
            );
        }
    }

    #[test]
    fn the_build_s_own_tsconfig_and_what_it_extends_are_read() {
        let files = [
            ("src/app.mts", ""),
            ("tsconfig.json", r#"{"compilerOptions": {"noEmit": true}}"#),
            (
                "tsconfig.base.json",
                r#"{"compilerOptions": {"outDir": "build", "rootDir": "src"}}"#,
            ),
            (
                "tsconfig.build.json",
                r#"{"extends": "./tsconfig.base.json"}"#,
            ),
        ];
        assert_eq!(
            compiled(
                &files,
                "node --import tsx src/app.mts",
                "tsc -p tsconfig.build.json"
            )
            .as_deref(),
            Ok("build/app.mjs")
        );
        // The default tsconfig emits nothing.
        let error = compiled(&files, "tsx src/app.mts", "tsc").unwrap_err();
        assert!(error.contains("sets `noEmit`"), "{error}");
    }

    #[test]
    fn a_start_without_a_way_to_compile_says_why() {
        let config = (
            "tsconfig.json",
            r#"{"compilerOptions": {"outDir": "dist", "rootDir": "server"}}"#,
        );
        let error =
            compiled(&[("src/index.ts", ""), config], "tsx src/index.ts", "tsc").unwrap_err();
        assert!(error.contains("outside the directory"), "{error}");
        let dir = crate::languages::support::tree(&[("src/index.ts", ""), config]);
        let package = serde_json::json!({"scripts": {"start": "tsx src/index.ts"}});
        let error = compiled_start(dir.path(), &package).unwrap().unwrap_err();
        assert!(error.contains("no `scripts.build`"), "{error}");
        let package = serde_json::json!({"scripts": {"start": "node server.js"}});
        assert!(compiled_start(dir.path(), &package).is_none());
        for start in [
            "tsx watch src/index.ts",
            "ts-node -r tsconfig-paths/register src/index.ts",
            "cross-env NODE_ENV=production tsx src/index.ts",
        ] {
            let package = serde_json::json!({"scripts": {"start": start, "build": "tsc"}});
            let error = compiled_start(dir.path(), &package).unwrap().unwrap_err();
            assert!(error.contains("outside the directory"), "{start}: {error}");
        }
    }
}
