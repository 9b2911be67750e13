//! npm, pnpm and yarn (classic and berry): every step that runs the
//! package manager has the install's mounts, what the install reads is
//! copied before it, and what must not ship is removed.

mod common;

use common::{shipit, stderr, stdout};

fn write(root: &std::path::Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A project for `manager` (yarn berry when `berry`), with a secret and
/// the SSH agent, in runtime mode, with or without build steps.
fn project(manager: &str, berry: bool, steps: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let pinned = match (manager, berry) {
        ("yarn", true) => "yarn@4.9.2",
        ("yarn", false) => "yarn@1.22.22",
        ("pnpm", _) => "pnpm@9.15.9",
        _ => "npm@10.9.0",
    };
    write(
        root,
        "package.json",
        &format!("{{\"name\": \"a\", \"packageManager\": \"{pinned}\", \"dependencies\": {{}}}}\n"),
    );
    let lockfile = match manager {
        "pnpm" => "pnpm-lock.yaml",
        "yarn" => "yarn.lock",
        _ => "package-lock.json",
    };
    write(root, lockfile, "\n");
    write(root, "index.js", "\n");
    let steps = if steps {
        "steps = [\"npm run build\"]\n"
    } else {
        ""
    };
    write(
        root,
        "shipit.toml",
        &format!(
            "name = \"a\"\nlanguage = \"node\"\n\n[build]\nssh = true\n{steps}\n[[build.secrets]]\nid = \"npmrc\"\ntarget = \"/root/.npmrc\"\n\n[node]\nmode = \"runtime\"\nmanager = \"{manager}\"\n"
        ),
    );
    dir
}

/// The RUN instructions of a Dockerfile, continuation lines joined.
fn runs(dockerfile: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current: Option<String> = None;
    for line in dockerfile.lines() {
        match current.as_mut() {
            Some(run) => run.push_str(line),
            None if line.starts_with("RUN ") => current = Some(line.to_string()),
            None => continue,
        }
        if !line.ends_with('\\') {
            runs.extend(current.take());
        }
    }
    runs
}

#[test]
fn every_install_prune_and_reinstall_carries_the_install_mounts() {
    let cache = |manager: &str, berry: bool| match (manager, berry) {
        ("pnpm", _) => "--mount=type=cache,target=/root/.local/share/pnpm/store",
        ("yarn", true) => "--mount=type=cache,target=/root/.yarn/berry/cache",
        ("yarn", false) => "--mount=type=cache,target=/usr/local/share/.cache/yarn",
        _ => "--mount=type=cache,target=/root/.npm",
    };
    for (manager, berry) in [
        ("npm", false),
        ("pnpm", false),
        ("yarn", false),
        ("yarn", true),
    ] {
        for steps in [false, true] {
            let dir = project(manager, berry, steps);
            let output = shipit(dir.path(), &["render"]);
            assert!(output.status.success(), "{}", stderr(&output));
            let text = stdout(&output);
            let managed: Vec<String> = runs(&text)
                .into_iter()
                .filter(|run| {
                    [" ci", " install", " prune", " workspaces focus"]
                        .iter()
                        .any(|verb| run.contains(&format!("{manager}{verb}")))
                })
                .filter(|run| !run.contains("npm install --global"))
                .collect();
            // The install, and after steps the prune or reinstall.
            assert_eq!(managed.len(), if steps { 2 } else { 1 }, "{text}");
            for run in managed {
                for mount in [
                    "--mount=type=secret,id=npmrc,target=/root/.npmrc",
                    "--mount=type=ssh",
                    cache(manager, berry),
                ] {
                    assert!(
                        run.contains(mount),
                        "{manager} (berry {berry}, steps {steps}): `{run}` has no `{mount}`"
                    );
                }
            }
        }
    }
}

/// The lines before the first RUN that runs the manager's install.
fn before_install(text: &str, install: &str) -> String {
    let at = text
        .find(install)
        .unwrap_or_else(|| panic!("no `{install}`:\n{text}"));
    text[..at].to_string()
}

#[test]
fn pnpm_patches_are_copied_before_the_install() {
    let dir = project("pnpm", false, false);
    let root = dir.path();
    write(root, "patches/is-number@7.0.0.patch", "\n");
    write(root, "fixes/left-pad.patch", "\n");
    write(
        root,
        "package.json",
        "{\"name\": \"a\", \"packageManager\": \"pnpm@9.15.9\", \"pnpm\": {\"patchedDependencies\": {\"is-number@7.0.0\": \"patches/is-number@7.0.0.patch\", \"left-pad@1.3.0\": \"fixes/left-pad.patch\"}}}\n",
    );
    let output = shipit(root, &["render"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let before = before_install(&text, "pnpm install --frozen-lockfile");
    assert!(before.contains("COPY patches/ patches/\n"), "{text}");
    assert!(
        before.contains("COPY fixes/left-pad.patch fixes/\n"),
        "{text}"
    );

    // A patch outside the context, or missing, is an error naming the file.
    for bad in ["../outside.patch", "patches/missing.patch"] {
        write(
            root,
            "package.json",
            &format!(
                "{{\"name\": \"a\", \"pnpm\": {{\"patchedDependencies\": {{\"x@1.0.0\": \"{bad}\"}}}}}}\n"
            ),
        );
        let output = shipit(root, &["render"]);
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", stdout(&output));
        let message = stderr(&output);
        assert!(
            message.contains("pnpm.patchedDependencies") && message.contains(bad),
            "{message}"
        );
    }
}

#[test]
fn yarn_berry_copies_its_plugins_and_patches_before_the_install() {
    let dir = project("yarn", true, false);
    let root = dir.path();
    write(root, ".yarnrc.yml", "nodeLinker: node-modules\n");
    write(root, ".yarn/patches/x.patch", "\n");
    write(root, ".yarn/plugins/@yarnpkg/plugin-x.cjs", "\n");
    let output = shipit(root, &["render"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let before = before_install(&text, "yarn install --immutable");
    for dir in [".yarn/patches/", ".yarn/plugins/"] {
        assert!(
            before.contains(&format!("COPY {dir} {dir}\n")),
            "{dir}:\n{text}"
        );
    }
    // Yarn's global cache is the cache mount: no `.yarn/cache` in the app.
    assert!(text.contains("YARN_ENABLE_GLOBAL_CACHE=true"), "{text}");
}

#[test]
fn yarn_2_and_3_need_the_workspace_tools_plugin() {
    let dir = project("yarn", true, false);
    let root = dir.path();
    for (package_manager, rc) in [
        ("yarn@3.8.7", "nodeLinker: node-modules\n".to_string()),
        (
            "",
            "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-2.4.3.cjs\n".to_string(),
        ),
    ] {
        let field = match package_manager {
            "" => String::new(),
            pinned => format!(", \"packageManager\": \"{pinned}\""),
        };
        write(
            root,
            "package.json",
            &format!("{{\"name\": \"a\"{field}}}\n"),
        );
        write(root, ".yarnrc.yml", &rc);
        let output = shipit(root, &["render"]);
        assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
        let message = stderr(&output);
        assert!(
            message.contains("workspace-tools")
                && message.contains("yarn plugin import workspace-tools"),
            "{message}"
        );

        // With the plugin, it renders.
        write(
            root,
            ".yarnrc.yml",
            &format!("{rc}plugins:\n  - path: .yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs\n"),
        );
        write(
            root,
            ".yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs",
            "\n",
        );
        let output = shipit(root, &["render"]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stdout(&output).contains("COPY .yarn/plugins/ .yarn/plugins/\n"));
        std::fs::remove_dir_all(root.join(".yarn")).unwrap();
    }
}

#[test]
fn runtime_images_ship_no_credentials_nor_yarn_state() {
    let dir = project("yarn", true, false);
    let root = dir.path();
    write(root, ".yarnrc.yml", "npmAuthToken: \"${NPM_TOKEN}\"\n");
    write(
        root,
        ".npmrc",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    );
    let output = shipit(root, &["render"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(&format!(
            "RUN {CREDENTIALS} \\\n    && rm -rf .yarn/cache .yarn/install-state.gz\n"
        )),
        "{text}"
    );
}

/// Every credential file of the app tree is removed, a nested package's
/// too, whether or not the root has one: the app directory ships whole.
#[test]
fn a_nested_packages_credentials_do_not_ship_either() {
    for manager in ["npm", "pnpm", "yarn"] {
        let dir = project(manager, false, false);
        write(
            dir.path(),
            "packages/a/.npmrc",
            "//registry.npmjs.org/:_authToken=SECRET\n",
        );
        let output = shipit(dir.path(), &["render"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = stdout(&output);
        assert!(
            text.contains(&format!("\nRUN {CREDENTIALS}\n")),
            "{manager}: {text}"
        );
    }
}

/// The credential files, wherever they are in the tree.
const CREDENTIALS: &str = "find . -name node_modules -prune -o \\( -name .npmrc -o -name .yarnrc.yml -o -name .yarnrc \\) -type f -exec rm -f {} +";

/// The production install (no build steps) runs no lifecycle script of
/// the package itself: its `prepare` runs `husky`, a devDependency that
/// is not installed, and its `postinstall` would run before the source is
/// copied. They are dropped from the package.json copied for the install;
/// the dependencies' install scripts still run (no `--ignore-scripts`).
#[test]
fn a_production_install_runs_no_lifecycle_script_of_the_package_itself() {
    for (manager, install) in [
        (
            "npm",
            "if [ -f package-lock.json ]; then npm ci --omit=dev;",
        ),
        ("pnpm", "pnpm install --frozen-lockfile --prod\n"),
        ("yarn", "yarn install --frozen-lockfile --production\n"),
    ] {
        for steps in [false, true] {
            let dir = project(manager, false, steps);
            write(
                dir.path(),
                "package.json",
                "{\"name\": \"a\", \"scripts\": {\"start\": \"node index.js\", \"prepare\": \"husky\", \"postinstall\": \"prisma generate\"}, \"devDependencies\": {\"husky\": \"9.1.7\"}}\n",
            );
            let output = shipit(dir.path(), &["render"]);
            assert!(output.status.success(), "{}", stderr(&output));
            let text = stdout(&output);
            let dropped =
                format!("npm pkg delete scripts.postinstall scripts.prepare \\\n    && {install}");
            // With build steps, the full install has the devDependencies
            // the scripts need.
            assert_eq!(
                text.contains(&dropped),
                !steps,
                "{manager} (steps {steps}): {text}"
            );
            assert!(!text.contains("scripts.start"), "{text}");
            if let (false, Some(at)) = (steps, text.find(install.trim_end())) {
                let line = text[at..].lines().next().unwrap();
                assert!(!line.contains("--ignore-scripts"), "{text}");
            }
        }
    }
    // No lifecycle script, nothing to drop.
    let dir = project("npm", false, false);
    let text = stdout(&shipit(dir.path(), &["render"]));
    assert!(!text.contains("npm pkg delete"), "{text}");
}

/// A package's `file:` directory (a vendored package) is copied before
/// the install, which reads it, as a workspace member's is.
#[test]
fn a_packages_file_directory_is_copied_before_the_install() {
    let dir = project("npm", false, false);
    write(
        dir.path(),
        "package.json",
        "{\"name\": \"a\", \"dependencies\": {\"native-dep\": \"file:vendor/native-dep\"}}\n",
    );
    write(
        dir.path(),
        "vendor/native-dep/package.json",
        "{\"name\": \"native-dep\"}\n",
    );
    let text = stdout(&shipit(dir.path(), &["render"]));
    let install = before_install(&text, "npm ci");
    assert!(
        install.contains("COPY vendor/native-dep vendor/native-dep/\n"),
        "{text}"
    );
}

/// After the build steps, the step that drops dev dependencies runs no
/// lifecycle script (the root's `prepare` runs `husky`, a dev dependency
/// just removed) and sees `NODE_ENV=production`; the full install before
/// the steps keeps its scripts (native addons build in `install`) and its
/// environment.
#[test]
fn production_steps_after_the_full_install_run_no_lifecycle_scripts() {
    for (manager, berry) in [
        ("npm", false),
        ("pnpm", false),
        ("yarn", false),
        ("yarn", true),
    ] {
        for steps in [false, true] {
            let dir = project(manager, berry, steps);
            let output = shipit(dir.path(), &["render"]);
            assert!(output.status.success(), "{}", stderr(&output));
            let text = stdout(&output);
            let label = format!("{manager} (berry {berry}, steps {steps})");
            let managed: Vec<String> = runs(&text)
                .into_iter()
                .filter(|run| {
                    [" ci", " install", " prune", " workspaces focus"]
                        .iter()
                        .any(|verb| run.contains(&format!("{manager}{verb}")))
                })
                .filter(|run| !run.contains("npm install --global"))
                .collect();
            let no_scripts = if berry {
                "YARN_ENABLE_SCRIPTS=false"
            } else {
                "--ignore-scripts"
            };
            let (install, after) = match (steps, berry) {
                (true, _) => (managed[0].clone(), Some(managed[1].clone())),
                // Berry's production focus follows the install in one RUN.
                (false, true) => {
                    let (install, focus) = managed[0].split_once(" && ").unwrap();
                    (install.to_string(), Some(focus.to_string()))
                }
                (false, false) => (managed[0].clone(), None),
            };
            assert!(!install.contains(no_scripts), "{label}: `{install}`");
            assert!(!install.contains("NODE_ENV"), "{label}: `{install}`");
            if let Some(after) = after {
                assert!(after.contains(no_scripts), "{label}: `{after}`");
                assert!(after.contains("NODE_ENV=production"), "{label}: `{after}`");
            }
            let builder = text.split("\nFROM ").nth(1).unwrap_or(&text);
            assert!(!builder.contains("ENV NODE_ENV"), "{label}:\n{text}");
        }
    }
}
