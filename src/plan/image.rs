//! Image references: the grammar, pins, `[image]`; the package family an
//! image belongs to, and whether a program built in one image finds its C
//! library in another (libc family, glibc release).

use serde::Serialize;

use super::context::Cx;
use super::rules::{made_of, starts_alphanumeric};

/// The Debian release that builder and runtime images share where a binary
/// links against glibc, so both sides have the same libc.
pub(crate) const DEBIAN: &str = "trixie";

/// How an image installs OS packages, judged from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    Apt,
    Apk,
}

impl PackageManager {
    pub fn for_image(image: &str) -> PackageManager {
        if image.contains("alpine") {
            PackageManager::Apk
        } else {
            PackageManager::Apt
        }
    }

    /// The C library of the image family: what a dynamically linked
    /// program built in one image needs to find in another.
    pub fn libc(self) -> &'static str {
        match self {
            PackageManager::Apt => "glibc",
            PackageManager::Apk => "musl",
        }
    }

    /// Where the family's `tini` package puts the binary.
    pub(crate) fn tini(self) -> &'static str {
        match self {
            PackageManager::Apt => "/usr/bin/tini",
            PackageManager::Apk => "/sbin/tini",
        }
    }
}

/// A dynamically linked program (or a virtualenv of compiled wheels) finds
/// its C library only in a runtime of the builder's family: glibc's loader
/// is not on musl images and the other way round, and `scratch` has none.
pub(crate) fn check_libc(cx: &mut Cx, builder: &str, base: &str, without_libc: Option<&str>) {
    let built = PackageManager::for_image(builder).libc();
    if base == "scratch" {
        let help = match without_libc {
            Some(key) => format!(
                "build without a C library ({key}), or use a base of the builder's family, e.g. `debian:trixie-slim`"
            ),
            None => "use a base of the builder's family, e.g. `debian:trixie-slim`".to_string(),
        };
        cx.error(
            "runtime.base",
            format!("`scratch` has no C library, and what the builder `{builder}` makes links against {built}"),
            help,
        );
        return;
    }
    let runs = PackageManager::for_image(base).libc();
    if runs != built {
        cx.error(
            "runtime.base",
            format!("`runtime.base` = `{base}` has {runs}, but the builder `{builder}` links the program against {built}: it would not start"),
            format!("use a runtime of the builder's family, or set `build.image` to a builder with {runs}"),
        );
        return;
    }
    // Same family, but an older glibc in the runtime: symbols the program
    // was linked against may be missing (`GLIBC_2.38 not found`).
    if let (Some((built_on, built_glibc)), Some((runs_on, runs_glibc))) =
        (glibc_release(builder), glibc_release(base))
        && built_glibc > runs_glibc
    {
        cx.warn(
            "runtime.base",
            format!(
                "the builder `{builder}` is {built_on} (glibc {}.{}) but `runtime.base` = `{base}` is {runs_on} (glibc {}.{}): the program may not start (`GLIBC_2.xx not found`)",
                built_glibc.0, built_glibc.1, runs_glibc.0, runs_glibc.1
            ),
            format!("use a runtime of the builder's release, e.g. `debian:{}-slim`, or a builder of the runtime's", DEBIAN),
        );
    }
}

/// The Debian release an image's tag names (`node:20-bookworm-slim`,
/// `debian:12`, `gcr.io/distroless/cc-debian12`), by codename.
pub(crate) fn debian_codename(image: &str) -> Option<String> {
    let (release, _) = glibc_release(image)?;
    release.strip_prefix("Debian ").map(str::to_string)
}

/// The Debian or Ubuntu release an image is built on, as its tag says
/// (`rust:1.96-trixie`, `debian:bookworm-slim`, `python:3.13-slim-trixie`,
/// `ubuntu:24.04`), and that release's glibc; `None` when the tag does not
/// say.
fn glibc_release(image: &str) -> Option<(String, (u32, u32))> {
    const DEBIAN_RELEASES: [(&str, &str, (u32, u32)); 5] = [
        ("buster", "10", (2, 28)),
        ("bullseye", "11", (2, 31)),
        ("bookworm", "12", (2, 36)),
        ("trixie", "13", (2, 41)),
        ("forky", "14", (2, 42)),
    ];
    const UBUNTU: [(&str, &str, (u32, u32)); 5] = [
        ("20.04", "focal", (2, 31)),
        ("22.04", "jammy", (2, 35)),
        ("24.04", "noble", (2, 39)),
        ("24.10", "oracular", (2, 40)),
        ("25.04", "plucky", (2, 41)),
    ];
    let reference = image.split('@').next().unwrap_or(image);
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let (name, tag) = last.split_once(':')?;
    if name == "ubuntu" {
        let word = tag.split('-').next().unwrap_or(tag);
        return UBUNTU
            .iter()
            .find(|(version, codename, _)| word == *version || word == *codename)
            .map(|(version, _, glibc)| (format!("Ubuntu {version}"), *glibc));
    }
    let debian = |codename: &str, glibc: (u32, u32)| (format!("Debian {codename}"), glibc);
    // distroless names the release in the image: `cc-debian12`.
    if let Some(number) = name.rsplit_once("-debian").map(|(_, n)| n) {
        return DEBIAN_RELEASES
            .iter()
            .find(|(_, n, _)| number == *n)
            .map(|(codename, _, glibc)| debian(codename, *glibc));
    }
    tag.split('-').find_map(|word| {
        // `debian:12` and `debian:12.7-slim` alike.
        let major = word.split('.').next().unwrap_or(word);
        DEBIAN_RELEASES
            .iter()
            .find(|(codename, number, _)| {
                word == *codename || (name == "debian" && major == *number)
            })
            .map(|(codename, _, glibc)| debian(codename, *glibc))
    })
}

/// Compiled extensions link against the libraries whose `-dev` packages
/// the builder installs; the runtime needs the library itself (`libpq-dev`
/// in the builder, `libpq5` at runtime).
pub(crate) fn warn_dev_packages(cx: &mut Cx) {
    // Headers of what every glibc image, or the language's own base, has.
    const NO_COUNTERPART: [&str; 4] = ["libc6", "linux-libc", "python3", "libpython3"];
    let build = &cx.manifest.build.packages;
    let runtime = &cx.manifest.runtime.packages;
    let mut warnings = Vec::new();
    for (index, package) in build.iter().enumerate() {
        let name = package.split('=').next().unwrap_or(package);
        let Some(stem) = name.strip_suffix("-dev") else {
            continue;
        };
        if NO_COUNTERPART.iter().any(|p| stem.starts_with(p)) {
            continue;
        }
        let library = stem.strip_prefix("default-").unwrap_or(stem);
        if !runtime.iter().any(|r| r.starts_with(library)) {
            warnings.push((index, name.to_string(), library.to_string()));
        }
    }
    for (index, name, library) in warnings {
        cx.warn(
            &format!("build.packages[{index}]"),
            format!("`{name}` is in `build.packages`, but `runtime.packages` has no `{library}*`: what is compiled against it will not load at runtime"),
            "add the runtime library to `runtime.packages` (for `libpq-dev`, `libpq5`), unless the runtime base already has it",
        );
    }
}

/// `[image]`: a repository without tag or digest, and distinct
/// `os/arch[/variant]` platforms.
pub(crate) fn check_image_table(cx: &mut Cx) {
    let Some(image) = &cx.manifest.image else {
        return;
    };
    if let Some(repository) = &image.repository {
        let problem = if !starts_alphanumeric(repository) || !made_of(repository, "._-/:") {
            Some("it may hold only lowercase letters, digits, `.`, `_`, `-`, `/` and a registry port".to_string())
        } else if repository
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains(':'))
        {
            Some("it carries a tag; bake adds `:${TAG}` itself".to_string())
        } else {
            reference_problem(repository, None, None)
        };
        if let Some(problem) = problem {
            cx.error(
                "image.repository",
                format!("`image.repository` = `{repository}` is not a repository: {problem}"),
                "write a repository without a tag, e.g. `ghcr.io/acme/api`",
            );
        }
    }
    if image.cache && image.repository.is_none() {
        cx.error(
            "image.cache",
            "`image.cache` needs `image.repository`: the cache is pushed to `<repository>:buildcache`, and the manifest's `name` alone would be Docker Hub's library",
            "set `repository` beside it, e.g. `repository = \"ghcr.io/acme/api\"`",
        );
    }
    for (index, platform) in image.platforms.iter().enumerate() {
        let parts: Vec<&str> = platform.split('/').collect();
        let valid = (2..=3).contains(&parts.len())
            && parts.iter().all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
        let path = format!("image.platforms[{index}]");
        if !valid {
            cx.error(
                &path,
                format!("`{path}` = `{platform}` is not a platform"),
                "write `os/arch` or `os/arch/variant`, e.g. `linux/amd64` or `linux/arm/v7`",
            );
        } else if image.platforms[..index].contains(platform) {
            cx.error(
                &path,
                format!("`{path}` = `{platform}` is listed twice"),
                "list each platform once",
            );
        }
    }
}

/// An image reference: `name[:tag][@digest]`, pinned (a tag other than
/// `latest`, or a digest), or `scratch` where allowed.
pub(crate) fn check_image(cx: &mut Cx, path: &str, image: &str, scratch_ok: bool) {
    if image == "scratch" {
        if !scratch_ok {
            cx.error(
                path,
                "`scratch` cannot be a builder: it has no shell or tools",
                "",
            );
        }
        return;
    }
    let valid_chars = starts_alphanumeric(image) && made_of(image, "._-/:@");
    if !valid_chars {
        cx.error(
            path,
            format!("`{path}` = `{image}` is not an image reference"),
            "write `name:tag` or `name@sha256:...`, e.g. `debian:bookworm-slim`",
        );
        return;
    }
    let (reference, digest) = match image.split_once('@') {
        Some((reference, digest)) => (reference, Some(digest)),
        None => (image, None),
    };
    // The tag is what follows the last `:` after the last `/` (a registry
    // host may carry a port).
    let last_part = reference.rsplit('/').next().unwrap_or(reference);
    let tag = last_part.split_once(':').map(|(_, tag)| tag);
    let repository = match tag {
        Some(tag) => &reference[..reference.len() - tag.len() - 1],
        None => reference,
    };
    // Only what the manifest writes: a derived image is made of checked
    // parts (`build.version` has its own check and message).
    if cx.spans.contains(path)
        && let Some(problem) = reference_problem(repository, tag, digest)
    {
        cx.error(
            path,
            format!("`{path}` = `{image}` is not an image reference: {problem}"),
            "write `name:tag` or `name@sha256:...`, e.g. `debian:bookworm-slim`; a tag is letters, digits, `_`, `.` and `-`, not starting with `.` or `-`, at most 128 characters",
        );
        return;
    }
    match (tag, digest) {
        (Some("latest"), _) => cx.error(
            path,
            format!("`{path}` = `{image}` uses the `latest` tag, which moves"),
            "pin a version tag (e.g. `alpine:3.22`) or a digest, so rebuilds give the same image",
        ),
        (None, None) => cx.error(
            path,
            format!("`{path}` = `{image}` has no tag"),
            format!("pin a version tag (e.g. `{image}:1.0`) or a digest, so rebuilds give the same image"),
        ),
        _ => {}
    }
}

/// What is wrong with an image reference, by the distribution reference
/// grammar: path components `[a-z0-9]+` joined by `.`, `_`, `__` or
/// dashes, an optional registry host (with a port) first; a tag
/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`; a digest `algorithm:hex`.
fn reference_problem(repository: &str, tag: Option<&str>, digest: Option<&str>) -> Option<String> {
    let mut components: Vec<&str> = repository.split('/').collect();
    if components.len() > 1 {
        let first = components[0];
        let host = first.contains(['.', ':']) || first == "localhost";
        if host {
            let (name, port) = match first.split_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (first, None),
            };
            let name_ok = name.split('.').all(|label| {
                starts_alphanumeric(label) && made_of(label, "-") && !label.ends_with('-')
            });
            let port_ok =
                port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !name_ok || !port_ok {
                return Some(format!("`{first}` is not a registry host"));
            }
            components.remove(0);
        }
    }
    for component in components {
        let lower = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        let ok = component.starts_with(lower)
            && component.ends_with(lower)
            && component.chars().all(|c| lower(c) || "._-".contains(c))
            && !component.contains("..")
            && !component.contains("___")
            && !component.contains("._")
            && !component.contains("_.")
            && !component.contains(".-")
            && !component.contains("-.")
            && !component.contains("_-")
            && !component.contains("-_");
        if !ok {
            return Some(format!(
                "`{component}` is not a repository name (lowercase letters and digits, joined by `.`, `_`, `__` or `-`)"
            ));
        }
    }
    if let Some(tag) = tag {
        let ok = tag.len() <= 128
            && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && made_of(tag, "_.-");
        if !ok {
            return Some(format!("`{tag}` is not a tag"));
        }
    }
    if let Some(digest) = digest {
        let ok = match digest.split_once(':') {
            Some(("sha256", hex)) => {
                hex.len() == 64
                    && hex
                        .chars()
                        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
            }
            Some((algorithm, hex)) => {
                starts_alphanumeric(algorithm)
                    && algorithm
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".+_-".contains(c))
                    && hex.len() >= 32
                    && hex.chars().all(|c| c.is_ascii_hexdigit())
            }
            None => false,
        };
        if !ok {
            return Some(format!(
                "`{digest}` is not a digest (`sha256:` and 64 hex digits)"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_follow_the_grammar() {
        assert_eq!(reference_problem("golang", Some("1.23-trixie"), None), None);
        assert_eq!(
            reference_problem("registry.example.com:5000/team/app", Some("v1"), None),
            None
        );
        assert!(reference_problem("golang", Some("-x"), None).is_some());
        assert!(reference_problem("golang", Some(".x"), None).is_some());
        assert!(reference_problem("golang", Some(&"x".repeat(129)), None).is_some());
        assert!(reference_problem("Golang", Some("1"), None).is_some());
        assert!(reference_problem("a/-b", Some("1"), None).is_some());
        assert!(reference_problem("a", None, Some("sha256:abc")).is_some());
    }

    #[test]
    fn package_manager_follows_image_family() {
        assert_eq!(
            PackageManager::for_image("node:22-alpine"),
            PackageManager::Apk
        );
        assert_eq!(
            PackageManager::for_image("ubuntu:24.04"),
            PackageManager::Apt
        );
    }
}
