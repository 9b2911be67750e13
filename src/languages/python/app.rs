//! `init` for Python: where the app object is. A module named by the
//! project (`.flaskenv`, `[tool.fastapi]`) or found by reading its files:
//! a top-level `app = Flask(…)`, `application = create_app()`, or a
//! factory `def create_app(` (gunicorn's `module:create_app()`), in a
//! top-level module or a package one level down. Module names are dotted
//! Python identifiers, resolved inside the project (or its `src/`) through
//! no symbolic link.

use crate::languages::support::{Draft, file_in, read_in};

/// How many files are read to find the app.
const MAX_SCANNED: usize = 64;

/// An app object: `module:attribute`, the attribute a name or a factory
/// call (`create_app()`).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct App {
    pub module: String,
    pub attribute: String,
    /// Where the module's file is: the project (`""`) or `src`.
    pub root: &'static str,
    /// The module's file, relative to the project.
    pub file: String,
}

impl App {
    pub fn target(&self) -> String {
        format!("{}:{}", self.module, self.attribute)
    }

    pub fn factory(&self) -> bool {
        self.attribute.ends_with("()")
    }
}

/// A Python identifier (ASCII, which is what projects use for modules).
pub(super) fn identifier(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `module.sub` to the file that holds it, in the project or `src/`:
/// `module/sub.py` or `module/sub/__init__.py`. `None` for anything that
/// is not dotted identifiers, or not there.
pub(super) fn module_file(dir: &std::path::Path, module: &str) -> Option<(&'static str, String)> {
    if !module.split('.').all(identifier) {
        return None;
    }
    let path = module.replace('.', "/");
    ["", "src"].into_iter().find_map(|root| {
        let prefix = if root.is_empty() {
            String::new()
        } else {
            format!("{root}/")
        };
        [
            format!("{prefix}{path}.py"),
            format!("{prefix}{path}/__init__.py"),
        ]
        .into_iter()
        .find(|file| file_in(dir, file))
        .map(|file| (root, file))
    })
}

/// `module:attribute` as a project names it (`FLASK_APP`,
/// `[tool.fastapi] entrypoint`): the module resolved, the attribute an
/// identifier or a factory call; without one, read from the module.
pub(super) fn named(dir: &std::path::Path, value: &str) -> Option<App> {
    let (module, attribute) = match value.split_once(':') {
        Some((module, attribute)) => (module, Some(attribute)),
        None => (value, None),
    };
    let module = module.trim().trim_end_matches(".py").replace('/', ".");
    let (root, file) = module_file(dir, &module)?;
    let attribute = match attribute {
        Some(attribute) => {
            let name = attribute.trim().trim_end_matches("()");
            identifier(name).then(|| attribute.trim().to_string())?
        }
        None => read_in(dir, &file)
            .and_then(|text| creates(&text))
            .unwrap_or_else(|| "app".to_string()),
    };
    Some(App {
        module,
        attribute,
        root,
        file,
    })
}

/// The attribute a module's top level makes the app with: `app =
/// Flask(`, `application = create_app()`, else a factory `def
/// create_app(` / `def make_app(`.
fn creates(text: &str) -> Option<String> {
    const MAKERS: [&str; 6] = [
        "Flask(",
        "flask.Flask(",
        "FastAPI(",
        "fastapi.FastAPI(",
        "create_app(",
        "make_app(",
    ];
    let top_level = text.lines().filter(|line| !line.starts_with([' ', '\t']));
    let assigned = top_level.clone().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        let name = name.trim();
        let value = value.trim_start();
        (identifier(name) && MAKERS.iter().any(|m| value.starts_with(m))).then(|| name.to_string())
    });
    assigned.or_else(|| {
        top_level.into_iter().find_map(|line| {
            let name = line.strip_prefix("def ")?.split('(').next()?.trim();
            ["create_app", "make_app"]
                .contains(&name)
                .then(|| format!("{name}()"))
        })
    })
}

/// The first module that makes the app: top-level `*.py` files (sorted),
/// then each package's `__init__.py`, `app.py` and `main.py`.
pub(super) fn find(dir: &std::path::Path, draft: &mut Draft) -> Option<App> {
    let mut entries: Vec<(String, bool)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            (name, is_dir)
        })
        .collect();
    entries.sort();
    let modules = entries
        .iter()
        .filter(|(name, is_dir)| !is_dir && name.ends_with(".py"))
        .map(|(name, _)| name.trim_end_matches(".py").to_string());
    let packages = entries
        .iter()
        .filter(|(name, is_dir)| *is_dir && identifier(name))
        .flat_map(|(name, _)| [name.clone(), format!("{name}.app"), format!("{name}.main")]);
    let found = modules
        .chain(packages)
        .filter(|module| module.split('.').all(identifier))
        .take(MAX_SCANNED)
        .find_map(|module| {
            let (root, file) = module_file(dir, &module)?;
            let attribute = creates(&read_in(dir, &file)?)?;
            Some(App {
                module,
                attribute,
                root,
                file,
            })
        })?;
    draft.reason(format!(
        "`{}` makes the app → `{}`",
        found.file,
        found.target()
    ));
    Some(found)
}

/// `.flaskenv`'s `FLASK_APP`, when it names a module of the project.
pub(super) fn flaskenv(dir: &std::path::Path, draft: &mut Draft) -> Option<App> {
    let text = read_in(dir, ".flaskenv")?;
    let value = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("FLASK_APP="))?;
    let value = value.trim().trim_matches(['"', '\'']);
    match named(dir, value) {
        Some(app) => {
            draft.reason(format!(".flaskenv: FLASK_APP → `{}`", app.target()));
            Some(app)
        }
        None => {
            draft.reason(format!(
                ".flaskenv: FLASK_APP `{}` is no module of the project: not used",
                crate::text::shown_value(value)
            ));
            None
        }
    }
}

/// The first Python file (relative to `dir`) that names `path` (relative
/// to the project) on a code line: as one string (`"frontend/dist"`) or
/// as consecutive strings joined as a path (`BASE_DIR / "frontend" /
/// "dist"`, `os.path.join(BASE_DIR, "frontend", "dist")`). Where Django's
/// `STATICFILES_DIRS` or a `StaticFiles(directory=…)` reads a frontend's
/// build in place.
pub(crate) fn names_path(dir: &std::path::Path, path: &str) -> Option<String> {
    let names = |line: &str| {
        let code = line.trim_start();
        if code.starts_with('#') {
            return false;
        }
        let quoted: Vec<&str> = code
            .split(['"', '\''])
            .skip(1)
            .step_by(2)
            .map(|q| q.trim_start_matches("./").trim_end_matches('/'))
            .collect();
        // Each start joins parts only while they can still make `path`:
        // linear in the line, however many strings it holds.
        (0..quoted.len()).any(|start| {
            let mut joined = String::new();
            for part in &quoted[start..] {
                if !joined.is_empty() {
                    joined.push('/');
                }
                joined.push_str(part);
                if joined.len() >= path.len() {
                    return joined == path;
                }
            }
            false
        })
    };
    crate::languages::support::source_files(dir, &[".py"])
        .into_iter()
        .find(|file| read_in(dir, file).is_some_and(|text| text.lines().any(names)))
}

#[cfg(test)]
mod names_path_tests {
    use super::names_path;

    #[test]
    fn a_path_named_whole_or_in_parts_is_found() {
        for line in [
            "STATICFILES_DIRS = [BASE_DIR / \"frontend\" / \"dist\"]",
            "STATICFILES_DIRS = [os.path.join(BASE_DIR, 'frontend', 'dist')]",
            "app.mount(\"/\", StaticFiles(directory=\"frontend/dist\", html=True))",
            "STATIC = Path(__file__).parent / './frontend/dist/'",
        ] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("site")).unwrap();
            std::fs::write(dir.path().join("site/settings.py"), format!("{line}\n")).unwrap();
            assert_eq!(
                names_path(dir.path(), "frontend/dist").as_deref(),
                Some("site/settings.py"),
                "{line}"
            );
        }
        for line in [
            "# STATICFILES_DIRS = [BASE_DIR / \"frontend\" / \"dist\"]",
            "STATICFILES_DIRS = [BASE_DIR / \"static\"]",
            "x = \"frontend\"; y = \"dist-old\"",
        ] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("settings.py"), format!("{line}\n")).unwrap();
            assert_eq!(names_path(dir.path(), "frontend/dist"), None, "{line}");
        }
    }
}
