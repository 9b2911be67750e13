//! A program that exits when started without an argument (a directory to
//! serve, a file to read) and an image that starts it with none: the
//! container stops at once, printing its usage. A warning, never an
//! error: the argument may come from `docker run`.

use crate::plan::context::Cx;

/// Argument counts as the languages write them, with the count a program
/// started with no argument sees (the program's own name included where
/// the list holds it).
const COUNTS: [(&str, u32); 8] = [
    ("argc", 1),
    ("len(os.Args)", 1),
    ("flag.NArg()", 0),
    ("len(sys.argv)", 1),
    ("process.argv.length", 2),
    ("args().len()", 1),
    ("args().count()", 1),
    ("args.len()", 1),
];

/// What follows a guard that stops the program, in lower case: an exit
/// (`exit(`, `os.Exit(`, `sys.exit(`, `process.exit(`), a fatal log, a
/// panic (a usage message alone does not stop it).
const STOPS: [&str; 9] = [
    "exit(",
    "exit (",
    "log.fatal",
    "systemexit",
    "return 1",
    "return -1",
    "return exit_failure",
    "panic(",
    "throw ",
];

/// How many lines of a source are read for the guard.
const MAX_LINES: usize = 20_000;

/// The guard, as written, by which `text` stops when started without an
/// argument, and its line (from 1): a comparison of the argument count
/// that holds for none (`argc < 2`, `len(os.Args) != 2`, `flag.NArg() ==
/// 0`, `len(sys.argv) < 2`, `process.argv.length < 3`) on a code line
/// with, on it or the three after, an exit. Not in a Go file built only
/// on demand (`//go:build ignore`).
pub(crate) fn exits_without_argument(text: &str) -> Option<(String, usize)> {
    // Lower case once (the exits are looked for in it), and a program's
    // `main` is within its first lines: at most MAX_LINES are read.
    let lower = text.to_ascii_lowercase();
    let lines: Vec<&str> = text.lines().take(MAX_LINES).collect();
    let lower: Vec<&str> = lower.lines().take(MAX_LINES).collect();
    if lines.iter().any(|line| line.trim() == "//go:build ignore") {
        return None;
    }
    lines.iter().enumerate().find_map(|(at, line)| {
        let code = line.trim_start();
        if ["//", "/*", "*", "#"].iter().any(|c| code.starts_with(c)) && !code.starts_with("#[") {
            return None;
        }
        let guard = COUNTS
            .iter()
            .find_map(|(count, none)| holds_for_none(code, count, *none))?;
        let stops = guarded(&lower, at)
            .iter()
            .any(|line| STOPS.iter().any(|stop| line.contains(stop)));
        stops.then_some((guard, at + 1))
    })
}

/// The lines the guard on line `at` governs, at most four: its braced
/// block (`if (argc < 2) { … }`), its indented block (`if len(sys.argv) <
/// 2:`), else its own line and the statement on the next.
fn guarded<'a>(lines: &[&'a str], at: usize) -> Vec<&'a str> {
    let window = &lines[at..lines.len().min(at + 4)];
    let first = window[0];
    if first.contains('{') {
        let mut depth = 0i32;
        let mut block = Vec::new();
        for line in window {
            block.push(*line);
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            if depth <= 0 {
                break;
            }
        }
        return block;
    }
    if first.trim_end().ends_with(':') {
        let indent = |line: &str| line.len() - line.trim_start().len();
        let own = indent(first);
        let mut block = vec![first];
        block.extend(
            window[1..]
                .iter()
                .take_while(|line| line.trim().is_empty() || indent(line) > own),
        );
        return block;
    }
    window[..window.len().min(2)].to_vec()
}

/// `count` compared with a number in `code` so that the comparison holds
/// when the count is `none`: the comparison, as shipit shows it.
fn holds_for_none(code: &str, count: &str, none: u32) -> Option<String> {
    code.match_indices(count).find_map(|(at, _)| {
        // `argc` as a whole word, not `margc` or `argcount`.
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let rest = code[at + count.len()..].trim_start();
        let (operator, rest) = ["<=", ">=", "==", "!=", "<", ">"]
            .iter()
            .find_map(|op| rest.strip_prefix(op).map(|rest| (*op, rest.trim_start())))?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let number: u32 = digits.parse().ok()?;
        if rest[digits.len()..]
            .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return None;
        }
        let holds = match operator {
            "<" => none < number,
            "<=" => none <= number,
            "==" => none == number,
            "!=" => none != number && number > none,
            _ => false,
        };
        holds.then(|| format!("{count} {operator} {number}"))
    })
}

/// Warns when the program the image starts, read from `sources`
/// (relative to the manifest's directory, read inside it only), exits
/// without an argument and `runtime.cmd` gives it none. `custom`: the
/// entrypoint was written in the manifest, arguments and all, so what it
/// passes is the author's to know.
pub(crate) fn warn_needs_argument(cx: &mut Cx, sources: &[String], custom: bool) {
    let base = cx.context.clone();
    warn_needs_argument_in(cx, &base, sources, custom);
}

/// [`warn_needs_argument`] for `sources` relative to `base`.
pub(crate) fn warn_needs_argument_in(
    cx: &mut Cx,
    base: &std::path::Path,
    sources: &[String],
    custom: bool,
) {
    let runtime = &cx.manifest.runtime;
    if custom || runtime.cmd.as_ref().is_some_and(|cmd| !cmd.is_empty()) {
        return;
    }
    let found = sources.iter().take(64).find_map(|source| {
        let text = crate::languages::support::read_in(base, source)?;
        exits_without_argument(&text).map(|(guard, line)| (source.clone(), guard, line))
    });
    if let Some((source, guard, line)) = found {
        cx.warn(
            "runtime.cmd",
            format!(
                "`{}:{line}` exits when the program is started without an argument (`{guard}`), and the image starts it with none: the container would stop at once",
                crate::text::shown_value(&source)
            ),
            "give the program its arguments with `cmd` in `[runtime]` (e.g. `cmd = [\"/data\"]`), or pass them to `docker run`",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guard_that_holds_for_no_argument_and_stops_is_found() {
        let stops = [
            (
                "int main(int argc, char **argv) {\n    if (argc < 2) {\n        fprintf(stderr, \"usage: %s DIR\\n\", argv[0]);\n        return 1;\n    }\n",
                "argc < 2",
            ),
            (
                "func main() {\n\tif len(os.Args) != 2 {\n\t\tlog.Fatal(\"usage: serve DIR\")\n\t}\n",
                "len(os.Args) != 2",
            ),
            (
                "\tflag.Parse()\n\tif flag.NArg() == 0 {\n\t\tflag.Usage()\n\t\tos.Exit(2)\n\t}\n",
                "flag.NArg() == 0",
            ),
            (
                "if len(sys.argv) < 2:\n    sys.exit(\"usage: app.py FILE\")\n",
                "len(sys.argv) < 2",
            ),
            (
                "if (process.argv.length < 3) {\n  console.error('usage: serve DIR');\n  process.exit(1);\n}\n",
                "process.argv.length < 3",
            ),
            (
                "    if std::env::args().len() < 2 {\n        eprintln!(\"usage: tool FILE\");\n        std::process::exit(2);\n    }\n",
                "args().len() < 2",
            ),
            ("if (argc <= 1) exit(EXIT_FAILURE);\n", "argc <= 1"),
        ];
        for (text, guard) in stops {
            assert_eq!(
                exits_without_argument(text)
                    .map(|(guard, _)| guard)
                    .as_deref(),
                Some(guard),
                "{text}"
            );
        }
    }

    #[test]
    fn any_text_is_read_without_a_panic() {
        for text in [
            "argc",
            "if (argc <",
            "if (argc < 99999999999999999999) return 1;",
            "if (argc<2é) exit(1);",
            "é argc < 2 ü\nusage",
            "if (argc <= \u{202e}1) exit(1);",
            "len(os.Args)!=",
        ] {
            let _ = exits_without_argument(text);
        }
        assert_eq!(
            exits_without_argument("int x;\nif (argc<2) exit(1);"),
            Some(("argc < 2".to_string(), 2))
        );
    }

    #[test]
    fn optional_arguments_and_other_counts_are_not_a_guard() {
        let fine = [
            // A default when there is none.
            "int port = argc < 2 ? 8080 : atoi(argv[1]);\nserve(port);\n",
            "if len(os.Args) > 1 {\n\tdir = os.Args[1]\n}\n",
            // Too many arguments, not too few.
            "if (argc > 2) {\n    return 1;\n}\n",
            "if len(sys.argv) > 3:\n    sys.exit(1)\n",
            // Another variable, a comment.
            "if (margc < 2) { return 1; }\n",
            "// if (argc < 2) return 1;\n",
            "if argcount < 2 { os.Exit(1) }\n",
            // The program goes on after the guard's block.
            "if len(os.Args) < 2 {\n\taddr = \":8080\"\n}\nlog.Fatal(http.ListenAndServe(addr, nil))\n",
            "if len(sys.argv) < 2:\n    path = '.'\nsys.exit(main(path))\n",
            // A usage message that does not stop the program.
            "if len(os.Args) < 2 {\n\tlog.Println(\"usage: server [ADDR] (listening on :8080)\")\n} else {\n\taddr = os.Args[1]\n}\n",
            // A generator run by `go run gen.go`, not the program.
            "//go:build ignore\n\npackage main\n\nfunc main() {\n\tif len(os.Args) < 2 {\n\t\tos.Exit(1)\n\t}\n}\n",
        ];
        for text in fine {
            assert_eq!(exits_without_argument(text), None, "{text}");
        }
    }
}
