//! The shape of `src/`, as tests: every import runs down the straight path
//! (arguments → manifest → plan → render → output/check), no two files
//! import each other in a circle, and no file or function grows past what
//! a newcomer can read whole. docs/architecture.md explains the rooms.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The rooms of `src/`, lowest first. A file may import from a lower room
/// or from its own (where the cycle check keeps it honest); never from a
/// higher one. A module path belongs to the longest prefix listed.
const ROOMS: &[&str] = &[
    "text",
    "suggest",
    "input",
    "parallel",
    "diagnostic",
    "manifest",
    "schema",
    "plan::rules",
    "plan::context",
    "plan::image",
    "plan::validate",
    "languages",
    "plan",
    "lock",
    "templates",
    "render",
    "output",
    "check",
    "registry",
    "cli",
    "commands",
    "fuzzing",
    "",
];

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 120;

struct Source {
    file: PathBuf,
    module: Vec<String>,
    /// The text with comments and string literals blanked (lines kept).
    code: String,
    lines: usize,
}

fn sources() -> Vec<Source> {
    let mut files = Vec::new();
    collect(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_path(),
        &mut files,
    );
    files.sort();
    files
        .into_iter()
        .filter(|file| file.file_name().is_some_and(|n| n != "main.rs"))
        .map(|file| {
            let text = std::fs::read_to_string(&file).unwrap();
            Source {
                module: module_of(&file),
                code: blank(&text),
                lines: text.lines().count(),
                file,
            }
        })
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// `src/plan/image.rs` → `plan::image`; `src/plan/mod.rs` → `plan`;
/// `src/lib.rs` → the crate root.
fn module_of(file: &Path) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let relative = file.strip_prefix(&src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Blanks comments, string and character literals, keeping line breaks,
/// so that only code is searched for paths and braces.
fn blank(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let keep = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                out.push(keep(chars[i]));
                i += 1;
            }
            out.push_str("  ");
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            let mut hashes = 0;
            let mut j = i + 1;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            chars[i..j.min(chars.len())]
                .iter()
                .for_each(|c| out.push(keep(*c)));
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            chars[i..(j + 1).min(chars.len())]
                .iter()
                .for_each(|c| out.push(keep(*c)));
            i = j + 1;
        } else if c == '\'' && char_literal_len(&chars[i..]).is_some() {
            let len = char_literal_len(&chars[i..]).unwrap();
            (0..len).for_each(|_| out.push(' '));
            i += len;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The length of a character literal at the start of `chars` (`'a'`,
/// `'\n'`, `'\u{1}'`), or `None` for a lifetime.
fn char_literal_len(chars: &[char]) -> Option<usize> {
    match chars.get(1)? {
        '\\' => {
            let end = chars.iter().skip(2).position(|c| *c == '\'')?;
            Some(end + 3)
        }
        _ if chars.get(2) == Some(&'\'') => Some(3),
        _ => None,
    }
}

/// Every path the code names through `crate::`, `super::` or a child
/// module, with brace groups expanded, resolved to the module it reaches.
fn imports(source: &Source, modules: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let path = regex::Regex::new(
        r"(?:^|[^:\w])((?:crate|super|self|[a-z_][a-z0-9_]*)(?:::(?:[A-Za-z_][A-Za-z0-9_]*|\{))+)",
    )
    .unwrap();
    let code = &source.code;
    let blocks = inline_modules(code);
    let mut found = BTreeSet::new();
    for capture in path.captures_iter(code) {
        let whole = capture.get(1).unwrap();
        let mut text = whole.as_str().to_string();
        if text.ends_with('{') {
            text.push_str(&group(&code[whole.end()..]));
        }
        // Inside `mod tests { … }`, `super` is the file's own module.
        let mut here = source.module.clone();
        here.extend(
            blocks
                .iter()
                .filter(|(start, end, _)| (*start..*end).contains(&whole.start()))
                .map(|(_, _, name)| name.clone()),
        );
        for expanded in expand(&text) {
            let segments: Vec<&str> = expanded.split("::").filter(|s| !s.is_empty()).collect();
            if let Some(target) = resolve(&here, &segments, modules, source) {
                found.insert(target);
            }
        }
    }
    found.remove(&source.module);
    found
}

/// The inline modules of a file (`mod tests { … }`): where each one's
/// body starts and ends, outermost first, and its name.
fn inline_modules(code: &str) -> Vec<(usize, usize, String)> {
    let opening = regex::Regex::new(r"\bmod\s+(\w+)\s*\{").unwrap();
    opening
        .captures_iter(code)
        .map(|capture| {
            let open = capture.get(0).unwrap().end();
            let mut depth = 1;
            let mut end = code.len();
            for (offset, c) in code[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = open + offset;
                    break;
                }
            }
            (open, end, capture[1].to_string())
        })
        .collect()
}

/// The rest of a brace group whose `{` was just read, with its `}`.
fn group(rest: &str) -> String {
    let mut depth = 1;
    let mut out = String::new();
    for c in rest.chars() {
        out.push(c);
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    out
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let compact: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = compact.find('{') else {
        return vec![compact];
    };
    let prefix = &compact[..open];
    let inner = &compact[open + 1..compact.rfind('}').unwrap_or(compact.len())];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&format!("{prefix}{p}")))
        .collect()
}

/// The module a path reaches: its longest prefix that is a module.
fn resolve(
    from: &[String],
    segments: &[&str],
    modules: &BTreeSet<Vec<String>>,
    source: &Source,
) -> Option<Vec<String>> {
    let (mut base, rest): (Vec<String>, &[&str]) = match segments.first()? {
        &"crate" => (Vec::new(), &segments[1..]),
        &"super" => {
            let mut base = from.to_vec();
            let mut rest = segments;
            while rest.first() == Some(&"super") {
                base.pop()?;
                rest = &rest[1..];
            }
            (base, rest)
        }
        &"self" => (from.to_vec(), &segments[1..]),
        child => {
            // A child module named without `self::` (`use managers::x`).
            let mut candidate = from.to_vec();
            candidate.push(child.to_string());
            let declared = format!("mod {child};");
            if !modules.contains(&candidate) || !source.code.contains(&declared) {
                return None;
            }
            (from.to_vec(), segments)
        }
    };
    let mut reached = base.clone();
    for segment in rest {
        base.push(segment.to_string());
        if modules.contains(&base) {
            reached = base.clone();
        } else {
            break;
        }
    }
    Some(reached)
}

fn room(module: &[String]) -> usize {
    let name = module.join("::");
    ROOMS
        .iter()
        .enumerate()
        .filter(|(_, room)| {
            room.is_empty() || name == **room || name.starts_with(&format!("{room}::"))
        })
        .max_by_key(|(_, room)| room.len())
        .map(|(rank, _)| rank)
        .unwrap()
}

fn graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let sources = sources();
    let modules: BTreeSet<Vec<String>> = sources.iter().map(|s| s.module.clone()).collect();
    sources
        .iter()
        .map(|s| (s.module.clone(), imports(s, &modules)))
        .collect()
}

fn shown(module: &[String]) -> String {
    if module.is_empty() {
        "lib".into()
    } else {
        module.join("::")
    }
}

#[test]
fn no_import_runs_back_up_the_path() {
    let mut back = Vec::new();
    for (from, targets) in graph() {
        for to in targets {
            if room(&to) > room(&from) {
                back.push(format!(
                    "{} ({}) imports {} ({})",
                    shown(&from),
                    ROOMS[room(&from)],
                    shown(&to),
                    ROOMS[room(&to)]
                ));
            }
        }
    }
    assert!(
        back.is_empty(),
        "imports against the path:\n{}",
        back.join("\n")
    );
}

#[test]
fn no_import_circle() {
    let graph = graph();
    // Depth-first search; a grey node reached again closes a circle.
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
        circles: &mut Vec<String>,
    ) {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                0 => visit(next, graph, state, stack, circles),
                1 => {
                    let at = stack.iter().position(|n| n == next).unwrap();
                    let mut names: Vec<String> = stack[at..].iter().map(|m| shown(m)).collect();
                    names.push(shown(next));
                    circles.push(names.join(" → "));
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
    }
    let mut state = BTreeMap::new();
    let mut circles = Vec::new();
    for node in graph.keys() {
        if !state.contains_key(node) {
            visit(node, &graph, &mut state, &mut Vec::new(), &mut circles);
        }
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_architecture_test_sees_imports() {
    // The checks above are only as good as the path finder: it must see
    // each form of import the code uses.
    let modules: BTreeSet<Vec<String>> = [
        vec![],
        vec!["plan".to_string()],
        vec!["plan".to_string(), "image".to_string()],
        vec!["manifest".to_string()],
        vec!["manifest".to_string(), "load".to_string()],
        vec!["lock".to_string()],
    ]
    .into_iter()
    .collect();
    let source = Source {
        file: PathBuf::from("src/plan/image.rs"),
        module: vec!["plan".into(), "image".into()],
        code: blank(
            "use crate::{lock::Lock, manifest::{load::x, Y}};\n// crate::text::no\nfn f() { super::Plan; let s = \"crate::render\"; }\nmod tests {\n    fn g() { super::f(); }\n}\n",
        ),
        lines: 6,
    };
    let found: Vec<String> = imports(&source, &modules)
        .iter()
        .map(|m| shown(m))
        .collect();
    assert_eq!(found, ["lock", "manifest", "manifest::load", "plan"]);
}

#[test]
fn no_file_or_function_too_long_to_read_whole() {
    let mut long = Vec::new();
    let function =
        regex::Regex::new(r"^\s*(pub(\([a-z]+\))?\s+)?(const\s+)?(async\s+)?fn\s+(\w+)").unwrap();
    for source in sources() {
        let name = source.file.display().to_string();
        if source.lines > MAX_FILE_LINES {
            long.push(format!("{name}: {} lines", source.lines));
        }
        let lines: Vec<&str> = source.code.lines().collect();
        for (start, line) in lines.iter().enumerate() {
            let Some(capture) = function.captures(line) else {
                continue;
            };
            let mut depth = 0i32;
            let mut opened = false;
            let mut end = None;
            'scan: for (offset, text) in lines[start..].iter().enumerate() {
                for c in text.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        ';' if !opened => break 'scan,
                        _ => {}
                    }
                    if opened && depth == 0 {
                        end = Some(offset + 1);
                        break 'scan;
                    }
                }
            }
            if let Some(length) = end.filter(|length| *length > MAX_FN_LINES) {
                long.push(format!(
                    "{name}:{}: fn {} is {length} lines",
                    start + 1,
                    &capture[5]
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines or functions over {MAX_FN_LINES}:\n{}",
        long.join("\n")
    );
}
