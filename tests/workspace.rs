//! Workspace members (`build.context`): a generated monorepo with a Go
//! workspace service, a pnpm workspace member, a uv workspace application,
//! an npm workspace member and a plain service. The bake file keeps a
//! golden copy; each Dockerfile copies the workspace's lockfile and its
//! members' manifests before the install; bad contexts are refused.

mod common;

use std::path::Path;

use common::{shipit, stderr, stdout};

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const PNPM_LOCK: &str = "lockfileVersion: '9.0'\n";

fn monorepo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A Go workspace: a service and the library it uses.
    write(
        root,
        "go/go.work",
        "go 1.22\n\nuse (\n\t./libs/greet\n\t./services/api\n)\n",
    );
    write(
        root,
        "go/libs/greet/go.mod",
        "module example.com/greet\n\ngo 1.22\n",
    );
    write(root, "go/libs/greet/go.sum", "");
    write(
        root,
        "go/services/api/go.mod",
        "module example.com/api\n\ngo 1.22\n",
    );
    write(
        root,
        "go/services/api/main.go",
        "package main\n\nfunc main() {}\n",
    );
    write(
        root,
        "go/services/api/shipit.toml",
        "name = \"api\"\nlanguage = \"go\"\n\n[build]\ncontext = \"../..\"\n\n[image]\nrepository = \"ghcr.io/acme/api\"\nplatforms = [\"linux/amd64\", \"linux/arm64\"]\ncache = true\n",
    );
    // A pnpm workspace: the app, a library, and a directory the workspace
    // does not list.
    write(
        root,
        "js/package.json",
        "{\"private\": true, \"packageManager\": \"pnpm@9.15.9\"}\n",
    );
    write(
        root,
        "js/pnpm-workspace.yaml",
        "packages:\n  - \"packages/*\"\n  - \"apps/*\"\n  - \"!packages/legacy\"\n",
    );
    write(root, "js/pnpm-lock.yaml", PNPM_LOCK);
    write(root, "js/.npmrc", "auto-install-peers=true\n");
    write(
        root,
        "js/packages/greet/package.json",
        "{\"name\": \"@acme/greet\", \"dependencies\": {\"@acme/util\": \"workspace:^\", \"is-number\": \"7.0.0\"}}\n",
    );
    write(
        root,
        "js/packages/util/package.json",
        "{\"name\": \"@acme/util\"}\n",
    );
    // What web uses only to build, and a vendored directory it names by
    // path; another app that web does not use.
    write(
        root,
        "js/packages/lint/package.json",
        "{\"name\": \"@acme/lint\"}\n",
    );
    write(
        root,
        "js/vendor/local/package.json",
        "{\"name\": \"local\"}\n",
    );
    write(
        root,
        "js/apps/admin/package.json",
        "{\"name\": \"@acme/admin\", \"dependencies\": {\"@acme/greet\": \"workspace:*\"}}\n",
    );
    write(
        root,
        "js/packages/legacy/package.json",
        "{\"name\": \"legacy\"}\n",
    );
    write(
        root,
        "js/packages/greet/node_modules/x/package.json",
        "{\"name\": \"x\"}\n",
    );
    write(
        root,
        "js/apps/web/package.json",
        "{\"name\": \"@acme/web\", \"dependencies\": {\"@acme/greet\": \"workspace:*\", \"local\": \"file:../../vendor/local\"}, \"devDependencies\": {\"@acme/lint\": \"workspace:*\"}}\n",
    );
    write(root, "js/apps/web/index.js", "console.log('web')\n");
    write(
        root,
        "js/apps/web/shipit.toml",
        "name = \"web\"\nlanguage = \"node\"\n\n[build]\ncontext = \"../..\"\n\n[node]\nentry = \"index.js\"\nmode = \"runtime\"\n",
    );
    // A uv workspace: an application and a library.
    write(
        root,
        "py/pyproject.toml",
        "[tool.uv.workspace]\nmembers = [\"packages/*\", \"apps/*\"]\nexclude = [\"packages/old\"]\n",
    );
    write(root, "py/uv.lock", "version = 1\n");
    write(
        root,
        "py/packages/greet/pyproject.toml",
        "[project]\nname = \"greet\"\nversion = \"0.1.0\"\n",
    );
    write(
        root,
        "py/packages/old/pyproject.toml",
        "[project]\nname = \"old\"\nversion = \"0.1.0\"\n",
    );
    write(
        root,
        "py/apps/worker/pyproject.toml",
        "[project]\nname = \"worker\"\nversion = \"0.1.0\"\ndependencies = [\"greet\"]\n",
    );
    write(root, "py/apps/worker/app.py", "print('worker')\n");
    write(
        root,
        "py/apps/worker/shipit.toml",
        "name = \"worker\"\nlanguage = \"python\"\n\n[build]\ncontext = \"../..\"\n\n[runtime]\nentrypoint = [\"python\", \"app.py\"]\n",
    );
    // An npm workspace with `workspaces` as `{packages}` (yarn's form).
    write(
        root,
        "npm/package.json",
        "{\"private\": true, \"workspaces\": {\"packages\": [\"packages/*\"]}}\n",
    );
    write(root, "npm/package-lock.json", "{}\n");
    write(
        root,
        "npm/packages/hello/package.json",
        "{\"name\": \"hello\"}\n",
    );
    write(
        root,
        "npm/packages/hello/index.js",
        "console.log('hello')\n",
    );
    write(
        root,
        "npm/packages/hello/shipit.toml",
        "name = \"hello\"\nlanguage = \"node\"\n\n[build]\ncontext = \"../..\"\n\n[node]\nentry = \"index.js\"\nmode = \"runtime\"\n",
    );
    // A plain service, its own context.
    write(
        root,
        "tools/count/count.c",
        "int main(void) { return 0; }\n",
    );
    write(
        root,
        "tools/count/shipit.toml",
        "name = \"count\"\nlanguage = \"c\"\n\n[c]\nsources = [\"count.c\"]\n",
    );
    dir
}

fn render(dir: &Path, manifest: &str) -> String {
    let output = shipit(dir, &["render", "-m", manifest]);
    assert!(output.status.success(), "{manifest}: {}", stderr(&output));
    stdout(&output)
}

/// The lines of `text` that start with `prefix`.
fn lines<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[test]
fn the_bake_file_of_a_workspace_monorepo_matches_its_golden_copy() {
    let dir = monorepo();
    let output = shipit(dir.path(), &["bake"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let golden_path = common::root().join("tests/golden/workspace-bake.json");
    if std::env::var_os("SHIPIT_BLESS").is_some() {
        std::fs::write(&golden_path, &text).unwrap();
    }
    let golden = std::fs::read_to_string(&golden_path).unwrap_or_default();
    assert!(
        golden == text,
        "tests/golden/workspace-bake.json is stale (SHIPIT_BLESS=1 cargo test --test workspace):\n{}",
        shipit::check::unified_diff(&golden, &text, "golden", "bake")
    );
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let target = |name: &str, key: &str| file["target"][name][key].clone();
    // Members build from their workspace root, with the Dockerfile beside
    // the manifest, relative to that root; the plain service from its own
    // directory.
    for (name, context, dockerfile) in [
        ("api", "./go", "services/api/Dockerfile"),
        ("web", "./js", "apps/web/Dockerfile"),
        ("worker", "./py", "apps/worker/Dockerfile"),
        ("hello", "./npm", "packages/hello/Dockerfile"),
        ("count", "./tools/count", "Dockerfile"),
    ] {
        assert_eq!(target(name, "context"), context, "{name}");
        assert_eq!(target(name, "dockerfile"), dockerfile, "{name}");
        assert!(
            dir.path().join(context).is_dir(),
            "{name}: the context exists"
        );
    }
    assert_eq!(
        file["group"]["default"]["targets"],
        serde_json::json!(["api", "count", "hello", "web", "worker"])
    );
    assert_eq!(
        target("api", "platforms"),
        serde_json::json!(["linux/amd64", "linux/arm64"])
    );
    assert_eq!(
        target("api", "cache-from"),
        serde_json::json!(["type=registry,ref=ghcr.io/acme/api:buildcache"])
    );
    assert_eq!(
        target("api", "cache-to"),
        serde_json::json!(["type=registry,ref=ghcr.io/acme/api:buildcache,mode=max"])
    );
    assert_eq!(target("web", "cache-from"), serde_json::Value::Null);
}

#[test]
fn a_go_workspace_member_copies_go_work_and_every_used_module() {
    let dir = monorepo();
    let text = render(dir.path(), "go/services/api/shipit.toml");
    assert_eq!(
        lines(&text, "COPY "),
        [
            "COPY go.work go.work.sum* ./",
            "COPY libs/greet/go.mod libs/greet/go.sum* libs/greet/",
            "COPY services/api/go.mod services/api/go.sum* services/api/",
            "COPY . .",
        ]
        .iter()
        .chain(lines(&text, "COPY --").iter())
        .copied()
        .collect::<Vec<_>>(),
        "{text}"
    );
    assert!(
        text.contains("go build -trimpath -ldflags=\"-s -w\" -o /out/api ./services/api\n"),
        "{text}"
    );
    // No go.mod at the workspace root: none is copied.
    assert!(!text.contains("COPY go.mod"), "{text}");
}

#[test]
fn a_pnpm_workspace_member_fetches_from_the_lockfile_and_installs_offline() {
    let dir = monorepo();
    let text = render(dir.path(), "js/apps/web/shipit.toml");
    let copies = lines(&text, "COPY ");
    // No member's package.json before the install: `pnpm fetch` reads the
    // lockfile (and the root's package.json, for corepack).
    assert_eq!(
        copies[..3],
        [
            "COPY package.json .npmrc pnpm-workspace.yaml pnpm-lock.yaml ./",
            // A local dependency's directory: the install reads it.
            "COPY vendor/local vendor/local/",
            "COPY . .",
        ],
        "{text}"
    );
    assert!(
        text.contains("\nRUN pnpm fetch --prod\nCOPY . .\n"),
        "{text}"
    );
    // Only web's dependencies install, offline, from the store the fetch
    // filled: itself and the workspace packages it depends on (pnpm's
    // `{dir}...` selector). Their install scripts run (`rebuild`), the
    // workspace root's do not.
    assert!(
        text.contains(
            "RUN pnpm install --offline --frozen-lockfile --prod --ignore-scripts --filter-prod '{apps/web}...' \\\n    \
             && pnpm rebuild --filter-prod '{apps/web}...'\n"
        ),
        "{text}"
    );
    // An excluded directory and anything under node_modules are not members.
    assert!(
        !text.contains("legacy") && !text.contains("node_modules/x"),
        "{text}"
    );
    // The image gets the root's node_modules, web, the workspace packages
    // it depends on at run time (transitively) and its `file:` directory:
    // not the other app, not a devDependency. Every .npmrc of the
    // workspace, a member's too, stays out of the image.
    assert!(
        text.contains(
            "RUN find . -name node_modules -prune -o \\( -name .npmrc -o -name .yarnrc.yml -o -name .yarnrc \\) -type f -exec rm -f {} + \\\n    \
             && mkdir -p node_modules /out/app/ /out/app/apps/ /out/app/packages/ /out/app/vendor/ \\\n    \
             && cp -a package.json node_modules /out/app/ \\\n    \
             && cp -a apps/web /out/app/apps/ \\\n    \
             && cp -a packages/greet packages/util /out/app/packages/ \\\n    \
             && cp -a vendor/local /out/app/vendor/\n"
        ),
        "{text}"
    );
    assert!(text.contains("WORKDIR /app/apps/web\n"), "{text}");
    assert!(text.ends_with("ENTRYPOINT [\"/sbin/tini\", \"--\", \"node\", \"index.js\"]\n"));
}

/// A version bump in another member (changesets does one on every
/// release) changes nothing before `COPY . .` in web's Dockerfile: its
/// dependency layer is reused. The fetch and the offline install keep the
/// build's secrets and SSH agent, and neither mounts a cache over the
/// store the fetch leaves in its layer.
#[test]
fn another_members_version_bump_leaves_a_pnpm_members_dependency_layer_alone() {
    let dir = monorepo();
    let manifest = dir.path().join("js/apps/web/shipit.toml");
    let mut toml = std::fs::read_to_string(&manifest).unwrap();
    toml = toml.replacen("[build]\n", "[build]\nssh = true\n", 1);
    toml.push_str("\n[[build.secrets]]\nid = \"npmrc\"\ntarget = \"/root/.npmrc\"\n");
    std::fs::write(&manifest, toml).unwrap();
    let before = render(dir.path(), "js/apps/web/shipit.toml");
    write(
        dir.path(),
        "js/apps/admin/package.json",
        "{\"name\": \"admin\", \"version\": \"9.9.9\", \"dependencies\": {\"@acme/greet\": \"workspace:*\"}}\n",
    );
    let after = render(dir.path(), "js/apps/web/shipit.toml");
    let layer = |text: &str| text[..text.find("COPY . .").unwrap()].to_string();
    assert!(!before.contains("apps/admin"), "{before}");
    assert_eq!(layer(&before), layer(&after));
    for step in ["pnpm fetch", "pnpm install --offline"] {
        let at = after.find(step).unwrap();
        let run = &after[after[..at].rfind("RUN ").unwrap()..at];
        assert!(
            run.contains("--mount=type=secret,id=npmrc,target=/root/.npmrc"),
            "{run}"
        );
        assert!(run.contains("--mount=type=ssh"), "{run}");
        assert!(!run.contains("type=cache"), "{run}");
    }
}

#[test]
fn an_npm_workspace_member_reads_workspaces_in_either_form() {
    let dir = monorepo();
    let text = render(dir.path(), "npm/packages/hello/shipit.toml");
    assert_eq!(
        lines(&text, "COPY ")[..2],
        [
            "COPY package.json package-lock.json* ./",
            "COPY packages/hello/package.json packages/hello/",
        ],
        "{text}"
    );
    assert!(
        text.contains("npm ci --omit=dev --workspace packages/hello --include-workspace-root;"),
        "{text}"
    );
    assert!(
        text.contains("&& cp -a packages/hello /out/app/packages/\n"),
        "{text}"
    );
}

#[test]
fn a_member_with_build_steps_installs_its_production_dependencies_again_after_them() {
    let dir = monorepo();
    // `pnpm prune` in a workspace drops the links between its packages.
    let manifest = "js/apps/web/shipit.toml";
    let text = std::fs::read_to_string(dir.path().join(manifest)).unwrap();
    let text = text.replace(
        "context = \"../..\"\n",
        "context = \"../..\"\nsteps = [\"pnpm --filter @acme/web build\"]\n",
    );
    write(dir.path(), manifest, &text);
    let text = render(dir.path(), manifest);
    assert!(
        text.contains("RUN pnpm fetch\nCOPY . .\nRUN pnpm install --offline --frozen-lockfile --filter '{apps/web}...'\n"),
        "{text}"
    );
    // Again offline, from the store in the fetch's layer: no cache mount
    // hides it.
    assert!(
        text.contains(
            "RUN pnpm --filter @acme/web build\n\
             RUN find . -name node_modules -prune -exec rm -rf {} + \\\n    \
             && NODE_ENV=production pnpm install --frozen-lockfile --prod --offline --ignore-scripts --filter-prod '{apps/web}...'\n"
        ),
        "{text}"
    );
    assert!(!text.contains("prune --prod"), "{text}");

    let pnpm = text;

    let manifest = "npm/packages/hello/shipit.toml";
    let text = std::fs::read_to_string(dir.path().join(manifest)).unwrap();
    let text = text.replace(
        "context = \"../..\"\n",
        "context = \"../..\"\nsteps = [\"npm run build --workspace packages/hello\"]\n",
    );
    write(dir.path(), manifest, &text);
    let text = render(dir.path(), manifest);
    assert!(
        text.contains("then npm ci --workspace packages/hello --include-workspace-root;"),
        "{text}"
    );
    assert!(
        text.contains(
            "RUN npm run build --workspace packages/hello\n\
             RUN --mount=type=cache,target=/root/.npm \\\n    \
             find . -name node_modules -prune -exec rm -rf {} + \\\n    \
             && if [ -f package-lock.json ]; then NODE_ENV=production npm ci --omit=dev --prefer-offline --ignore-scripts --workspace packages/hello --include-workspace-root;"
        ),
        "{text}"
    );
    assert!(!text.contains("npm prune"), "{text}");

    // A yarn workspace installs whole (yarn has no per-member install that
    // keeps the lockfile frozen), and its member still ships only itself.
    write(dir.path(), "npm/yarn.lock", "");
    write(dir.path(), "npm/.yarnrc.yml", "nodeLinker: node-modules\n");
    std::fs::remove_file(dir.path().join("npm/package-lock.json")).unwrap();
    let yarn = render(dir.path(), manifest);
    assert!(
        yarn.contains("yarn install --immutable\n")
            && yarn.contains("    NODE_ENV=production YARN_ENABLE_SCRIPTS=false yarn workspaces focus --all --production\n")
            && yarn.contains("&& cp -a packages/hello /out/app/packages/\n"),
        "{yarn}"
    );

    let texts = [pnpm, text, yarn];
    for (text, parsed) in texts.iter().zip(common::parse_dockerfiles(&texts)) {
        let parsed = parsed.unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(parsed.last().unwrap().cmd, "ENTRYPOINT");
    }
}

#[test]
fn a_member_package_json_that_does_not_parse_is_an_error() {
    let dir = monorepo();
    write(
        dir.path(),
        "js/packages/util/package.json",
        "{\"name\": ,}\n",
    );
    let output = shipit(dir.path(), &["render", "-m", "js/apps/web/shipit.toml"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("packages/util/package.json:1:10` is not valid JSON"),
        "{message}"
    );
    // Read once, for the install and for what ships: said once.
    assert_eq!(message.matches("is not valid JSON").count(), 1, "{message}");
}

#[test]
fn a_uv_workspace_application_syncs_its_package_in_two_steps() {
    let dir = monorepo();
    let text = render(dir.path(), "py/apps/worker/shipit.toml");
    assert_eq!(
        lines(&text, "COPY ")[1..5],
        [
            "COPY pyproject.toml uv.lock ./",
            "COPY apps/worker/pyproject.toml apps/worker/",
            "COPY packages/greet/pyproject.toml packages/greet/",
            "COPY . .",
        ],
        "{text}"
    );
    assert!(!text.contains("packages/old"), "excluded: {text}");
    let deps = text
        .find("uv sync --locked --no-default-groups --no-install-workspace --package worker\n")
        .expect(&text);
    let project = text
        .find("uv sync --locked --no-default-groups --package worker\n")
        .expect(&text);
    assert!(deps < text.find("COPY . .").unwrap() && project > deps);
    assert!(text.contains("WORKDIR /app/apps/worker\n"), "{text}");
}

#[test]
fn every_branch_parses_with_buildkit() {
    let dir = monorepo();
    let texts: Vec<String> = [
        "go/services/api/shipit.toml",
        "js/apps/web/shipit.toml",
        "py/apps/worker/shipit.toml",
        "npm/packages/hello/shipit.toml",
    ]
    .iter()
    .map(|m| render(dir.path(), m))
    .collect();
    for (text, parsed) in texts.iter().zip(common::parse_dockerfiles(&texts)) {
        let parsed = parsed.unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(parsed.last().unwrap().cmd, "ENTRYPOINT");
    }
}

#[test]
fn render_writes_the_ignore_file_beside_the_dockerfile_and_check_guards_it() {
    let dir = monorepo();
    let member = dir.path().join("js/apps/web");
    let output = shipit(&member, &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(member.join("Dockerfile.dockerignore").is_file());
    assert!(!member.join(".dockerignore").exists());
    assert!(!dir.path().join("js/.dockerignore").exists());
    let ignore = std::fs::read_to_string(member.join("Dockerfile.dockerignore")).unwrap();
    // Relative to the context root: the member's own files by their path.
    for pattern in [
        "apps/web/Dockerfile",
        "apps/web/shipit.toml",
        "**/node_modules",
    ] {
        assert!(ignore.lines().any(|l| l == pattern), "{pattern}: {ignore}");
    }
    // Another -o name, another ignore file.
    let output = shipit(&member, &["render", "-o", "web.Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(member.join("web.Dockerfile.dockerignore").is_file());

    assert_eq!(shipit(&member, &["check"]).status.code(), Some(0));
    std::fs::remove_file(member.join("Dockerfile.dockerignore")).unwrap();
    let drift = shipit(&member, &["check"]);
    assert_eq!(drift.status.code(), Some(1));
    assert!(
        stdout(&drift).contains("Dockerfile.dockerignore"),
        "{}",
        stdout(&drift)
    );
}

#[test]
fn a_bad_context_is_refused_at_its_key_and_writes_nothing() {
    for (context, wanted) in [
        ("\"services\"", "build.context"),
        ("\"/\"", "build.context"),
        ("\"../x\"", "build.context"),
        (
            "\"../../../../../../../../../../../../../../../../..\"",
            "build.context",
        ),
    ] {
        let dir = monorepo();
        let member = dir.path().join("go/services/api");
        write(
            &member,
            "shipit.toml",
            &format!("name = \"api\"\nlanguage = \"go\"\n\n[build]\ncontext = {context}\n"),
        );
        let output = shipit(&member, &["render", "-o", "Dockerfile"]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{context}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(wanted) && stderr(&output).contains("shipit.toml:5:"),
            "{context}: {}",
            stderr(&output)
        );
        assert!(!member.join("Dockerfile").exists(), "{context}");
    }
}

#[test]
fn a_member_the_workspace_does_not_list_is_an_error() {
    let dir = monorepo();
    write(
        dir.path(),
        "js/pnpm-workspace.yaml",
        "packages:\n  - \"packages/*\"\n",
    );
    let member = dir.path().join("js/apps/web");
    let output = shipit(&member, &["render", "-o", "Dockerfile"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("`apps/web` is not a member of the workspace")
            && message.contains("pnpm-workspace.yaml"),
        "{message}"
    );
    assert!(!member.join("Dockerfile").exists());
    assert!(!member.join("Dockerfile.dockerignore").exists());
}

#[test]
fn a_workspace_without_its_lockfile_at_the_root_is_an_error() {
    let dir = monorepo();
    std::fs::remove_file(dir.path().join("js/pnpm-lock.yaml")).unwrap();
    // A lockfile beside the member does not count: pnpm reads the root's.
    write(dir.path(), "js/apps/web/pnpm-lock.yaml", PNPM_LOCK);
    let output = shipit(&dir.path().join("js/apps/web"), &["render"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("at the workspace root"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_bundled_monorepo_is_current() {
    let root = common::root().join("examples/monorepo");
    let check = shipit(&root, &["check", "--all"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("7 manifests: 7 ok"),
        "{}",
        stdout(&check)
    );
    let bake = shipit(&root, &["bake", "--check"]);
    assert_eq!(bake.status.code(), Some(0), "{}", stdout(&bake));
}

// Regressions from the adversarial review ---------------------------------

#[test]
fn a_yaml_alias_bomb_in_pnpm_workspace_yaml_is_refused_not_expanded() {
    let dir = monorepo();
    let mut yaml = String::from("a0: &a0 [\"apps/*\"]\n");
    for n in 1..25 {
        let previous = format!("*a{}", n - 1);
        let list = [previous.as_str(); 10].join(", ");
        yaml.push_str(&format!("a{n}: &a{n} [{list}]\n"));
    }
    yaml.push_str("packages: *a24\n");
    write(dir.path(), "js/pnpm-workspace.yaml", &yaml);
    let output = shipit(&dir.path().join("js/apps/web"), &["render"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("alias"), "{}", stderr(&output));
}

#[test]
fn a_uv_member_name_that_is_a_flag_is_refused() {
    for name in ["--no-locked", "-x", ".", "worker-"] {
        let dir = monorepo();
        write(
            dir.path(),
            "py/apps/worker/pyproject.toml",
            &format!("[project]\nname = \"{name}\"\nversion = \"0.1.0\"\n"),
        );
        let output = shipit(&dir.path().join("py/apps/worker"), &["render"]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stdout(&output));
        assert!(stderr(&output).contains("PEP 508"), "{}", stderr(&output));
    }
}

#[test]
fn a_go_member_needs_the_workspace_to_use_it() {
    let dir = monorepo();
    write(dir.path(), "go/go.work", "go 1.22\n\nuse ./libs/greet\n");
    let member = dir.path().join("go/services/api");
    let output = shipit(&member, &["render"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("go.work does not `use` it"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_file(dir.path().join("go/go.work")).unwrap();
    let output = shipit(&member, &["render"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("neither go.work nor go.mod"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bake_refuses_to_replace_a_file_that_is_not_a_bake_file() {
    let dir = monorepo();
    let manifest = dir.path().join("tools/count/shipit.toml");
    let before = std::fs::read(&manifest).unwrap();
    let output = shipit(dir.path(), &["bake", "-o", "tools/count/shipit.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a Bake JSON file"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(&manifest).unwrap(), before);
    // Its own output it replaces.
    assert!(
        shipit(dir.path(), &["bake", "-o", "x.json"])
            .status
            .success()
    );
    assert!(
        shipit(dir.path(), &["bake", "-o", "x.json"])
            .status
            .success()
    );
}

#[test]
fn bake_target_names_follow_bakes_rules_and_cache_needs_a_repository() {
    let dir = monorepo();
    write(
        dir.path(),
        "tools/count/shipit.toml",
        "name = \"count.v2\"\nlanguage = \"c\"\n\n[c]\nsources = [\"count.c\"]\n",
    );
    let output = shipit(dir.path(), &["bake"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let file: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(file["target"]["count_v2"]["tags"][0], "count.v2:${TAG}");
    write(
        dir.path(),
        "tools/count/shipit.toml",
        "name = \"count\"\nlanguage = \"c\"\n\n[c]\nsources = [\"count.c\"]\n\n[image]\ncache = true\n",
    );
    let output = shipit(dir.path(), &["bake", "-o", "docker-bake.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`image.cache` needs `image.repository`")
            && stderr(&output).contains("shipit.toml:8:"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("docker-bake.json").exists());
}

#[test]
fn a_uv_workspace_without_its_lock_is_an_error_not_a_pip_install() {
    let dir = monorepo();
    std::fs::remove_file(dir.path().join("py/uv.lock")).unwrap();
    let member = dir.path().join("py/apps/worker");
    let output = shipit(&member, &["render"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("has no uv.lock"),
        "{}",
        stderr(&output)
    );
    write(dir.path(), "py/pyproject.toml", "[tool.uv.workspace\n");
    let output = shipit(&member, &["render"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("not valid TOML"),
        "{}",
        stderr(&output)
    );
}

/// Members are looked for where the globs reach, never through a link
/// (one at a glob's base would lead out of the workspace), and a brace
/// group with `**` still reaches any depth.
#[test]
fn member_globs_reach_their_depth_but_never_through_a_link() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "evil/package.json", "{\"name\": \"evil\"}");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "package.json",
        "{\"name\": \"root\", \"private\": true}",
    );
    write(root, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    write(
        root,
        "pnpm-workspace.yaml",
        "packages:\n  - \"{apps/*,deep/**}\"\n  - \"ext/*\"\n",
    );
    write(root, "apps/web/package.json", "{\"name\": \"web\"}");
    write(root, "apps/web/index.js", "");
    write(
        root,
        "apps/web/shipit.toml",
        "name = \"web\"\nlanguage = \"node\"\n[build]\ncontext = \"../..\"\n[node]\nmode = \"runtime\"\n",
    );
    write(root, "deep/a/b/c/package.json", "{\"name\": \"c\"}");
    write(
        root,
        "apps/web/package.json",
        "{\"name\": \"web\", \"dependencies\": {\"c\": \"workspace:*\", \"evil\": \"workspace:*\"}}",
    );
    std::os::unix::fs::symlink(outside.path(), root.join("ext")).unwrap();
    let text = render(root, "apps/web/shipit.toml");
    // `c` is a member, found at its depth: web ships it.
    assert!(
        text.contains("&& cp -a deep/a/b/c /out/app/deep/a/b/\n"),
        "{text}"
    );
    assert!(!text.contains("evil"), "{text}");
}

// Regressions from the review of what a node member ships -----------------

/// web's package.json with `dependencies`, in the generated monorepo.
fn web_depends_on(dir: &Path, dependencies: &str) {
    write(
        dir,
        "js/apps/web/package.json",
        &format!("{{\"name\": \"@acme/web\", \"dependencies\": {{{dependencies}}}}}\n"),
    );
}

fn ship_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.contains("cp -a")).collect()
}

#[test]
fn a_local_dependency_through_a_link_is_refused_not_followed() {
    let dir = monorepo();
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "package.json",
        "{\"name\": \"o\", \"dependencies\": {\"@acme/greet\": \"*\"}}\n",
    );
    std::os::unix::fs::symlink(outside.path(), dir.path().join("js/vendor/out")).unwrap();
    web_depends_on(dir.path(), "\"o\": \"file:../../vendor/out\"");
    let output = shipit(dir.path(), &["render", "-m", "js/apps/web/shipit.toml"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("is the directory `vendor/out`, reached through a symbolic link"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_local_dependency_a_dockerfile_cannot_copy_is_refused() {
    let dir = monorepo();
    write(dir.path(), "js/vendor/my lib/package.json", "{}\n");
    web_depends_on(dir.path(), "\"l\": \"file:../../vendor/my lib\"");
    let output = shipit(dir.path(), &["render", "-m", "js/apps/web/shipit.toml"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("a name a Dockerfile cannot copy as written"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unreadable_member_package_json_is_an_error_not_a_package_left_out() {
    let dir = monorepo();
    std::fs::write(
        dir.path().join("js/packages/greet/package.json"),
        b"{\"name\": \"@acme/greet\", \"x\": \"\xff\"}\n",
    )
    .unwrap();
    let output = shipit(dir.path(), &["render", "-m", "js/apps/web/shipit.toml"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("packages/greet/package.json` as UTF-8")
            || stderr(&output).contains("not a regular UTF-8 file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn pnpm_workspace_aliases_and_paths_ship_the_package_they_name() {
    for spec in [
        "\"g\": \"workspace:@acme/greet@*\"",
        "\"g\": \"workspace:../../packages/greet\"",
        "\"g\": \"link:../../packages/greet\"",
    ] {
        let dir = monorepo();
        web_depends_on(dir.path(), spec);
        let text = render(dir.path(), "js/apps/web/shipit.toml");
        assert!(
            ship_lines(&text)
                .contains(&"    && cp -a packages/greet packages/util /out/app/packages/"),
            "{spec}:\n{text}"
        );
    }
}

#[test]
fn a_directory_inside_another_ships_with_it() {
    let dir = monorepo();
    for sub in ["a", "a-b", "a/b", "a/b/c"] {
        write(dir.path(), &format!("js/vendor/{sub}/package.json"), "{}\n");
    }
    web_depends_on(
        dir.path(),
        "\"c\": \"file:../../vendor/a/b/c\", \"ab\": \"file:../../vendor/a-b\", \"b\": \"file:../../vendor/a/b\", \"a\": \"file:../../vendor/a\"",
    );
    let text = render(dir.path(), "js/apps/web/shipit.toml");
    assert!(
        text.contains("    && cp -a vendor/a vendor/a-b /out/app/vendor/\n"),
        "{text}"
    );
}

#[test]
fn a_build_workdir_in_out_is_refused() {
    let dir = monorepo();
    let manifest = dir.path().join("js/apps/web/shipit.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    for workdir in ["/out", "/out/app", "/out/app/x/"] {
        let changed = text.replace(
            "context = \"../..\"\n",
            &format!("context = \"../..\"\nworkdir = \"{workdir}\"\n"),
        );
        std::fs::write(&manifest, changed).unwrap();
        let output = shipit(dir.path(), &["render", "-m", "js/apps/web/shipit.toml"]);
        assert_eq!(output.status.code(), Some(2), "{workdir}");
        assert!(
            stderr(&output).contains("where the build collects what ships (`/out`)"),
            "{}",
            stderr(&output)
        );
    }
}

// Regressions from the new-user review -------------------------------------

#[test]
fn a_member_runs_from_its_own_directory_under_a_custom_runtime_workdir() {
    let dir = monorepo();
    for (manifest, member) in [
        ("js/apps/web/shipit.toml", "apps/web"),
        ("py/apps/worker/shipit.toml", "apps/worker"),
    ] {
        let path = dir.path().join(manifest);
        let text = std::fs::read_to_string(&path).unwrap();
        let text = match text.contains("[runtime]\n") {
            true => text.replace("[runtime]\n", "[runtime]\nworkdir = \"/srv\"\n"),
            false => format!("{text}\n[runtime]\nworkdir = \"/srv\"\n"),
        };
        std::fs::write(&path, text).unwrap();
        let rendered = render(dir.path(), manifest);
        assert!(
            rendered.contains(&format!("WORKDIR /srv/{member}\n")),
            "{manifest}:\n{rendered}"
        );
    }
}

/// BuildKit reads a member's `Dockerfile.dockerignore` instead of the
/// context root's `.dockerignore`: the root's patterns are carried over,
/// after the language's, and `node_modules` stays out of every language's
/// context (a Python member beside a frontend).
#[test]
fn a_member_ignore_file_keeps_the_context_roots_patterns() {
    let dir = monorepo();
    write(
        dir.path(),
        "py/.dockerignore",
        "# ours\nsecrets/\n\n*.pem\n",
    );
    let member = dir.path().join("py/apps/worker");
    let output = shipit(&member, &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let ignore = std::fs::read_to_string(member.join("Dockerfile.dockerignore")).unwrap();
    let lines: Vec<&str> = ignore.lines().collect();
    let at = |pattern: &str| {
        lines
            .iter()
            .position(|l| *l == pattern)
            .unwrap_or_else(|| panic!("no `{pattern}`:\n{ignore}"))
    };
    assert!(at("**/node_modules") > 0);
    // The root's come first: a later line wins, so a `!` there cannot
    // re-include what shipit keeps out.
    assert!(at("secrets/") < at("**/.env"), "{ignore}");
    assert!(at("secrets/") < at("**/__pycache__"), "{ignore}");
    assert!(at("*.pem") > at("secrets/"), "{ignore}");
    let comment = lines[at("secrets/") - 1];
    assert!(
        comment.starts_with('#') && comment.contains("../../.dockerignore"),
        "{ignore}"
    );
    assert_eq!(shipit(&member, &["check"]).status.code(), Some(0));

    // An allow-list at the root (`*`, `!py`) stays before shipit's own
    // exclusions.
    write(dir.path(), "py/.dockerignore", "*\n!apps\n!packages\n");
    let output = shipit(&member, &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let ignore = std::fs::read_to_string(member.join("Dockerfile.dockerignore")).unwrap();
    let lines: Vec<&str> = ignore.lines().collect();
    let last_allow = lines.iter().rposition(|l| l.starts_with("!apps")).unwrap();
    for own in ["**/.env", "**/.git", "**/node_modules"] {
        let at = lines.iter().position(|l| *l == own).unwrap();
        assert!(
            at > last_allow,
            "`{own}` before the root's `!apps`:\n{ignore}"
        );
    }

    // The root's ignore file written by shipit for another Dockerfile is
    // that Dockerfile's, not the repository's.
    let go = dir.path().join("go/services/api");
    write(dir.path(), "go/.dockerignore", &ignore);
    let output = shipit(&go, &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let ignore = std::fs::read_to_string(go.join("Dockerfile.dockerignore")).unwrap();
    assert!(!ignore.contains("secrets/"), "{ignore}");
    assert!(ignore.lines().any(|l| l == "**/node_modules"), "{ignore}");
}
