//! Node projects shaped like real repositories (issue #26): a port read
//! into a variable, an entry that a TypeScript build makes, a Next.js app
//! in a pnpm workspace; and the warning for an entry nothing makes.

mod common;

use std::path::Path;

use common::{shipit, stderr, stdout, tree};

/// Runs `init` in `dir`; asserts it succeeds; the manifest and messages.
fn init_ok(dir: &Path) -> (String, String) {
    let output = shipit(dir, &["init", "."]);
    let message = stderr(&output);
    assert!(output.status.success(), "{message}");
    let manifest = std::fs::read_to_string(dir.join("shipit.toml")).unwrap();
    (manifest, message)
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

#[test]
fn node_port_read_from_the_environment_with_a_fallback_is_the_port() {
    let dir = tree(&[
        (
            "package.json",
            r#"{"name": "web", "scripts": {"start": "node app.js", "prepare": "husky"}, "devDependencies": {"husky": "^9"}}"#,
        ),
        (
            "app.js",
            "const app = require('express')();\nconst port = process.env.PORT || 3000;\napp.listen(port, () => {});\n",
        ),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(manifest.contains("ports = [3000]"), "{manifest}");
    assert!(message.contains("`PORT` or 3000"), "{message}");
}

#[test]
fn node_port_that_express_generator_normalizes_from_a_string_is_the_port() {
    // express-generator's bin/www: the fallback is a string literal.
    let dir = tree(&[
        (
            "package.json",
            r#"{"name": "site", "private": true, "scripts": {"start": "node ./bin/www"}, "dependencies": {"express": "~4.16.1"}}"#,
        ),
        (
            "app.js",
            "var express = require('express');\nmodule.exports = express();\n",
        ),
        (
            "bin/www",
            "#!/usr/bin/env node\nvar app = require('../app');\nvar http = require('http');\nvar port = normalizePort(process.env.PORT || '3000');\napp.set('port', port);\nvar server = http.createServer(app);\nserver.listen(port);\n",
        ),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(manifest.contains("ports = [3000]"), "{manifest}");
    assert!(message.contains("`PORT` or 3000"), "{message}");
}

const TSCONFIG: &str = "{\n  // emitted JavaScript\n  \"compilerOptions\": {\n    \"outDir\": \"dist\",\n    \"rootDir\": \"src\",\n  },\n}\n";

fn ts_server(lockfile: &str) -> tempfile::TempDir {
    tree(&[
        (
            "package.json",
            r#"{"name": "api", "main": "dist/server.js", "scripts": {"build": "tsc", "start": "node dist/server.js"}, "devDependencies": {"typescript": "^5"}}"#,
        ),
        (lockfile, ""),
        ("tsconfig.json", TSCONFIG),
        (
            "src/server.ts",
            "import { createServer } from \"node:http\";\nconst port = Number(process.env.PORT) || 8080;\ncreateServer(() => {}).listen(port);\n",
        ),
    ])
}

#[test]
fn node_entry_that_tsc_writes_gets_the_build_step_and_the_port_of_its_source() {
    let dir = ts_server("package-lock.json");
    let (manifest, message) = init_ok(dir.path());
    assert!(
        manifest.contains("steps = [\"npm run build\"]"),
        "{manifest}"
    );
    assert!(
        manifest.contains("entry = \"dist/server.js\""),
        "{manifest}"
    );
    assert!(manifest.contains("mode = \"runtime\""), "{manifest}");
    assert!(manifest.contains("ports = [8080]"), "{manifest}");
    assert!(
        message.contains("tsconfig.json's outDir `dist/`"),
        "{message}"
    );
    assert!(message.contains("`src/server.ts`"), "{message}");
    // What init wrote renders without a warning: the step makes the entry.
    let render = shipit(dir.path(), &["render"]);
    assert!(render.status.success(), "{}", stderr(&render));
    assert!(!stderr(&render).contains("warning"), "{}", stderr(&render));
    assert!(stdout(&render).contains("RUN npm run build"));
}

#[test]
fn node_build_step_is_the_managers_own() {
    for (lockfile, step) in [
        ("pnpm-lock.yaml", "pnpm run build"),
        ("yarn.lock", "yarn build"),
    ] {
        let dir = ts_server(lockfile);
        let (manifest, _) = init_ok(dir.path());
        assert!(
            manifest.contains(&format!("steps = [\"{step}\"]")),
            "{manifest}"
        );
    }
}

#[test]
fn node_entry_in_dist_without_a_build_script_is_not_drafted() {
    let dir = tree(&[
        (
            "package.json",
            r#"{"name": "api", "scripts": {"start": "node dist/server.js"}}"#,
        ),
        ("package-lock.json", ""),
    ]);
    let (manifest, _) = init_ok(dir.path());
    assert!(!manifest.contains("steps"), "{manifest}");
    assert!(!manifest.contains("dist/server.js"), "{manifest}");
}

#[test]
fn plan_and_render_warn_when_no_file_and_no_step_make_the_entry() {
    let dir = tree(&[
        ("package.json", r#"{"name": "api"}"#),
        ("package-lock.json", ""),
        ("server.js", ""),
        (
            "shipit.toml",
            "name = \"api\"\nlanguage = \"node\"\n\n[node]\nmode = \"runtime\"\n",
        ),
    ]);
    for command in ["render", "plan"] {
        let output = shipit(dir.path(), &[command]);
        let message = stderr(&output);
        assert!(output.status.success(), "{command}: {message}");
        assert!(
            message.contains("`node.entry` defaults to `index.js`, which is not in the project"),
            "{command}: {message}"
        );
    }
    // Build steps may write it: no warning then.
    write(
        dir.path(),
        "shipit.toml",
        "name = \"api\"\nlanguage = \"node\"\n\n[build]\nsteps = [\"npm run build\"]\n\n[node]\nmode = \"runtime\"\nentry = \"dist/index.js\"\n",
    );
    let output = shipit(dir.path(), &["render"]);
    assert!(
        !stderr(&output).contains("not in the project"),
        "{}",
        stderr(&output)
    );
}

fn next_workspace(config: &str) -> tempfile::TempDir {
    tree(&[
        (
            "package.json",
            r#"{"name": "site", "private": true, "packageManager": "pnpm@10.34.9"}"#,
        ),
        ("pnpm-workspace.yaml", "packages:\n  - \"apps/*\"\n"),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
        (
            "apps/web/package.json",
            r#"{"name": "web", "scripts": {"build": "next build"}, "dependencies": {"next": "^16", "react": "^19", "react-dom": "^19"}}"#,
        ),
        ("apps/web/next.config.mjs", config),
        ("apps/web/app/page.js", "export default () => 'hi';\n"),
        ("apps/web/public/robots.txt", ""),
        ("apps/docs/package.json", r#"{"name": "docs"}"#),
    ])
}

const STANDALONE: &str = "export default { output: \"standalone\" };\n";

#[test]
fn next_app_in_a_pnpm_workspace_ships_its_standalone_server() {
    let dir = next_workspace(STANDALONE);
    let (manifest, message) = init_ok(dir.path());
    assert!(manifest.contains("mode = \"next\""), "{manifest}");
    assert!(
        manifest.contains("entry = \"apps/web/server.js\""),
        "{manifest}"
    );
    assert!(
        // The member and, first, the workspace packages it depends on.
        manifest.contains("steps = [\"pnpm --filter '{apps/web}...' run build\"]"),
        "{manifest}"
    );
    assert!(manifest.contains("ports = [3000]"), "{manifest}");
    // Next's image and ISR cache, written at run time by the app's user.
    assert!(
        manifest.contains("writable = [\".next/cache\"]"),
        "{manifest}"
    );
    assert!(
        message.contains("apps/web/package.json: depends on `next`"),
        "{message}"
    );
    assert!(message.contains("output \"standalone\""), "{message}");

    let render = shipit(dir.path(), &["render"]);
    let dockerfile = stdout(&render);
    assert!(render.status.success(), "{}", stderr(&render));
    assert!(!stderr(&render).contains("warning"), "{}", stderr(&render));
    for line in [
        // every member's package.json before the root's install
        "COPY apps/docs/package.json apps/docs/",
        "COPY apps/web/package.json apps/web/",
        "pnpm install --frozen-lockfile\n",
        "ENV NEXT_TELEMETRY_DISABLED=\"1\"",
        "cp -a apps/web/.next/standalone/. /out/app/",
        "cp -a apps/web/.next/static /out/app/apps/web/.next/",
        "cp -a apps/web/public /out/app/apps/web/",
        "HOSTNAME=0.0.0.0",
        "COPY --from=build /out/app /app",
        "WORKDIR /app/apps/web",
        "\"node\", \"server.js\"]",
    ] {
        assert!(dockerfile.contains(line), "no `{line}` in:\n{dockerfile}");
    }
    // No prune: the standalone tree carries the dependencies it traced.
    assert!(!dockerfile.contains("prune"), "{dockerfile}");
    let render = shipit(dir.path(), &["render", "-o", "Dockerfile"]);
    assert!(render.status.success(), "{}", stderr(&render));
    let ignore = std::fs::read_to_string(dir.path().join(".dockerignore")).unwrap();
    assert!(ignore.contains("**/.next\n"), "{ignore}");
}

#[test]
fn next_app_without_standalone_output_is_told_what_to_add() {
    let dir = next_workspace("export default {};\n");
    let (manifest, message) = init_ok(dir.path());
    assert!(manifest.contains("mode = \"next\""), "{manifest}");
    assert!(
        message.contains("no `output: \"standalone\"`: add it"),
        "{message}"
    );
    let render = shipit(dir.path(), &["render"]);
    assert!(render.status.success(), "{}", stderr(&render));
    assert!(
        stderr(&render).contains("does not set `output: \"standalone\"`"),
        "{}",
        stderr(&render)
    );
}

#[test]
fn next_app_on_its_own_runs_its_build_script_beside_the_manifest() {
    let dir = tree(&[
        (
            "package.json",
            r#"{"name": "site", "scripts": {"build": "next build"}, "dependencies": {"next": "^16"}}"#,
        ),
        ("package-lock.json", ""),
        (
            "next.config.js",
            "module.exports = {\n  output: 'standalone',\n};\n",
        ),
    ]);
    let (manifest, _) = init_ok(dir.path());
    assert!(
        manifest.contains("steps = [\"npm run build\"]"),
        "{manifest}"
    );
    assert!(manifest.contains("entry = \"server.js\""), "{manifest}");
    let render = shipit(dir.path(), &["render"]);
    let dockerfile = stdout(&render);
    assert!(render.status.success(), "{}", stderr(&render));
    assert!(
        dockerfile.contains("cp -a .next/standalone/. /out/app/"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("WORKDIR /app\n"), "{dockerfile}");
}

#[test]
fn next_mode_needs_a_build_step_and_the_standalone_server() {
    let dir = tree(&[
        (
            "package.json",
            r#"{"name": "site", "dependencies": {"next": "^16"}}"#,
        ),
        ("package-lock.json", ""),
        (
            "next.config.js",
            "module.exports = { output: 'standalone' };\n",
        ),
        (
            "shipit.toml",
            "name = \"site\"\nlanguage = \"node\"\n\n[node]\nmode = \"next\"\nentry = \"index.js\"\n",
        ),
    ]);
    let output = shipit(dir.path(), &["render"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("no `build.steps` run it"), "{message}");
    assert!(
        message.contains("runs the standalone `server.js`"),
        "{message}"
    );
    assert!(message.contains("shipit.toml:6:"), "{message}");
}

#[test]
fn next_app_as_a_workspace_member_builds_from_the_root() {
    let dir = next_workspace(STANDALONE);
    let web = dir.path().join("apps/web");
    let (manifest, _) = init_ok(&web);
    assert!(manifest.contains("context = \"../..\""), "{manifest}");
    assert!(
        // The member and, first, the workspace packages it depends on.
        manifest.contains("steps = [\"pnpm --filter '{apps/web}...' run build\"]"),
        "{manifest}"
    );
    assert!(manifest.contains("entry = \"server.js\""), "{manifest}");
    let render = shipit(&web, &["render"]);
    let dockerfile = stdout(&render);
    assert!(render.status.success(), "{}", stderr(&render));
    for line in [
        "RUN pnpm fetch\n",
        "pnpm install --offline --frozen-lockfile --filter '{apps/web}...'",
        "cp -a apps/web/.next/standalone/. /out/app/",
        "WORKDIR /app/apps/web",
    ] {
        assert!(dockerfile.contains(line), "no `{line}` in:\n{dockerfile}");
    }
}

#[test]
fn node_start_through_a_typescript_loader_runs_what_tsc_writes() {
    for (start, source, entry) in [
        ("tsx src/index.ts", "src/index.ts", "dist/index.js"),
        (
            "ts-node --transpile-only src/api/main.ts",
            "src/api/main.ts",
            "dist/api/main.js",
        ),
        (
            "node --import tsx src/server.mts",
            "src/server.mts",
            "dist/server.mjs",
        ),
    ] {
        let package = format!(
            r#"{{"name": "api", "type": "module", "scripts": {{"dev": "tsx watch src/index.ts", "build": "tsc", "start": "{start}"}}, "devDependencies": {{"tsx": "^4", "typescript": "^5"}}}}"#
        );
        let dir = tree(&[
            ("package.json", &package),
            ("package-lock.json", ""),
            ("tsconfig.json", TSCONFIG),
            (
                source,
                "import { createServer } from \"node:http\";\nconst port = process.env.PORT ?? 4000;\ncreateServer(() => {}).listen(port);\n",
            ),
        ]);
        let (manifest, message) = init_ok(dir.path());
        assert!(
            manifest.contains(&format!("entry = \"{entry}\"")),
            "{start}: {manifest}"
        );
        assert!(
            manifest.contains("steps = [\"npm run build\"]"),
            "{manifest}"
        );
        assert!(manifest.contains("mode = \"runtime\""), "{manifest}");
        assert!(manifest.contains("ports = [4000]"), "{manifest}");
        assert!(message.contains("a development loader"), "{message}");
        // What init wrote renders without a warning: the step makes the entry.
        let render = shipit(dir.path(), &["render"]);
        assert!(render.status.success(), "{}", stderr(&render));
        assert!(!stderr(&render).contains("warning"), "{}", stderr(&render));
    }
}

#[test]
fn node_port_in_a_variable_passed_to_listen_is_the_port() {
    let dir = tree(&[
        (
            "package.json",
            r#"{"name": "web", "scripts": {"start": "node server.js"}}"#,
        ),
        (
            "server.js",
            "const http = require('http');\nlet port = 4321;\nhttp.createServer(() => {}).listen(port, () => console.log(port));\n",
        ),
    ]);
    let (manifest, message) = init_ok(dir.path());
    assert!(manifest.contains("ports = [4321]"), "{manifest}");
    assert!(
        message.contains("`port = 4321`, passed to listen"),
        "{message}"
    );
}
