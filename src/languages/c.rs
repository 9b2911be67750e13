//! C: compiled in `ubuntu:<v>` with `build-essential`, only the binary
//! copied onto the same `ubuntu:<v>` (same glibc), or onto `scratch` when
//! linked statically.

use serde::Serialize;

use crate::manifest::Compiler;
use crate::plan::context::{Cx, LanguageDefaults};
use crate::plan::image::PackageManager;

pub(crate) struct C;

impl super::support::Support for C {
    fn defaults(&self, cx: &mut Cx) -> LanguageDefaults {
        defaults(cx)
    }

    fn recognises(&self, dir: &std::path::Path) -> bool {
        recognises(dir)
    }

    fn without_libc(&self) -> Option<&'static str> {
        Some("`c.static = true`")
    }

    fn looked_for(&self) -> &'static str {
        "`*.c` files"
    }

    fn starter(&self) -> &'static str {
        "a `main.c`"
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

const VERSION: &str = "24.04";

#[derive(Serialize)]
struct Settings {
    sources: Vec<String>,
    output: String,
    compiler: &'static str,
    flags: Vec<String>,
    libs: Vec<String>,
    #[serde(rename = "static")]
    static_: bool,
}

fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.c.clone().unwrap_or_default();
    let version = cx.version(VERSION, None);
    for (index, source) in table.sources.iter().enumerate() {
        cx.context_path(&format!("c.sources[{index}]"), source);
    }
    if table.sources.is_empty() && cx.manifest.build.steps.is_none() {
        cx.error(
            "c",
            "nothing to compile: `c.sources` is empty and `build.steps` is not set",
            "list the sources, e.g. `sources = [\"app/hello.c\"]`, or build with `build.steps = [\"make\"]`",
        );
    }
    let output = table.output.unwrap_or_else(|| cx.manifest.name.clone());
    cx.file_name("c.output", &output);
    // The program's sources: those listed, else (a Makefile's build)
    // the project's.
    let sources = match table.sources.is_empty() {
        // Only when one file defines `main`: the program is then known.
        // (Read on every plan: a project of more sources than the
        // argument scan reads is not looked into.)
        true => match c_sources(&cx.context) {
            all if all.len() <= MAX_SCANNED => match mains(&cx.context, &all) {
                one if one.len() == 1 => one,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
        false => table.sources.clone(),
    };
    let custom = cx.manifest.runtime.entrypoint.is_some();
    super::arguments::warn_needs_argument(cx, &sources, custom);
    for (index, lib) in table.libs.iter().enumerate() {
        cx.file_name(&format!("c.libs[{index}]"), lib);
    }
    let flags = table.flags.unwrap_or_else(|| vec!["-O2".into()]);
    for (index, flag) in flags.iter().enumerate() {
        if !flag.starts_with('-') {
            cx.error(
                &format!("c.flags[{index}]"),
                format!("`c.flags[{index}]` = `{flag}` is not a compiler flag"),
                "flags start with `-`, e.g. `-O2` or `-Wall`; sources go in `c.sources`",
            );
        }
    }

    let builder_image = format!("ubuntu:{version}");
    let toolchain = match PackageManager::for_image(
        cx.manifest.build.image.as_deref().unwrap_or(&builder_image),
    ) {
        PackageManager::Apt => "build-essential",
        PackageManager::Apk => "build-base",
    };
    let compiler = table.compiler.unwrap_or(Compiler::Gcc);
    // The CA bundle the final stage copies from the builder.
    let mut build_packages = vec![toolchain.to_string(), "ca-certificates".to_string()];
    if matches!(compiler, Compiler::Clang | Compiler::Clangxx) {
        build_packages.push("clang".into());
    }

    let (artifacts, entrypoint) = super::support::program(&output);
    LanguageDefaults {
        runtime_base: if table.static_ {
            "scratch".into()
        } else {
            builder_image.clone()
        },
        builder_image,
        build_workdir: "/src".into(),
        build_env: Default::default(),
        helpers: Default::default(),
        build_packages,
        runtime_packages: Vec::new(),
        artifacts,
        entrypoint: Some(entrypoint),
        runtime_workdir: None,
        init: false,
        links_libc: !table.static_,
        version,
        ignore: vec!["**/*.o".into(), "**/*.a".into(), "**/*.so".into()],
        settings: serde_json::to_value(Settings {
            sources: table.sources.iter().map(|s| cx.in_context(s)).collect(),
            output,
            compiler: compiler.command(),
            flags,
            libs: table.libs,
            static_: table.static_,
        })
        .unwrap_or_default(),
    }
}

/// C sources make a C project; a Makefile alone does not (it may only
/// run `go` or `cargo`).
fn recognises(dir: &std::path::Path) -> bool {
    !c_sources(dir).is_empty()
}

/// `*.c` files up to three directories deep, skipping hidden ones, sorted.
fn c_sources(dir: &std::path::Path) -> Vec<String> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, depth: usize, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            // Links are not followed: a link to `.` would list every
            // source again, one level deeper each time.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && depth < 3 {
                walk(root, &path, depth + 1, out);
            } else if kind.is_file()
                && path.extension().is_some_and(|e| e == "c")
                && let Ok(relative) = path.strip_prefix(root)
            {
                out.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    let mut sources = Vec::new();
    walk(dir, dir, 0, &mut sources);
    sources.sort();
    sources
}

/// Names that are never the program: conventional phony targets.
const PHONY: [&str; 8] = [
    "all",
    "install",
    "uninstall",
    "clean",
    "distclean",
    "test",
    "check",
    "default",
];

/// Variables that name the program by convention.
const PROGRAM_VARIABLES: [&str; 5] = ["TARGET", "PROG", "PROGRAM", "BIN", "EXE"];

/// `(target, prerequisites)` of each plain rule, in order: no pattern
/// rules, no variables as targets, no special `.TARGETS`.
fn rules(makefile: &str) -> Vec<(&str, std::rc::Rc<Vec<&str>>)> {
    makefile
        .lines()
        .filter(|line| !line.starts_with(['\t', ' ', '.', '#']))
        .filter_map(|line| line.split_once(':'))
        .filter(|(_, rest)| !rest.starts_with('='))
        .flat_map(|(targets, rest)| {
            // One list of prerequisites shared by every target of the
            // rule: `t1 … tN : d1 … dM` is N + M, not N × M.
            let deps: std::rc::Rc<Vec<&str>> = std::rc::Rc::new(
                rest.split('#')
                    .next()
                    .unwrap_or("")
                    .split_whitespace()
                    .collect(),
            );
            targets
                .split_whitespace()
                .map(move |target| (target, std::rc::Rc::clone(&deps)))
        })
        .filter(|(target, _)| !target.is_empty() && !target.contains(['$', '=', '%']))
        .collect()
}

/// The value of `NAME = value` (any of `=`, `:=`, `?=`), the first set.
fn variable<'a>(makefile: &'a str, name: &str) -> Option<&'a str> {
    makefile.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        let key = key.trim_end_matches([':', '?', '+']).trim();
        let value = value.split('#').next()?.trim();
        (key == name && !value.is_empty() && !value.contains(['$', ' '])).then_some(value)
    })
}

/// The program a Makefile builds, and why that one: what `all` depends
/// on, a `TARGET`/`PROG`/`BIN` variable, a literal `-o NAME`, else the
/// first target that is not phony. `app` when nothing says, with a
/// warning to set `c.output`.
fn makefile_program(makefile: &str) -> (String, String) {
    let phony: Vec<&str> = makefile
        .lines()
        .filter_map(|line| line.strip_prefix(".PHONY:"))
        .flat_map(str::split_whitespace)
        .chain(PHONY)
        .collect();
    let resolve = |name: &str| -> Option<String> {
        let name = match name.strip_prefix("$(").or_else(|| name.strip_prefix("${")) {
            Some(var) => variable(makefile, var.trim_end_matches([')', '}']))?,
            None => name,
        };
        let object = [".o", ".c", ".h", ".a", ".so"]
            .iter()
            .any(|e| name.ends_with(e));
        (!object && !phony.contains(&name) && !name.contains(['$', '/'])).then(|| name.to_string())
    };
    let rules = rules(makefile);
    if let Some(program) = rules
        .iter()
        .filter(|(target, _)| *target == "all")
        .flat_map(|(_, deps)| deps.iter())
        .find_map(|dep| resolve(dep))
    {
        return (program.clone(), format!("`all` builds `{program}`"));
    }
    if let Some((var, program)) = PROGRAM_VARIABLES
        .iter()
        .find_map(|var| Some((var, resolve(variable(makefile, var)?)?)))
    {
        return (
            program.clone(),
            format!("`{var} = {program}` names the program"),
        );
    }
    let output = makefile
        .lines()
        .filter(|line| line.starts_with('\t'))
        .flat_map(|line| line.split_whitespace().skip_while(|w| *w != "-o").nth(1))
        .find_map(resolve);
    if let Some(program) = output {
        return (program.clone(), format!("`-o {program}` names the program"));
    }
    match rules.iter().find_map(|(target, _)| resolve(target)) {
        Some(program) => (
            program.clone(),
            format!("program `{program}`, the first target that is not phony"),
        ),
        None => (
            "app".into(),
            "no target names the program: drafted `app`; set `c.output` and the `cp` in `build.steps` to what `make` builds".into(),
        ),
    }
}

/// A Makefile builds with `make` on every core (installing into a prefix
/// when it has an `install` target that honours `DESTDIR`); otherwise the
/// `*.c` files are compiled together.
fn detect(dir: &std::path::Path) -> anyhow::Result<super::support::Draft> {
    let mut draft = super::support::Draft::default();
    if let Some(makefile) = super::support::read(&dir.join("Makefile")) {
        let targets: Vec<&str> = rules(&makefile).into_iter().map(|(t, _)| t).collect();
        let (program, why) = makefile_program(&makefile);
        draft.reason(format!("Makefile: {why}"));
        // An install target that ignores DESTDIR would install into the
        // builder's /usr/local, not the prefix that is copied out.
        let staged_install = targets.contains(&"install") && makefile.contains("DESTDIR");
        if targets.contains(&"install") && !staged_install {
            draft.reason(
                "Makefile: the `install` target ignores `DESTDIR`, so the program is built with `make` and copied out instead",
            );
        }
        if staged_install {
            draft.reason("Makefile: `make install` into a prefix (it honours `DESTDIR`)");
            draft.build(
                "steps",
                toml::Value::Array(vec![
                    "make -j\"$(nproc)\" install DESTDIR=/install PREFIX=/usr/local prefix=/usr/local"
                        .into(),
                ]),
            );
            draft
                .artifacts
                .push(("/install/usr/local".into(), "/usr/local".into()));
            draft.runtime(
                "entrypoint",
                toml::Value::Array(vec![format!("/usr/local/bin/{program}").into()]),
            );
        } else {
            draft.reason("Makefile: built with `make`, the program copied out");
            draft.build(
                "steps",
                toml::Value::Array(vec![
                    "make -j\"$(nproc)\"".into(),
                    format!("mkdir -p /out && cp {program} /out/{program}").into(),
                ]),
            );
            draft.table("output", program);
        }
        source_port(dir, &mut draft);
        return Ok(draft);
    }
    let (sources, left_out) = program_sources(dir);
    draft.reason(format!("{} C source file(s)", sources.len()));
    for (file, why) in left_out {
        draft.reason(format!(
            "`{}` left out: {why}",
            crate::text::shown_value(&file)
        ));
    }
    if let [single] = sources.as_slice() {
        let stem = std::path::Path::new(single)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        draft.table("output", stem);
    }
    draft.table(
        "sources",
        toml::Value::Array(sources.into_iter().map(toml::Value::from).collect()),
    );
    source_port(dir, &mut draft);
    Ok(draft)
}

/// Directories of sources that are not the program's: tests, examples,
/// benchmarks, fuzzers.
const NOT_THE_PROGRAM: [&str; 9] = [
    "test",
    "tests",
    "t",
    "example",
    "examples",
    "bench",
    "benches",
    "benchmarks",
    "fuzz",
];

/// The sources compiled together into the program, and those left out
/// with why: the files under test, example, benchmark and fuzz
/// directories, and, where several files define `main`, all but the
/// program's own (`main.c`, else the shallowest, else the first).
fn program_sources(dir: &std::path::Path) -> (Vec<String>, Vec<(String, &'static str)>) {
    let mut left_out = Vec::new();
    let mut sources = Vec::new();
    for source in c_sources(dir) {
        match source
            .split('/')
            .rev()
            .skip(1)
            .any(|part| NOT_THE_PROGRAM.contains(&part))
        {
            true => left_out.push((source, "tests, examples and benchmarks are not the program")),
            false => sources.push(source),
        }
    }
    let mains = mains(dir, &sources);
    if mains.len() > 1 {
        let depth = |source: &String| source.matches('/').count();
        let own = mains
            .iter()
            .find(|source| source.rsplit('/').next() == Some("main.c"))
            .or_else(|| mains.iter().min_by_key(|source| depth(source)))
            .cloned()
            .unwrap_or_default();
        sources.retain(|source| {
            let other = *source != own && mains.contains(source);
            if other {
                left_out.push((source.clone(), "a `main` of its own: another program"));
            }
            !other
        });
    }
    left_out.sort();
    (sources, left_out)
}

/// How many C sources a plan reads to find the program's own.
const MAX_SCANNED: usize = 64;

/// Those of `sources` (relative to `dir`) that define `main`.
fn mains(dir: &std::path::Path, sources: &[String]) -> Vec<String> {
    sources
        .iter()
        .filter(|source| {
            super::support::read_in(dir, source).is_some_and(|text| defines_main(&text))
        })
        .cloned()
        .collect()
}

/// Whether a C file defines `main`: a line that starts with `int`,
/// `void` or `main` and has `main(` as a word.
fn defines_main(text: &str) -> bool {
    text.lines().any(|line| {
        let code = line.trim_start();
        if !["int ", "int\t", "void ", "main"]
            .iter()
            .any(|start| code.starts_with(start))
        {
            return false;
        }
        code.match_indices("main").any(|(at, _)| {
            let before = code[..at].chars().next_back();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                && code[at + 4..].trim_start().starts_with('(')
        })
    })
}

/// `runtime.ports` from a port the C sources name (a server's default):
/// only in sources that use sockets (`int port = 9000;` in a program that
/// never listens is no server).
fn source_port(dir: &std::path::Path, draft: &mut super::support::Draft) {
    const SOCKETS: [&str; 5] = ["socket(", "bind(", "listen(", "accept(", "htons("];
    let servers: Vec<String> = c_sources(dir)
        .into_iter()
        .take(MAX_SCANNED)
        .filter(|source| {
            super::support::read_in(dir, source)
                .is_some_and(|text| SOCKETS.iter().any(|call| text.contains(call)))
        })
        .collect();
    if let Some((port, file)) = super::support::port_in_sources(dir, &servers) {
        draft.reason(format!("`{file}`: a server on {port} → port {port}"));
        draft.runtime("ports", toml::Value::Array(vec![i64::from(port).into()]));
    }
}

#[cfg(test)]
mod tests {
    /// A rule's targets share its one list of prerequisites: memory grows
    /// with the Makefile, not with targets × prerequisites (a 260 KB
    /// rule of 20,000 targets and prerequisites once took gigabytes).
    #[test]
    fn targets_of_one_rule_share_its_prerequisites() {
        let rules = super::rules("a b c : x y z\nall: a\n");
        assert_eq!(rules.len(), 4);
        assert!(std::rc::Rc::ptr_eq(&rules[0].1, &rules[2].1));
        assert_eq!(*rules[1].1, vec!["x", "y", "z"]);
        assert_eq!((rules[3].0, rules[3].1.as_slice()), ("all", &["a"][..]));
    }

    #[test]
    fn main_is_found_as_a_definition_only() {
        for text in [
            "int main(void) {",
            "int main (int argc, char **argv)",
            "int\nmain(void)",
            "void main() {}",
        ] {
            assert!(super::defines_main(text), "{text}");
        }
        for text in [
            "int domain(void) {",
            "int main_loop(void);",
            "// int main(void)",
            "x = main(1);",
        ] {
            assert!(!super::defines_main(text), "{text}");
        }
    }
}
