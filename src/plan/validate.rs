//! The rules for each manifest value: names, paths, packages, environment,
//! labels, secrets, steps, users, words and durations. Each records its
//! problem at the value's place in the manifest.

use std::collections::BTreeMap;
use std::path::Path;

use super::context::Cx;
use super::rules::{
    MAX_DURATION_NS, MIN_DURATION_NS, duration_ns, has_heredoc, made_of, safe_relative,
    starts_alphanumeric,
};
use crate::diagnostic::Diagnostic;
use crate::manifest::Language;

/// BuildKit parses `--retries` as a 32-bit signed integer.
pub const MAX_RETRIES: u32 = i32::MAX as u32;

pub(super) fn check_name(cx: &mut Cx) {
    let name = &cx.manifest.name;
    let valid = name.len() <= 128
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !valid {
        let name = name.clone();
        cx.error(
            "name",
            format!("`name` = `{name}` is not a valid image name"),
            "use lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit (at most 128 characters), e.g. `href-counter`",
        );
    }
}

/// `build.context`: `.` or a chain of `..`, so the manifest's directory is
/// inside the context; sets `cx.root` and `cx.member`.
pub(super) fn check_build_context(cx: &mut Cx) {
    let Some(value) = cx.manifest.build.context.clone() else {
        return;
    };
    let trimmed = value.strip_suffix('/').unwrap_or(&value);
    let ups = trimmed.split('/').filter(|part| *part == "..").count();
    let valid =
        trimmed == "." || (!trimmed.is_empty() && trimmed.split('/').all(|part| part == ".."));
    if !valid {
        cx.error(
            "build.context",
            format!("`build.context` = `{value}` is not the manifest's directory or one above it"),
            "give `.` (the default) or the workspace root above the manifest, e.g. `\"..\"` or `\"../..\"`",
        );
        return;
    }
    if ups == 0 {
        return;
    }
    let dir = match cx.context.canonicalize() {
        Ok(dir) => dir,
        Err(error) => {
            cx.error(
                "build.context",
                format!(
                    "cannot resolve the manifest's directory `{}`: {error}",
                    cx.context.display()
                ),
                "",
            );
            return;
        }
    };
    let mut root = dir.clone();
    for _ in 0..ups {
        if !root.pop() {
            cx.error(
                "build.context",
                format!(
                    "`build.context` = `{value}` climbs above the file system root from `{}`",
                    dir.display()
                ),
                "give fewer `..`: the workspace root that holds this manifest",
            );
            return;
        }
    }
    let member = dir
        .strip_prefix(&root)
        .ok()
        .and_then(|path| path.to_str())
        .map(|path| format!("{path}/"))
        .unwrap_or_default();
    if !safe_relative(&member) {
        cx.error(
            "build.context",
            format!("the manifest's directory inside the build context, `{member}`, is not a path a Dockerfile can name unquoted"),
            "rename its directories with letters, digits, `.`, `_`, `@`, `+` and `-`, not starting with `-`",
        );
        return;
    }
    cx.root = root;
    cx.member = member;
}

pub(super) fn check_templates_dir(cx: &mut Cx) {
    let Some(dir) = &cx.manifest.templates else {
        return;
    };
    let relative = !dir.is_empty()
        && !Path::new(dir).has_root()
        && dir.trim() == dir
        && !dir.split(['/', '\\']).any(|part| part == "..");
    if !relative {
        let dir = dir.clone();
        cx.error(
            "templates",
            format!("`templates` = `{dir}` is not a relative path inside the project"),
            "give a directory relative to the manifest, without `..`, e.g. `templates = \"ci/templates\"`; use `--templates` or `$SHIPIT_TEMPLATES` for a directory elsewhere",
        );
    } else if !cx.context.join(dir).is_dir() {
        let shown = cx.context.join(dir).display().to_string();
        cx.error(
            "templates",
            format!("`templates` = `{dir}`: no directory `{shown}`"),
            "give a directory of organisation templates, relative to the manifest",
        );
    }
}

pub(super) fn check_language_tables(cx: &mut Cx) {
    let chosen = cx.manifest.language;
    for language in Language::ALL.iter().filter(|l| **l != chosen) {
        let key = language.key();
        if !cx.spans.has_key(key) {
            continue;
        }
        let span = cx.spans.key(key);
        cx.diagnostics.push(
            Diagnostic::new(format!(
                "table `[{key}]` does not apply to `language = \"{}\"`",
                chosen.key()
            ))
            .with_span(span)
            .with_help(format!(
                "remove `[{key}]`, or set `language = \"{key}\"`; only the table named by `language` is read"
            )),
        );
    }
}

/// An absolute path that stays one word of its instruction: no `$`
/// (variable expansion), quotes or backslashes.
pub(super) fn check_path(cx: &mut Cx, path: &str, value: &str) {
    let bad = value.chars().find(|c| "$\\\"'`".contains(*c));
    if value.trim() != value {
        // WORKDIR's value would lose it, COPY's would keep it.
        cx.error(
            path,
            format!("`{path}` = `{value}` starts or ends with a space"),
            "remove the spaces around the path",
        );
    } else if !value.starts_with('/') {
        cx.error(
            path,
            format!("`{path}` = `{value}` is not an absolute path"),
            "write a path starting with `/`, e.g. `/usr/local/bin/app`",
        );
    } else if let Some(c) = bad {
        cx.error(
            path,
            format!("`{path}` contains `{c}`, which a Dockerfile would interpret"),
            "paths may not contain `$`, quotes or backslashes",
        );
    }
}

pub(super) fn check_packages(cx: &mut Cx, path: &str, packages: &[String]) {
    for (index, package) in packages.iter().enumerate() {
        let valid = starts_alphanumeric(package) && made_of(package, ".+_:=~-");
        if !valid {
            cx.error(
                &format!("{path}[{index}]"),
                format!("`{package}` is not a package name"),
                "use the distribution's package name, optionally pinned (`curl=7.88.1-10`); letters, digits and `.+_:=~-`, starting with a letter or digit",
            );
        }
    }
}

pub(super) fn check_env(cx: &mut Cx, path: &str, env: &BTreeMap<String, String>) {
    for key in env.keys() {
        let valid = made_of(key, "_") && !key.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            cx.error(
                &crate::manifest::join_key(path, key),
                format!("`{key}` is not an environment variable name"),
                "use letters, digits and `_`, not starting with a digit",
            );
        }
    }
}

pub(super) fn check_labels(cx: &mut Cx, labels: &BTreeMap<String, String>) {
    for key in labels.keys() {
        // A leading `-` would make `LABEL --key=...` read as a flag.
        let valid = starts_alphanumeric(key) && made_of(key, "._-/");
        if !valid {
            cx.error(
                &crate::manifest::join_key("runtime.labels", key),
                format!("`{key}` is not a label key"),
                "use letters, digits, `.`, `_`, `-` and `/`, starting with a letter or digit, e.g. `org.opencontainers.image.source`",
            );
        }
    }
}

/// Secrets: a well-formed id, used once, mounted as a file at an absolute
/// path or exposed as a variable (exactly one). Returns the `--mount`
/// flags of the dependency and build steps.
pub(super) fn check_secrets(cx: &mut Cx) -> Vec<String> {
    let mut mounts = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (index, secret) in cx.manifest.build.secrets.iter().enumerate() {
        let path = format!("build.secrets[{index}]");
        let id_ok = starts_alphanumeric(&secret.id) || secret.id.starts_with('_');
        if !(id_ok && made_of(&secret.id, "._-")) {
            cx.error(
                &format!("{path}.id"),
                format!("`{path}.id` = `{}` is not a secret id", secret.id),
                "use letters, digits, `.`, `_` and `-`, starting with a letter, digit or `_`, e.g. `npmrc`",
            );
        } else if !seen.insert(secret.id.clone()) {
            cx.error(
                &format!("{path}.id"),
                format!("the secret `{}` is listed twice", secret.id),
                "list each secret once; one secret can be a file or a variable, not both",
            );
        }
        match (&secret.target, &secret.env) {
            (Some(target), None) => {
                let safe = target.starts_with('/')
                    && made_of(target, "._/@+-")
                    && !target.split('/').any(|part| part == "..");
                if safe {
                    mounts.push(format!("--mount=type=secret,id={},target={target}", secret.id));
                } else {
                    cx.error(
                        &format!("{path}.target"),
                        format!("`{path}.target` = `{target}` is not an absolute path"),
                        "write where the secret's file goes, e.g. `/root/.npmrc`: `/` then letters, digits, `.`, `_`, `/`, `@`, `+`, `-`",
                    );
                }
            }
            (None, Some(env)) => {
                if made_of(env, "_") && !env.starts_with(|c: char| c.is_ascii_digit()) {
                    mounts.push(format!("--mount=type=secret,id={},env={env}", secret.id));
                } else {
                    cx.error(
                        &format!("{path}.env"),
                        format!("`{env}` is not an environment variable name"),
                        "use letters, digits and `_`, not starting with a digit, e.g. `NPM_TOKEN`",
                    );
                }
            }
            _ => cx.error(
                &path,
                format!("`{path}` needs exactly one of `target` and `env`"),
                "mount the secret as a file (`target = \"/root/.npmrc\"`) or expose it as a variable (`env = \"NPM_TOKEN\"`)",
            ),
        }
    }
    if cx.manifest.build.ssh {
        mounts.push("--mount=type=ssh".to_string());
    }
    mounts
}

/// Build steps are shell commands by design, but each must stay inside its
/// own `RUN`: a trailing `\` would swallow the next line and `<<WORD`
/// would open a BuildKit heredoc over the instructions that follow.
pub(super) fn check_steps(cx: &mut Cx, key: &str, steps: &[String]) {
    if steps.is_empty() {
        cx.error(
            key,
            format!("`{key}` is empty: nothing would be built"),
            "list the commands, e.g. `[\"make\"]`, or remove the key for the language's default",
        );
    }
    for (index, step) in steps.iter().enumerate() {
        let path = format!("{key}[{index}]");
        if step.trim().is_empty() {
            cx.error(
                &path,
                format!("`{path}` is empty"),
                "remove it or write a command",
            );
        } else if step.trim_end().ends_with('\\') {
            cx.error(
                &path,
                format!("`{path}` ends with `\\`, which would continue into the next instruction"),
                "write each step as one complete command",
            );
        } else if has_heredoc(step) {
            cx.error(
                &path,
                format!("`{path}` contains a heredoc (`<<`), which would swallow the following instructions"),
                "write the content to a file in the build context and use it, or use `printf`",
            );
        } else if step.trim_start().starts_with('-') {
            cx.error(
                &path,
                format!("`{path}` starts with `-`, which `RUN` would read as its own flag"),
                "write a shell command; RUN flags such as `--mount` are not manifest values",
            );
        } else if step.trim_start().starts_with('#') {
            cx.error(
                &path,
                format!("`{path}` is a comment, not a command"),
                "remove it",
            );
        }
    }
}

/// `UID[:GID]` or `name[:group]`; numeric on `scratch`, where no name
/// resolves.
pub(super) fn check_user(cx: &mut Cx, user: &str, scratch: bool) -> (Option<u32>, Option<u32>) {
    let word = |w: &str| made_of(w, "._-") && !w.starts_with(['.', '-']);
    let (name, group) = match user.split_once(':') {
        Some((name, group)) => (name, Some(group)),
        None => (user, None),
    };
    if !word(name) || group.is_some_and(|g| !word(g)) {
        cx.error(
            "runtime.user",
            format!("`runtime.user` = `{user}` is not a user"),
            "write `UID[:GID]` (e.g. `65532:65532`) or a user name that exists in the image",
        );
        return (None, None);
    }
    let uid = name.parse::<u32>().ok();
    let gid = match group {
        Some(group) => group.parse::<u32>().ok(),
        None => uid,
    };
    if scratch && (uid.is_none() || gid.is_none()) {
        cx.error(
            "runtime.user",
            format!("`runtime.user` = `{user}` names a user, but `scratch` has no user database"),
            "use numeric ids on scratch, e.g. `65532:65532`",
        );
    }
    (uid, gid)
}

/// Exec-form words: an empty one is no program and no argument a user
/// means (`entrypoint = [""]` starts nothing).
pub(super) fn check_words(cx: &mut Cx, path: &str, words: Option<&[String]>) {
    for (index, word) in words.unwrap_or_default().iter().enumerate() {
        if word.trim().is_empty() {
            cx.error(
                &format!("{path}[{index}]"),
                format!("`{path}[{index}]` is an empty word"),
                "remove it, or write the program or argument it stands for",
            );
        }
    }
}

/// Docker durations: one or more `<number><unit>`, units `ns`, `us`, `ms`,
/// `s`, `m`, `h`; 0, or from 1ms (BuildKit's minimum) to 24h.
pub(super) fn check_duration(cx: &mut Cx, path: &str, value: &str) {
    match duration_ns(value) {
        None => cx.error(
            path,
            format!("`{path}` = `{value}` is not a duration"),
            "write a number and a unit, e.g. `30s`, `500ms` or `1m30s`",
        ),
        Some(ns) if ns != 0 && !(MIN_DURATION_NS..=MAX_DURATION_NS).contains(&ns) => cx.error(
            path,
            format!("`{path}` = `{value}` is out of range"),
            "give `0s` (the engine's default) or a duration from `1ms` to `24h`",
        ),
        Some(_) => {}
    }
}
