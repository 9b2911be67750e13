//! `shipit lock`: renders each manifest without its lock, resolves every
//! image it uses through [`crate::registry`] (the one path that talks to
//! the network), and writes each `shipit.lock`. The lock model itself —
//! reading, applying, what counts as pinned — is [`crate::lock`].

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};

use super::env::Env;
use crate::cli::LockArgs;
use crate::lock::{Lock, Pin, image_uses, is_pinned, lock_path, not_replaceable, qualified};
use crate::registry::{self, LookupError, Registry, Resolved};

pub(crate) fn run(args: LockArgs, env: &Env, err: &mut dyn Write) -> Result<i32> {
    let templates =
        crate::templates::template_dirs(&args.manifest.templates, env.templates_path.as_deref())?;
    let manifests = match &args.all {
        Some(dir) => {
            // A lock is all or nothing: a directory that cannot be
            // read could hold a manifest it would miss.
            let (manifests, unreadable) = super::walk::find_manifests(dir)?;
            if let Some(report) = unreadable.first() {
                let cause = report.message.trim_start_matches("error: ");
                anyhow::bail!("cannot lock `{}`: {cause}", dir.display());
            }
            manifests
        }
        None => vec![args.manifest.manifest.clone()],
    };
    let mut insecure = args.insecure_registries.clone();
    insecure.extend(super::lock::insecure_from_env(
        env.insecure_registries.as_deref(),
    ));
    let options = super::lock::LockOptions {
        update: args.update,
        insecure,
    };
    super::lock::lock(&manifests, &templates, &options, err)
}

/// How `shipit lock` runs.
#[derive(Debug, Clone)]
pub struct LockOptions {
    /// Look every reference up again, not only the new ones.
    pub update: bool,
    /// Hosts spoken to over plain HTTP.
    pub insecure: Vec<String>,
}

/// One manifest to lock.
struct Job {
    manifest: PathBuf,
    lock_path: PathBuf,
    uses: Vec<String>,
    old: Option<Lock>,
    /// The ignore file a render after the lock writes (`None`: one with no
    /// shipit header, kept with `--no-dockerignore`).
    ignore: Option<PathBuf>,
}

/// `shipit lock`: renders each manifest (without its lock), resolves every
/// image it uses that the old lock does not pin (all of them with
/// `update`), each qualified name once and several at a time, and writes
/// each lock. A failed lookup writes nothing at all.
pub(crate) fn lock(
    manifests: &[PathBuf],
    templates: &crate::templates::Templates,
    options: &LockOptions,
    err: &mut dyn Write,
) -> Result<i32> {
    let mut jobs = Vec::new();
    for manifest in manifests {
        jobs.push(job(manifest, templates, options, err)?);
    }

    // What to ask for: one written form per qualified name.
    let mut wanted: BTreeMap<String, String> = BTreeMap::new();
    for job in &jobs {
        for reference in &job.uses {
            let kept = !options.update
                && job
                    .old
                    .as_ref()
                    .is_some_and(|old| old.images.contains_key(reference));
            if !kept {
                wanted
                    .entry(qualified(reference))
                    .or_insert_with(|| reference.clone());
            }
        }
    }
    let found = resolve_all(wanted.values().cloned().collect(), &options.insecure)?;
    let failures: Vec<&LookupError> = found.values().filter_map(|r| r.as_ref().err()).collect();
    if !failures.is_empty() {
        for failure in &failures {
            writeln!(err, "error: {failure}")?;
        }
        writeln!(err, "nothing was written")?;
        return Ok(super::env::EXIT_ERROR);
    }

    // Each lock, its text, and its job (for the render after it).
    let mut writes: Vec<(PathBuf, Vec<u8>, Job)> = Vec::new();
    for job in jobs {
        let mut lock = Lock::default();
        let old = job.old.clone().unwrap_or_default();
        for reference in &job.uses {
            let pin = match old.images.get(reference) {
                Some(pin) if !options.update => pin.clone(),
                _ => match found.get(&wanted_key(&wanted, reference)) {
                    Some(Ok(resolved)) => pin_of(reference, resolved),
                    _ => anyhow::bail!("`{reference}` was not looked up"),
                },
            };
            let status = match old.images.get(reference) {
                None => "locked",
                Some(previous) if previous.digest == pin.digest => "kept",
                Some(_) => "updated",
            };
            writeln!(err, "{status:<8} {reference}  {}", describe(&pin))?;
            lock.images.insert(reference.clone(), pin);
        }
        for reference in old.images.keys() {
            if !lock.images.contains_key(reference) {
                writeln!(err, "removed  {reference}  (no longer used)")?;
            }
        }
        if let Err(why) = lock.validate() {
            anyhow::bail!(
                "cannot write `{}`: {why}; nothing was written",
                job.lock_path.display()
            );
        }
        let text = lock.to_toml();
        let unchanged = std::fs::read_to_string(&job.lock_path).is_ok_and(|old| old == text);
        if unchanged {
            writeln!(err, "unchanged {}", job.lock_path.display())?;
        } else {
            writes.push((job.lock_path.clone(), text.into_bytes(), job));
        }
    }
    // Every lock or none: one that cannot be written leaves the others as
    // they were.
    let files: Vec<(PathBuf, Vec<u8>)> = writes
        .iter()
        .map(|(path, text, _)| (path.clone(), text.clone()))
        .collect();
    crate::output::write_all(&files)?;
    for (path, _, job) in &writes {
        writeln!(err, "wrote {}", path.display())?;
        let dockerfile = job.manifest.with_file_name("Dockerfile");
        let next =
            super::render::render_command(&job.manifest, &dockerfile, job.ignore.as_deref())?;
        writeln!(err, "next: {}", crate::text::shown_value(&next))?;
    }
    Ok(super::env::EXIT_OK)
}

/// One manifest's job: its render without the lock, and its old lock,
/// when `lock` may replace the file there.
fn job(
    manifest: &std::path::Path,
    templates: &crate::templates::Templates,
    options: &LockOptions,
    err: &mut dyn Write,
) -> Result<Job> {
    let outputs = crate::render::outputs::render_unpinned(manifest, templates)?;
    let lock_path = lock_path(manifest);
    // The lock replaces only a lock: never the manifest, a link (to
    // `main.go`, say) or a file that is not one.
    if crate::output::same_file(&lock_path, manifest) {
        anyhow::bail!(
            "`{}` is the manifest `{}` itself; remove `{}` (or give the manifest another name, such as `shipit.toml`) and run `shipit lock` again",
            lock_path.display(),
            manifest.display(),
            lock_path.display()
        );
    }
    let refused = not_replaceable(&lock_path, manifest);
    let old = match Lock::read_beside(manifest) {
        Ok(old) => old,
        // `--update` replaces every pin, so a broken lock is no obstacle
        // (its error message says to run it).
        Err(error) if options.update && refused.is_none() => {
            writeln!(err, "warning: {error}; writing it anew")?;
            None
        }
        Err(error) => return Err(error),
    };
    if let Some(why) = refused {
        anyhow::bail!("cannot write the lock: {why}");
    }
    let ignore =
        super::render::ignore_to_write(&manifest.with_file_name("Dockerfile"), &outputs.plan)?;
    Ok(Job {
        manifest: manifest.to_path_buf(),
        old,
        lock_path,
        ignore,
        uses: image_uses(&outputs.dockerfile.text)
            .into_iter()
            .map(|u| u.reference)
            .filter(|r| !is_pinned(r))
            .collect(),
    })
}

/// The written form `wanted` looked a reference up by.
fn wanted_key(wanted: &BTreeMap<String, String>, reference: &str) -> String {
    wanted
        .get(&qualified(reference))
        .cloned()
        .unwrap_or_else(|| reference.to_string())
}

fn pin_of(reference: &str, resolved: &Resolved) -> Pin {
    Pin {
        name: qualified(reference),
        digest: resolved.digest.clone(),
        media_type: resolved.media_type.clone(),
        platforms: resolved.platforms.clone(),
    }
}

fn describe(pin: &Pin) -> String {
    let short = pin.digest.get(..19).unwrap_or(&pin.digest);
    if pin.platforms.is_empty() {
        format!("{short}…")
    } else {
        format!("{short}…  ({})", pin.platforms.join(", "))
    }
}

/// Looks references up on one current-thread runtime, [`CONCURRENCY`]
/// at a time: lookups wait on the network, not the CPU.
///
/// [`CONCURRENCY`]: registry::CONCURRENCY
fn resolve_all(
    references: Vec<String>,
    insecure: &[String],
) -> Result<BTreeMap<String, Result<Resolved, LookupError>>> {
    if references.is_empty() {
        return Ok(BTreeMap::new());
    }
    let registry = Registry::new(registry::Options {
        insecure: insecure.to_vec(),
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the registry client's runtime")?;
    runtime.block_on(async move {
        let permits = Arc::new(tokio::sync::Semaphore::new(registry::CONCURRENCY));
        let mut tasks = tokio::task::JoinSet::new();
        for reference in references {
            let registry = registry.clone();
            let permits = permits.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let answer = registry.resolve(&reference).await;
                (reference, answer)
            });
        }
        let mut found = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            let (reference, answer) = done.context("a registry lookup failed")?;
            found.insert(reference, answer);
        }
        Ok(found)
    })
}

/// The hosts `$SHIPIT_INSECURE_REGISTRIES` names (comma-separated).
pub fn insecure_from_env(value: Option<&std::ffi::OsStr>) -> Vec<String> {
    value
        .map(|v| v.to_string_lossy().into_owned())
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_registries_from_the_environment() {
        assert_eq!(
            insecure_from_env(Some(std::ffi::OsStr::new(" a:5000, ,b "))),
            ["a:5000", "b"]
        );
        assert!(insecure_from_env(None).is_empty());
    }
}
