//! Every documented option, rendered: each branch of each template is
//! parsed by BuildKit's own parser, linted by hadolint, and asserted on —
//! not only the defaults the examples use. (Real builds of the options that
//! change what gets built or run: tests/e2e/run.sh and its variants.)

mod common;

use common::{Instruction, refused};
use shipit::templates::Templates;

/// One manifest in a project directory, with what its render must and
/// must not contain.
struct Case {
    label: &'static str,
    files: &'static [(&'static str, &'static str)],
    manifest: &'static str,
    contains: &'static [&'static str],
    absent: &'static [&'static str],
}

fn cases() -> Vec<Case> {
    vec![
        // --- runtime.writable --------------------------------------------
        Case {
            label: "runtime.writable on a base with a shell: made and owned after the app is copied",
            files: &[("requirements.txt", "flask\n")],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"app.py\"]\nuser = \"1000:1000\"\nwritable = [\"logs\", \"data/uploads/\", \"app.db\", \"logs\"]\n",
            contains: &[
                "COPY --from=build /app /app\nRUN for path in /app/logs /app/data/uploads /app/app.db; do [ -e \"$path\" ] || mkdir -p \"$path\"; done \\\n    && chown -R 1000:1000 /app/logs /app/data/uploads /app/app.db\nWORKDIR /app\nUSER 1000:1000\n",
            ],
            absent: &["/out/writable"],
        },
        Case {
            label: "runtime.writable on scratch: made in the builder, copied owned",
            files: &[("go.mod", "module example.com/a\n\ngo 1.22\n")],
            manifest: "name = \"a\"\nlanguage = \"go\"\n[runtime]\nworkdir = \"/srv\"\nwritable = [\"data/cache\", \".state\"]\n",
            contains: &[
                "RUN mkdir -p /out/writable /out/writable/srv/data/cache /out/writable/srv/.state \\\n    && chown 65532:65532 /out/writable/srv/data/cache /out/writable/srv/.state\n",
                "COPY --from=build /out/a /usr/local/bin/a\nCOPY --from=build /out/writable/ /\n",
            ],
            // Only the listed paths are the user's, not `/srv` above them.
            absent: &["chown -R", "--chown=65532:65532 /out/writable"],
        },
        // --- go ---------------------------------------------------------
        Case {
            label: "go custom steps keep the static, cross-compiling environment",
            files: &[("go.mod", "module x\n\ngo 1.22\n")],
            manifest: "name = \"a\"\nlanguage = \"go\"\n[build]\nsteps = [\"go build -o /out/a .\"]\nworkdir = \"/build\"\n",
            contains: &[
                "ARG TARGETVARIANT\nENV CGO_ENABLED=0 \\\n    GOOS=$TARGETOS \\\n    GOARCH=$TARGETARCH\n",
                "go env -w GOARM=\"${TARGETVARIANT#v}\"",
                "go env -w GOAMD64=\"$TARGETVARIANT\"",
                "WORKDIR /build\n",
                "RUN go build -o /out/a .\n",
                "chmod 1777 /out/rootfs/tmp",
                "COPY --from=build /out/rootfs/ /\n",
                "COPY --from=build --chown=65532:65532 /out/home /home/nonroot\n",
                "COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n",
            ],
            absent: &["tini"],
        },
        Case {
            label: "go tzdata embeds the database, merging the manifest's own -tags",
            files: &[("go.mod", "module x\n")],
            manifest: "name = \"a\"\nlanguage = \"go\"\n[build]\nenv = { GOFLAGS = \"-mod=mod -tags=netgo\" }\n[go]\ntzdata = true\n",
            contains: &["ENV GOFLAGS=\"-mod=mod -tags=netgo,timetzdata\"\n"],
            absent: &["zoneinfo", "GOFLAGS=\"-mod=mod -tags=netgo\"\n"],
        },
        Case {
            label: "go tzdata without GOFLAGS of its own",
            files: &[("go.mod", "module x\n")],
            manifest: "name = \"a\"\nlanguage = \"go\"\n[go]\ntzdata = true\n",
            contains: &["ENV GOFLAGS=\"-tags=timetzdata\"\n"],
            absent: &[],
        },
        Case {
            label: "go workspace and local replace: their go.mod files come before go mod download",
            files: &[
                (
                    "go.mod",
                    "module x\n\nreplace example.com/lib => ./lib\nreplace (\n\texample.com/b v1.0.0 => ./third_party/b // vendored\n\texample.com/c => example.com/c v1.2.0\n)\n",
                ),
                ("go.work", "go 1.22\n\nuse (\n\t.\n\t./tools\n)\n"),
                (
                    "lib/go.mod",
                    "module example.com/lib\n\nreplace example.com/d => ../d\n",
                ),
                ("tools/go.mod", "module tools\n"),
            ],
            manifest: "name = \"a\"\nlanguage = \"go\"\n",
            contains: &[
                "COPY go.mod go.sum* ./\nCOPY go.work go.work.sum* ./\nCOPY d/go.mod d/go.sum* d/\nCOPY lib/go.mod lib/go.sum* lib/\nCOPY third_party/b/go.mod third_party/b/go.sum* third_party/b/\nCOPY tools/go.mod tools/go.sum* tools/\nRUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download\n",
            ],
            absent: &[],
        },
        Case {
            label: "go workspace: `use lib` without ./ and a quoted path are modules too",
            files: &[
                ("go.mod", "module x\n"),
                ("go.work", "go 1.22\n\nuse (\n\t.\n\tlib\n\t\"tools\"\n)\n"),
                ("lib/go.mod", "module example.com/lib\n"),
                ("tools/go.mod", "module tools\n"),
            ],
            manifest: "name = \"a\"\nlanguage = \"go\"\n",
            contains: &[
                "COPY lib/go.mod lib/go.sum* lib/\n",
                "COPY tools/go.mod tools/go.sum* tools/\n",
            ],
            absent: &[],
        },
        Case {
            label: "go cgo: glibc builder and runtime, CA bundle, no cross-compiling",
            files: &[("go.mod", "module x\n")],
            manifest: "name = \"a\"\nlanguage = \"go\"\n[go]\ncgo = true\n[runtime]\ninit = true\n",
            contains: &[
                "FROM golang:1.25-trixie AS build\n",
                "FROM debian:trixie-slim\n",
                "COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n",
                "apt-get install -y --no-install-recommends tini",
                "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/usr/local/bin/a\"]\n",
                "echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >> /etc/passwd",
            ],
            absent: &["CGO_ENABLED=0", "$BUILDPLATFORM"],
        },
        Case {
            label: "go as root on scratch gets a root account",
            files: &[("go.mod", "module x\n")],
            manifest: "name = \"a\"\nlanguage = \"go\"\n[runtime]\nuser = \"0:0\"\n",
            contains: &[
                "echo 'root:x:0:0:root:/root:/sbin/nologin' > /out/rootfs/etc/passwd",
                "COPY --from=build --chown=0:0 /out/home /root\n",
            ],
            absent: &[],
        },
        Case {
            label: "go with healthcheck, cmd, labels and env",
            files: &[("go.mod", "module x\n")],
            manifest: "name = \"a\"\nlanguage = \"go\"\n[runtime]\ncmd = [\"serve\"]\nenv = { A = \"b c\" }\nlabels = { \"org.opencontainers.image.title\" = \"a\" }\nports = [8080, 80, 8080]\nworkdir = \"/data\"\nhealthcheck = { command = [\"/usr/local/bin/a\", \"health\"], interval = \"30s\", timeout = \"5s\", start_period = \"1m\", retries = 3 }\n",
            contains: &[
                "HEALTHCHECK --interval=30s --timeout=5s --start-period=1m --retries=3 CMD [\"/usr/local/bin/a\", \"health\"]\n",
                "CMD [\"serve\"]\n",
                "EXPOSE 80\nEXPOSE 8080\n",
                "WORKDIR /data\n",
                "ENV A=\"b c\"\n",
            ],
            absent: &[],
        },
        Case {
            label: "secrets and ssh reach every dependency and build step, never a layer",
            files: &[("go.mod", "module x\n")],
            manifest: "name = \"a\"\nlanguage = \"go\"\n[build]\nssh = true\n[[build.secrets]]\nid = \"netrc\"\ntarget = \"/root/.netrc\"\n[[build.secrets]]\nid = \"goproxy_token\"\nenv = \"GOPROXY_TOKEN\"\n",
            contains: &[
                "RUN --mount=type=secret,id=netrc,target=/root/.netrc \\\n    --mount=type=secret,id=goproxy_token,env=GOPROXY_TOKEN \\\n    --mount=type=ssh \\\n    --mount=type=cache,target=/go/pkg/mod \\\n    go mod download\n",
                "RUN --mount=type=secret,id=netrc,target=/root/.netrc \\\n    --mount=type=secret,id=goproxy_token,env=GOPROXY_TOKEN \\\n    --mount=type=ssh \\\n    --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n    mkdir -p /out",
            ],
            absent: &[
                "ARG NETRC",
                "ENV GOPROXY_TOKEN",
                "RUN --mount=type=secret,id=netrc,target=/root/.netrc \\\n    --mount=type=secret,id=goproxy_token,env=GOPROXY_TOKEN \\\n    --mount=type=ssh \\\n    mkdir -p /out/rootfs",
            ],
        },
        Case {
            label: "secrets on custom steps and every language's install",
            files: &[("requirements.txt", "flask\n")],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[build]\nsteps = [\"make\"]\n[[build.secrets]]\nid = \"pipconf\"\ntarget = \"/etc/pip.conf\"\n[runtime]\nentrypoint = [\"python\"]\n",
            contains: &[
                "RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf \\\n    --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt\n",
                "RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf \\\n    make\n",
            ],
            absent: &[],
        },
        // --- node -------------------------------------------------------
        Case {
            label: "node pkg: pinned pkg and pkg-fetch before the source, package.json's pkg section, no silent x64",
            files: &[("package.json", "{\"name\": \"a\"}")],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[node]\nentry = \"src/cli.js\"\n",
            contains: &[
                "npm install --global @yao-pkg/pkg@6.23.0 @yao-pkg/pkg-fetch@3.6.6",
                "*) echo \"pkg has no Node binary for the architecture",
                "pkg-fetch --node-range node22 --platform alpine --arch \"$arch\"\nCOPY package.json",
                "pkg --config package.json --targets \"$(cat /opt/pkg-target)\" --output /out/a src/cli.js",
                "FROM alpine:3.22\nRUN apk add --no-cache tini libgcc libstdc++\n",
                "ENTRYPOINT [\"/sbin/tini\", \"--\", \"/usr/local/bin/a\"]\n",
            ],
            absent: &["arm64) arch=arm64 ;; *) arch=x64"],
        },
        Case {
            label: "node pkg on a glibc runtime",
            files: &[("package.json", "{}")],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[runtime]\nbase = \"debian:trixie-slim\"\ninit = false\n",
            contains: &["FROM node:22-trixie AS build\n", "--platform linux --arch"],
            absent: &["tini"],
        },
        Case {
            label: "node pkg on scratch: static binary, no init by default",
            files: &[("package.json", "{}")],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[runtime]\nbase = \"scratch\"\n",
            contains: &[
                "--platform linuxstatic --arch",
                "COPY --from=build /out/rootfs/ /\n",
            ],
            absent: &["tini"],
        },
        Case {
            label: "node runtime mode moves the app from build.workdir to runtime.workdir",
            files: &[("package.json", "{}")],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[build]\nworkdir = \"/build\"\n[runtime]\nworkdir = \"/srv/app\"\n[node]\nmode = \"runtime\"\nentry = \"server.js\"\n",
            contains: &[
                "WORKDIR /build\n",
                "COPY --from=build /build /srv/app\n",
                "WORKDIR /srv/app\n",
                "ENTRYPOINT [\"/sbin/tini\", \"--\", \"node\", \"server.js\"]\n",
            ],
            absent: &[" /app\n"],
        },
        Case {
            label: "node runtime mode: the build workdir follows runtime.workdir",
            files: &[("package.json", "{}")],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[runtime]\nworkdir = \"/srv/app\"\n[node]\nmode = \"runtime\"\n",
            contains: &[
                "WORKDIR /srv/app\nCOPY package.json",
                "COPY --from=build /srv/app /srv/app\n",
            ],
            absent: &[],
        },
        Case {
            label: "node runtime mode with build steps prunes dev dependencies",
            files: &[("package.json", "{}")],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[build]\nsteps = [\"npm run build\"]\n[node]\nmode = \"runtime\"\n[runtime]\ncmd = [\"--port\", \"3000\"]\n",
            contains: &[
                "npm ci; else npm install; fi\n",
                "RUN npm run build\nRUN --mount=type=cache,target=/root/.npm \\\n    NODE_ENV=production npm prune --omit=dev --ignore-scripts\n",
            ],
            absent: &[],
        },
        Case {
            label: "pnpm through pinned corepack, frozen, production only; .npmrc copied, never shipped",
            files: &[
                ("package.json", "{\"packageManager\": \"pnpm@9.15.9\"}"),
                ("pnpm-lock.yaml", ""),
                ("pnpm-workspace.yaml", ""),
                (".npmrc", "registry=https://registry.example.com/\n"),
            ],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[node]\nmode = \"runtime\"\n",
            contains: &[
                "npm install --global corepack@0.36.0 \\\n    && corepack enable\n",
                "COPY package.json .npmrc pnpm-workspace.yaml pnpm-lock.yaml ./\n",
                "pnpm install --frozen-lockfile --prod\n",
                "COPY . .\nRUN find . -name node_modules -prune -o \\( -name .npmrc -o -name .yarnrc.yml -o -name .yarnrc \\) -type f -exec rm -f {} +\n",
            ],
            absent: &["npm ci"],
        },
        Case {
            label: "pnpm with build steps installs everything, then prunes",
            files: &[("package.json", "{}"), ("pnpm-lock.yaml", "")],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[build]\nsteps = [\"pnpm run build\"]\n[node]\nmode = \"runtime\"\n",
            contains: &[
                "pnpm install --frozen-lockfile\n",
                "RUN pnpm run build\nRUN --mount=type=cache,target=/root/.local/share/pnpm/store \\\n    NODE_ENV=production pnpm prune --prod --ignore-scripts\n",
            ],
            absent: &[],
        },
        Case {
            label: "yarn classic: frozen lockfile, production",
            files: &[("package.json", "{}"), ("yarn.lock", "")],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[node]\nmode = \"runtime\"\n",
            contains: &[
                "COPY package.json yarn.lock ./\n",
                "--mount=type=cache,target=/usr/local/share/.cache/yarn \\\n    yarn install --frozen-lockfile --production\n",
            ],
            absent: &["--immutable"],
        },
        Case {
            label: "yarn berry: immutable, its config and release, node_modules, production focus",
            files: &[
                ("package.json", "{\"packageManager\": \"yarn@4.5.0\"}"),
                ("yarn.lock", ""),
                (".yarnrc.yml", "yarnPath: .yarn/releases/yarn-4.5.0.cjs\n"),
                (".yarn/releases/yarn-4.5.0.cjs", ""),
            ],
            manifest: "name = \"a\"\nlanguage = \"node\"\n[node]\nmode = \"runtime\"\n",
            contains: &[
                "COPY package.json .yarnrc.yml yarn.lock ./\nCOPY .yarn/releases/ .yarn/releases/\n",
                "YARN_NODE_LINKER=node-modules",
                "yarn install --immutable && NODE_ENV=production YARN_ENABLE_SCRIPTS=false yarn workspaces focus --all --production\n",
            ],
            absent: &["--frozen-lockfile"],
        },
        // --- python -----------------------------------------------------
        Case {
            label: "python requirements with included files, copied before the install",
            files: &[
                (
                    "requirements.txt",
                    "-r requirements/base.txt\n--constraint=constraints.txt\nflask  # web\n",
                ),
                (
                    "requirements/base.txt",
                    "-c ../constraints.txt\n--requirement common.txt\n",
                ),
                ("requirements/common.txt", "six\n"),
                ("constraints.txt", "six==1.16.0\n"),
            ],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"app.py\"]\nworkdir = \"/srv/app\"\n",
            contains: &[
                "COPY requirements.txt constraints.txt ./\nCOPY requirements/base.txt requirements/common.txt requirements/\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt\nCOPY . .\n",
                "WORKDIR /srv/app\nRUN python -m venv",
                "COPY --from=build /srv/app /srv/app\n",
                "apt-get install -y --no-install-recommends tini",
                "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"python\", \"app.py\"]\n",
            ],
            absent: &[" /app\n"],
        },
        Case {
            label: "python requirements naming a local path install after the source",
            files: &[("requirements.txt", "flask\n-e ./lib\n")],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"app.py\"]\ninit = false\n",
            contains: &[
                "COPY . .\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt\n",
                "ENTRYPOINT [\"python\", \"app.py\"]\n",
            ],
            absent: &["COPY requirements.txt", "tini"],
        },
        Case {
            label: "python requirements in a subdirectory",
            files: &[("svc/requirements.txt", "flask\n")],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[python]\nrequirements = \"svc/requirements.txt\"\n[runtime]\ncmd = [\"python\", \"svc/app.py\"]\n",
            contains: &[
                "COPY svc/requirements.txt svc/\n",
                "pip install -r svc/requirements.txt\n",
                "ENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"python\", \"svc/app.py\"]\n",
            ],
            absent: &[],
        },
        Case {
            label: "pipenv: pinned, the lock verified and installed with its hashes",
            files: &[
                ("Pipfile", "[packages]\nflask = \"*\"\n"),
                ("Pipfile.lock", "{}"),
            ],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"app.py\"]\n",
            contains: &[
                "COPY Pipfile Pipfile.lock ./\n",
                "/opt/pipenv/bin/pip install pipenv==2026.10.3",
                "/opt/pipenv/bin/pipenv verify",
                "pipenv requirements --hash > /opt/pipenv/requirements.txt \\\n    && pip install -r /opt/pipenv/requirements.txt\nCOPY . .\n",
            ],
            absent: &["pipenv lock", "local.txt"],
        },
        Case {
            label: "pipenv with a local editable package: locked first, local after the source",
            files: &[
                (
                    "Pipfile",
                    "[packages]\nflask = \"*\"\nme = {path = \".\", editable = true}\n",
                ),
                ("Pipfile.lock", "{}"),
            ],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"app.py\"]\n",
            contains: &[
                "grep -v -E '^(-e |\\.|/|file:)' /opt/pipenv/requirements.txt > /opt/pipenv/locked.txt \\\n    && pip install -r /opt/pipenv/locked.txt\nCOPY . .\n",
                "pip install --no-deps -r /opt/pipenv/local.txt\n",
            ],
            absent: &[],
        },
        Case {
            label: "pyproject without [build-system]: an application, its dependencies only",
            files: &[(
                "pyproject.toml",
                "[project]\nname = \"a\"\ndependencies = [\"flask\"]\n",
            )],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"-m\", \"a\"]\n",
            contains: &[
                "COPY pyproject.toml ./\n",
                "\"pip._vendor.tomli\"",
                "pip install -r /tmp/requirements.txt\nCOPY . .\n",
            ],
            absent: &["pip install --no-deps"],
        },
        Case {
            label: "pyproject with [build-system]: a package, installed after its dependencies",
            files: &[(
                "svc/pyproject.toml",
                "[build-system]\nrequires = [\"hatchling\"]\n[project]\nname = \"a\"\n",
            )],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[python]\nrequirements = \"svc/pyproject.toml\"\n[runtime]\nentrypoint = [\"a\"]\n",
            contains: &[
                "COPY svc/pyproject.toml svc/\n",
                "COPY . .\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install --no-deps svc/\n",
            ],
            absent: &[],
        },
        Case {
            label: "python custom steps",
            files: &[("requirements.txt", "flask\n")],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[build]\nsteps = [\"python -m compileall -q .\"]\npackages = [\"libpq-dev\"]\n[runtime]\npackages = [\"libpq5\"]\nentrypoint = [\"python\", \"app.py\"]\n",
            contains: &[
                "RUN python -m compileall -q .\n",
                "install -y --no-install-recommends tini libpq5",
            ],
            absent: &[],
        },
        Case {
            label: "uv: pinned from its image, locked, no dev group, project after the source",
            files: &[
                (
                    "pyproject.toml",
                    "[project]\nname = \"a\"\ndependencies = [\"six\"]\n",
                ),
                ("uv.lock", "version = 1\n"),
            ],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"-m\", \"a\"]\n",
            contains: &[
                "COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/\n",
                "UV_COMPILE_BYTECODE=1",
                "UV_LINK_MODE=copy",
                // The image's interpreter, whatever patch release a
                // .python-version names (the e2e fastapi-uv corpus project).
                "UV_PYTHON=python3",
                "UV_PROJECT_ENVIRONMENT=/opt/venv",
                "COPY pyproject.toml uv.lock ./\nRUN --mount=type=cache,target=/root/.cache/uv \\\n    uv sync --locked --no-default-groups --no-install-project\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/uv \\\n    uv sync --locked --no-default-groups\n",
            ],
            absent: &["pip install"],
        },
        Case {
            label: "uv in a subdirectory",
            files: &[
                ("svc/pyproject.toml", "[project]\nname = \"a\"\n"),
                ("svc/uv.lock", "version = 1\n"),
            ],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[python]\nmanager = \"uv\"\nrequirements = \"svc/pyproject.toml\"\n[runtime]\nentrypoint = [\"a\"]\n",
            contains: &[
                "COPY svc/pyproject.toml svc/uv.lock svc/\n",
                "uv sync --locked --no-default-groups --no-install-project --project svc/\n",
            ],
            absent: &[],
        },
        Case {
            label: "poetry: pinned, the lock checked, the main group, the project after the source",
            files: &[
                ("pyproject.toml", "[tool.poetry]\nname = \"a\"\n"),
                ("poetry.lock", ""),
            ],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"a\"]\n",
            contains: &[
                "COPY pyproject.toml poetry.lock ./\n",
                "/opt/poetry/bin/pip install poetry==2.5.1",
                "/opt/poetry/bin/poetry check --lock",
                "/opt/poetry/bin/poetry install --only main --no-root --no-interaction --no-ansi\nCOPY . .\n",
                "/opt/poetry/bin/poetry install --only main --no-interaction --no-ansi\n",
            ],
            absent: &[],
        },
        Case {
            label: "pip chosen explicitly over a poetry lock",
            files: &[
                ("pyproject.toml", "[project]\nname = \"a\"\n"),
                ("poetry.lock", ""),
            ],
            manifest: "name = \"a\"\nlanguage = \"python\"\n[python]\nmanager = \"pip\"\n[runtime]\nentrypoint = [\"a\"]\n",
            contains: &["pip install -r /tmp/requirements.txt"],
            absent: &["poetry"],
        },
        // --- c ----------------------------------------------------------
        Case {
            label: "c on ubuntu: CA bundle from the builder, account",
            files: &[],
            manifest: "name = \"a\"\nlanguage = \"c\"\n[c]\nsources = [\"a.c\", \"b.c\"]\nlibs = [\"m\"]\nflags = [\"-O2\", \"-Wall\"]\n",
            contains: &[
                "install -y --no-install-recommends build-essential ca-certificates",
                "gcc -O2 -Wall -o /out/a a.c b.c -lm",
                "COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n",
                "FROM ubuntu:24.04\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nRUN if ! grep",
            ],
            absent: &["tini"],
        },
        Case {
            label: "c static on scratch: CA bundle, /tmp, account",
            files: &[],
            manifest: "name = \"a\"\nlanguage = \"c\"\n[c]\nsources = [\"a.c\"]\nstatic = true\ncompiler = \"clang\"\n",
            contains: &[
                "clang -O2 -static -o /out/a a.c",
                "FROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt",
                "chmod 1777",
            ],
            absent: &[],
        },
        Case {
            label: "c on alpine, built on alpine (same libc)",
            files: &[],
            manifest: "name = \"a\"\nlanguage = \"c\"\n[build]\nimage = \"alpine:3.22\"\n[runtime]\nbase = \"alpine:3.22\"\nuser = \"nobody\"\ninit = true\n[c]\nsources = [\"a.c\"]\n",
            contains: &[
                "RUN apk add --no-cache build-base ca-certificates\n",
                "RUN apk add --no-cache tini\n",
                "USER nobody\n",
            ],
            absent: &["/etc/passwd"],
        },
        // --- rust -------------------------------------------------------
        Case {
            label: "rust single package: no -p, the package's binary, debian-slim with CA bundle and account",
            files: RUST_PACKAGE,
            manifest: "name = \"svc\"\nlanguage = \"rust\"\n",
            contains: &[
                "FROM rust:1.96-trixie AS chef\n",
                "cargo install --locked cargo-chef@0.1.78\n",
                "FROM chef AS recipe\nCOPY . .\nRUN cargo chef prepare --recipe-path /recipe.json\n",
                "FROM chef AS build\nCOPY --from=recipe /recipe.json /recipe.json\n",
                "cargo chef cook --release --locked --bin svc --recipe-path /recipe.json\n",
                "cargo build --release --locked --bin svc \\\n",
                "cp target/release/svc /out/svc\n",
                "FROM debian:trixie-slim\n",
                "COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n",
                "echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >> /etc/passwd",
                "ENTRYPOINT [\"/usr/local/bin/svc\"]\n",
            ],
            absent: &["--package", "musl", "tini"],
        },
        Case {
            label: "rust static: the musl target, musl-tools, scratch with passwd and /tmp",
            files: RUST_PACKAGE,
            manifest: "name = \"svc\"\nlanguage = \"rust\"\n[rust]\nstatic = true\n",
            contains: &[
                "apt-get install -y --no-install-recommends musl-tools",
                "x86_64 | aarch64) echo \"$(uname -m)-unknown-linux-musl\" > /opt/rust-target ;;",
                "rustup target add \"$(cat /opt/rust-target)\"\n",
                "cargo chef cook --release --locked --bin svc --target \"$(cat /opt/rust-target)\" --recipe-path /recipe.json\n",
                "cp target/\"$(cat /opt/rust-target)\"/release/svc /out/svc\n",
                "FROM scratch\n",
                "chmod 1777 /out/rootfs/tmp",
            ],
            absent: &["tini", "FROM debian"],
        },
        Case {
            label: "rust workspace member and binary, with a secret and the SSH agent on cook and build, custom steps",
            files: RUST_WORKSPACE,
            manifest: "name = \"api\"\nlanguage = \"rust\"\n[rust]\npackage = \"api\"\nbin = \"api-admin\"\n[build]\nssh = true\n[[build.secrets]]\nid = \"cargo\"\ntarget = \"/usr/local/cargo/credentials.toml\"\n",
            contains: &[
                "RUN --mount=type=secret,id=cargo,target=/usr/local/cargo/credentials.toml \\\n    --mount=type=ssh \\\n    --mount=type=cache,target=/usr/local/cargo/registry \\\n    --mount=type=cache,target=/usr/local/cargo/git/db \\\n    cargo chef cook --release --locked --package api --bin api-admin --recipe-path /recipe.json\n",
                "cargo build --release --locked --package api --bin api-admin \\\n",
                "COPY --from=build /out/api-admin /usr/local/bin/api-admin\n",
            ],
            absent: &[],
        },
        Case {
            label: "rust custom steps replace the build, not the dependency layer",
            files: RUST_PACKAGE,
            manifest: "name = \"svc\"\nlanguage = \"rust\"\n[build]\nsteps = [\"cargo build --release --locked --features fast\", \"mkdir -p /out && cp target/release/svc /out/svc\"]\n",
            contains: &[
                "cargo chef cook --release --locked --bin svc",
                "RUN --mount=type=cache,target=/usr/local/cargo/registry \\\n    --mount=type=cache,target=/usr/local/cargo/git/db \\\n    cargo build --release --locked --features fast\n",
                "RUN --mount=type=cache,target=/usr/local/cargo/registry \\\n    --mount=type=cache,target=/usr/local/cargo/git/db \\\n    mkdir -p /out && cp target/release/svc /out/svc\n",
            ],
            absent: &["cargo build --release --locked --bin svc"],
        },
        // --- node sea ---------------------------------------------------
        Case {
            label: "node sea: esbuild and postject pinned before the source, the builder's node injected, debian-slim",
            files: &[("package.json", "{\"dependencies\": {\"x\": \"1\"}}")],
            manifest: "name = \"cli\"\nlanguage = \"node\"\n[node]\nentry = \"src/main.js\"\nmode = \"sea\"\n",
            contains: &[
                "FROM node:22-trixie AS build\n",
                "npm install --global esbuild@0.28.2 postject@1.0.0-alpha.6\nCOPY package.json",
                "esbuild src/main.js --bundle --platform=node --format=cjs --outfile=/out/sea/main.cjs",
                "node --experimental-sea-config /out/sea/config.json",
                "cp \"$(command -v node)\" /out/cli",
                "postject /out/cli NODE_SEA_BLOB /out/sea/blob",
                "FROM debian:trixie-slim\n",
                "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/usr/local/bin/cli\"]\n",
            ],
            absent: &["pkg", "NODE_ENV", "libstdc++"],
        },
        Case {
            label: "node sea on alpine: an alpine builder, libstdc++ and libgcc in the runtime",
            files: &[("package.json", "{}")],
            manifest: "name = \"cli\"\nlanguage = \"node\"\n[node]\nmode = \"sea\"\n[runtime]\nbase = \"alpine:3.22\"\n",
            contains: &[
                "FROM node:22-alpine3.22 AS build\n",
                "RUN apk add --no-cache tini libgcc libstdc++\n",
            ],
            absent: &[],
        },
        Case {
            label: "c with make",
            files: &[],
            manifest: "name = \"a\"\nlanguage = \"c\"\n[build]\nsteps = [\"make -j\\\"$(nproc)\\\" install DESTDIR=/install PREFIX=/usr/local\"]\n[[artifacts]]\nfrom = \"/install/usr/local\"\nto = \"/usr/local\"\n",
            contains: &[
                "RUN make -j\"$(nproc)\" install DESTDIR=/install PREFIX=/usr/local\n",
                "COPY --from=build /install/usr/local /usr/local\n",
            ],
            absent: &[],
        },
    ]
}

/// A Cargo package `svc` with its one binary and a lockfile.
const RUST_PACKAGE: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n",
    ),
    ("Cargo.lock", "version = 4\n"),
    ("src/main.rs", "fn main() {}\n"),
];

/// A virtual workspace: `api` has two binaries, `core` none.
const RUST_WORKSPACE: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/old\"]\n",
    ),
    ("Cargo.lock", "version = 4\n"),
    (
        "crates/api/Cargo.toml",
        "[package]\nname = \"api\"\nversion = \"0.1.0\"\n\n[[bin]]\nname = \"api-admin\"\npath = \"src/admin.rs\"\n",
    ),
    ("crates/api/src/main.rs", "fn main() {}\n"),
    ("crates/api/src/admin.rs", "fn main() {}\n"),
    (
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\nversion = \"0.1.0\"\n",
    ),
    ("crates/core/src/lib.rs", ""),
    (
        "crates/old/Cargo.toml",
        "[package]\nname = \"old\"\nversion = \"0.1.0\"\n",
    ),
    ("crates/old/src/main.rs", "fn main() {}\n"),
];

#[test]
fn rust_packages_and_binaries_are_checked_against_the_workspace() {
    let manifest = |table: &str| format!("name = \"api\"\nlanguage = \"rust\"\n[rust]\n{table}");
    refused(
        RUST_WORKSPACE,
        &manifest(""),
        "the `Cargo.toml` at the build context is a virtual workspace: it has no package to build",
    );
    refused(
        RUST_WORKSPACE,
        &manifest(""),
        "set `rust.package` to one of its packages with a binary: `api`\n",
    );
    refused(
        RUST_WORKSPACE,
        &manifest("package = \"old\"\n"),
        "`rust.package` = `old` is not a package of the workspace",
    );
    refused(
        RUST_WORKSPACE,
        &manifest("package = \"api\"\n"),
        "the package `api` has several binaries",
    );
    refused(
        RUST_WORKSPACE,
        &manifest("package = \"api\"\nbin = \"apu\"\n"),
        "its binaries are `api`, `api-admin`",
    );
    refused(
        RUST_WORKSPACE,
        &manifest("package = \"core\"\n"),
        "the package `core` has no binary target",
    );
    refused(
        RUST_WORKSPACE,
        &manifest("package = \"--locked\"\n"),
        "`rust.package` = `--locked` is not a Cargo package or target name",
    );
    refused(
        &RUST_PACKAGE[..1],
        "name = \"svc\"\nlanguage = \"rust\"\n",
        "no `Cargo.lock` at the build context",
    );
    refused(
        &[],
        "name = \"svc\"\nlanguage = \"rust\"\n",
        "no `Cargo.toml` at `./Cargo.toml`",
    );
    // A syntax error is named at its line and column, in a member too;
    // members that are not a list are refused, not ignored.
    let mut broken: Vec<(&str, &str)> = RUST_WORKSPACE.to_vec();
    broken[2] = (
        "crates/api/Cargo.toml",
        "[package]\nname = \"api\"\nversion = 0.1.0\"\n",
    );
    refused(
        &broken,
        &manifest("package = \"api\"\nbin = \"api\"\n"),
        "`./crates/api/Cargo.toml:3:14` is not valid TOML",
    );
    broken[0] = ("Cargo.toml", "[workspace]\nmembers = \"crates/*\"\n");
    refused(
        &broken,
        &manifest("package = \"api\"\n"),
        "`[workspace] members` in `./Cargo.toml` is not a list of paths",
    );
    // `default-run` picks among several.
    let output = run(
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"svc\"\nversion = \"0.1.0\"\ndefault-run = \"tool\"\n",
            ),
            ("Cargo.lock", ""),
            ("src/main.rs", ""),
            ("src/bin/tool.rs", ""),
        ],
        "name = \"svc\"\nlanguage = \"rust\"\n",
        &["render"],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("--bin tool"));
}

#[test]
fn a_rust_too_old_for_cargo_chef_is_refused() {
    refused(
        RUST_PACKAGE,
        "name = \"svc\"\nlanguage = \"rust\"\n[build]\nversion = \"1.85\"\n",
        "Rust 1.85 (from manifest) is too old for the dependency layer: cargo-chef needs Rust 1.88 or newer",
    );
    refused(
        &[
            RUST_PACKAGE[0],
            RUST_PACKAGE[1],
            RUST_PACKAGE[2],
            ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.80.1\"\n"),
        ],
        "name = \"svc\"\nlanguage = \"rust\"\n",
        "Rust 1.80.1 (from rust-toolchain.toml: channel 1.80.1) is too old",
    );
}

#[test]
fn writable_paths_stay_inside_the_runtime_workdir() {
    for bad in ["../etc", "/etc", "-rf", "a b", "$HOME", "a/../../b", "."] {
        refused(
            &[("go.mod", "module example.com/a\n\ngo 1.22\n")],
            &format!(
                "name = \"a\"\nlanguage = \"go\"\n[runtime]\nworkdir = \"/srv\"\nwritable = [{}]\n",
                toml::Value::String(bad.into())
            ),
            "is not a path inside the runtime workdir",
        );
    }
    refused(
        &[("go.mod", "module example.com/a\n\ngo 1.22\n")],
        "name = \"a\"\nlanguage = \"go\"\n[runtime]\nwritable = [\"data\"]\n",
        "names paths under the runtime workdir, and there is none",
    );
    let many: Vec<String> = (0..300).map(|i| format!("\"d{i}\"")).collect();
    refused(
        &[("requirements.txt", "flask\n")],
        &format!(
            "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"a.py\"]\nwritable = [{}]\n",
            many.join(", ")
        ),
        "lists 300 paths",
    );
}

#[test]
fn writable_paths_never_pass_a_link_the_project_commits() {
    // `data -> /`: `chown -R` as root would follow it to `/etc`.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "flask\n").unwrap();
    std::os::unix::fs::symlink("/", dir.path().join("data")).unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"a.py\"]\nwritable = [\"data/etc\"]\n",
    )
    .unwrap();
    let output = common::shipit(dir.path(), &["render"]);
    assert_eq!(output.status.code(), Some(2), "{}", common::stdout(&output));
    let message = common::stderr(&output);
    assert!(message.contains("symbolic link `data`"), "{message}");
}

#[test]
fn sea_needs_node_20_and_a_libc() {
    refused(
        &[("package.json", "{}")],
        "name = \"a\"\nlanguage = \"node\"\n[build]\nversion = \"18\"\n[node]\nmode = \"sea\"\n",
        "`node.mode = \"sea\"` needs Node 20 or newer",
    );
    refused(
        &[("package.json", "{}")],
        "name = \"a\"\nlanguage = \"node\"\n[node]\nmode = \"sea\"\n[runtime]\nbase = \"scratch\"\n",
        "`scratch` has neither",
    );
}

fn render_case(case: &Case) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in case.files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let manifest = dir.path().join("shipit.toml");
    std::fs::write(&manifest, case.manifest).unwrap();
    let text = shipit::render_manifest(&manifest, &Templates::default())
        .unwrap_or_else(|e| panic!("{}: {e:#}", case.label))
        .1
        .text;
    (dir, text)
}

fn final_stage(instructions: &[Instruction]) -> &[Instruction] {
    let start = instructions.iter().rposition(|i| i.cmd == "FROM").unwrap();
    &instructions[start..]
}

#[test]
fn every_option_renders_what_it_promises() {
    let cases = cases();
    let texts: Vec<String> = cases.iter().map(|c| render_case(c).1).collect();
    let parsed = common::parse_dockerfiles(&texts);
    let mut failures = Vec::new();
    for ((case, text), parsed) in cases.iter().zip(&texts).zip(parsed) {
        let instructions = match parsed {
            Ok(instructions) => instructions,
            Err(error) => {
                failures.push(format!(
                    "{}: BuildKit cannot parse it: {error}\n{text}",
                    case.label
                ));
                continue;
            }
        };
        for want in case.contains {
            if !text.contains(want) {
                failures.push(format!("{}: no `{want}` in:\n{text}", case.label));
            }
        }
        for unwanted in case.absent {
            if text.contains(unwanted) {
                failures.push(format!("{}: `{unwanted}` in:\n{text}", case.label));
            }
        }
        let last = final_stage(&instructions);
        // An init is PID 1, in exec form, in front of everything else.
        if text.contains("tini") {
            let entrypoint = last.iter().find(|i| i.cmd == "ENTRYPOINT");
            match entrypoint {
                Some(e) if e.json && e.value[0].ends_with("/tini") && e.value[1] == "--" => {}
                _ => failures.push(format!("{}: tini is installed but not PID 1", case.label)),
            }
        }
        if !last.iter().any(|i| i.cmd == "USER") {
            failures.push(format!("{}: no USER in the final stage", case.label));
        }
        if last[0].value[0] == "scratch" && last.iter().any(|i| i.cmd == "RUN") {
            failures.push(format!("{}: RUN after FROM scratch", case.label));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_option_is_clean_for_hadolint() {
    let hadolint = common::tool("SHIPIT_HADOLINT", "bin/hadolint", "hadolint");
    let mut failures = Vec::new();
    for case in cases() {
        let (dir, text) = render_case(&case);
        let file = dir.path().join("Dockerfile");
        std::fs::write(&file, &text).unwrap();
        let mut command = std::process::Command::new(&hadolint);
        command
            .args(["--no-color", "--failure-threshold", "warning"])
            .args(["--ignore", "DL3008", "--ignore", "DL3018"]);
        // Running as root is what that manifest asks for, explicitly.
        if case.manifest.contains("user = \"0:0\"") {
            command.args(["--ignore", "DL3002"]);
        }
        let output = command
            .arg(&file)
            .output()
            .unwrap_or_else(|e| panic!("cannot run `{hadolint}`: {e}"));
        if !output.status.success() {
            failures.push(format!(
                "{}:\n{}",
                case.label,
                String::from_utf8_lossy(&output.stdout)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Renders `manifest` with `files` beside it through the real binary.
fn run(files: &[(&str, &str)], manifest: &str, args: &[&str]) -> std::process::Output {
    let dir = common::project(files, manifest);
    common::shipit(dir.path(), args)
}

#[test]
fn init_on_scratch_is_refused_but_the_default_is_not() {
    refused(
        &[("go.mod", "module x\n")],
        "name = \"a\"\nlanguage = \"go\"\n[runtime]\ninit = true\n",
        "`runtime.init = true` needs tini installed in the runtime image, and `scratch` has no package manager",
    );
    // node's default init does not apply on scratch.
    let output = run(
        &[],
        "name = \"a\"\nlanguage = \"node\"\n[runtime]\nbase = \"scratch\"\n",
        &["render"],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
}

#[test]
fn a_program_linked_against_one_libc_is_refused_on_another() {
    refused(
        &[("go.mod", "module x\n")],
        "name = \"a\"\nlanguage = \"go\"\n[go]\ncgo = true\n[runtime]\nbase = \"alpine:3.22\"\n",
        "`runtime.base` = `alpine:3.22` has musl, but the builder `golang:1.25-trixie` links the program against glibc: it would not start",
    );
    refused(
        &[("go.mod", "module x\n")],
        "name = \"a\"\nlanguage = \"go\"\n[go]\ncgo = true\n[runtime]\nbase = \"scratch\"\n",
        "`scratch` has no C library, and what the builder `golang:1.25-trixie` makes links against glibc",
    );
    refused(
        &[("requirements.txt", "flask\n")],
        "name = \"a\"\nlanguage = \"python\"\n[runtime]\nbase = \"python:3.13-alpine\"\nentrypoint = [\"python\"]\n",
        "`runtime.base` = `python:3.13-alpine` has musl, but the builder `python:3.13-trixie` links the program against glibc",
    );
    refused(
        &[],
        "name = \"a\"\nlanguage = \"c\"\n[c]\nsources = [\"a.c\"]\n[runtime]\nbase = \"scratch\"\n",
        "`scratch` has no C library",
    );
    refused(
        &[],
        "name = \"a\"\nlanguage = \"c\"\n[c]\nsources = [\"a.c\"]\n[runtime]\nbase = \"alpine:3.22\"\n",
        "has musl, but the builder `ubuntu:24.04` links the program against glibc",
    );
    // The same libc on both sides is fine; so is a static binary anywhere.
    for manifest in [
        "name = \"a\"\nlanguage = \"c\"\n[c]\nsources = [\"a.c\"]\n[build]\nimage = \"alpine:3.22\"\n[runtime]\nbase = \"alpine:3.22\"\n",
        "name = \"a\"\nlanguage = \"c\"\n[c]\nsources = [\"a.c\"]\nstatic = true\n[runtime]\nbase = \"alpine:3.22\"\n",
    ] {
        let output = run(&[], manifest, &["render"]);
        assert!(
            output.status.success(),
            "{manifest}: {}",
            common::stderr(&output)
        );
    }
}

#[test]
fn dependency_files_outside_the_context_are_refused() {
    refused(
        &[("go.mod", "module x\n\nreplace example.com/lib => ../lib\n")],
        "name = \"a\"\nlanguage = \"go\"\n",
        "`go.mod:3:28`: the local module `../lib` is not a directory inside the build context",
    );
    refused(
        &[("requirements.txt", "flask\n-r ../shared/base.txt\n")],
        "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\"]\n",
        "`requirements.txt:2:4`: the included file `../shared/base.txt` is not inside the build context",
    );
    refused(
        &[],
        "name = \"a\"\nlanguage = \"python\"\n[python]\nrequirements = \"reqs.txt\"\n[runtime]\nentrypoint = [\"python\"]\n",
        "`python.requirements` = `reqs.txt`: no such file in the build context",
    );
}

#[test]
fn a_pipfile_without_its_lock_is_refused() {
    refused(
        &[("Pipfile", "[packages]\nflask = \"*\"\n")],
        "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\"]\n",
        "`Pipfile` has no `Pipfile.lock` beside it",
    );
}

#[test]
fn a_dev_package_without_its_runtime_library_warns() {
    let files = [("requirements.txt", "psycopg2\n")];
    let base = "name = \"a\"\nlanguage = \"python\"\n[build]\npackages = [\"libpq-dev\", \"libc6-dev\"]\n[runtime]\nentrypoint = [\"python\"]\n";
    for command in [&["render"][..], &["plan"]] {
        let output = run(&files, base, command);
        assert!(output.status.success());
        let stderr = common::stderr(&output);
        assert!(
            stderr.contains("warning: `libpq-dev` is in `build.packages`, but `runtime.packages` has no `libpq*`")
                && stderr.contains("shipit.toml:4:13"),
            "{stderr}"
        );
        // libc6-dev's library is in every glibc image.
        assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
    }
    let output = run(
        &files,
        &base.replace("[runtime]\n", "[runtime]\npackages = [\"libpq5\"]\n"),
        &["render"],
    );
    assert!(
        common::stderr(&output).is_empty(),
        "{}",
        common::stderr(&output)
    );
}

/// The pyproject step reads TOML with tomllib (Python ≥ 3.11) or, before
/// that, the tomli pip vendors: both branches, run for real.
#[test]
fn pyproject_dependencies_are_read_on_every_python() {
    let case = Case {
        label: "pyproject",
        files: &[(
            "pyproject.toml",
            "[project]\nname = \"a\"\ndependencies = [\"flask>=3\", \"six==1.16.0\"]\n",
        )],
        manifest: "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\"]\n",
        contains: &[],
        absent: &[],
    };
    let (dir, text) = render_case(&case);
    let script = text
        .split("python -c '")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the pyproject step runs python -c");
    let python = common::tool("SHIPIT_PYTHON", "bin/python", "python3");
    for (branch, script) in [
        ("tomllib", script.to_string()),
        // What Python < 3.11 runs: no tomllib, pip's vendored tomli.
        ("pip's tomli", script.replace("(3, 11)", "(99, 0)")),
    ] {
        let output = std::process::Command::new(&python)
            .args(["-c", &script, "pyproject.toml"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "flask>=3\nsix==1.16.0\n",
            "{branch}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn malformed_secrets_are_refused_at_their_key() {
    let go = [("go.mod", "module x\n")];
    for (secret, message, place) in [
        (
            "id = \"a,b\"\ntarget = \"/x\"",
            "`build.secrets[0].id` = `a,b` is not a secret id",
            "shipit.toml:4:6",
        ),
        (
            "id = \"a\"",
            "`build.secrets[0]` needs exactly one of `target` and `env`",
            "shipit.toml:3:1",
        ),
        (
            "id = \"a\"\ntarget = \"/x\"\nenv = \"X\"",
            "needs exactly one of `target` and `env`",
            "",
        ),
        (
            "id = \"a\"\ntarget = \"root/.npmrc\"",
            "`build.secrets[0].target` = `root/.npmrc` is not an absolute path",
            "shipit.toml:5:10",
        ),
        (
            "id = \"a\"\ntarget = \"/x,readonly=false\"",
            "is not an absolute path",
            "",
        ),
        (
            "id = \"a\"\nenv = \"1X\"",
            "`1X` is not an environment variable name",
            "shipit.toml:5:7",
        ),
    ] {
        let manifest = format!("name = \"a\"\nlanguage = \"go\"\n[[build.secrets]]\n{secret}\n");
        refused(&go, &manifest, message);
        let stderr = common::stderr(&run(&go, &manifest, &["render"]));
        assert!(
            stderr.contains(place),
            "{manifest}: no `{place}` in\n{stderr}"
        );
    }
    refused(
        &go,
        "name = \"a\"\nlanguage = \"go\"\n[[build.secrets]]\nid = \"a\"\ntarget = \"/x\"\n[[build.secrets]]\nid = \"a\"\nenv = \"A\"\n",
        "the secret `a` is listed twice",
    );
}

#[test]
fn a_manager_without_its_lockfile_is_refused() {
    let python = "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"a\"]\n[python]\n";
    let pyproject = [("pyproject.toml", "[project]\nname = \"a\"\n")];
    refused(
        &pyproject,
        &format!("{python}manager = \"uv\"\n"),
        "`pyproject.toml` has no `uv.lock` beside it",
    );
    refused(
        &pyproject,
        &format!("{python}manager = \"poetry\"\n"),
        "`pyproject.toml` has no `poetry.lock` beside it",
    );
    refused(
        &[("requirements.txt", "six\n")],
        &format!("{python}manager = \"uv\"\nrequirements = \"requirements.txt\"\n"),
        "`python.manager = \"uv\"` does not install from `requirements.txt`",
    );
    refused(
        &[("package.json", "{}")],
        "name = \"a\"\nlanguage = \"node\"\n[node]\nmanager = \"pnpm\"\n",
        "pnpm installs from `pnpm-lock.yaml`, and there is none beside the manifest",
    );
    refused(
        &[("package.json", "{\"packageManager\": \"yarn@1.22.22\"}")],
        "name = \"a\"\nlanguage = \"node\"\n",
        "yarn installs from `yarn.lock`",
    );
}

/// Without `build.version`, the version the project declares picks the
/// builder, and `plan` says which file it came from.
#[test]
fn the_project_declares_the_toolchain_version() {
    // (files, language, builder image, the source `plan` names)
    type Files = &'static [(&'static str, &'static str)];
    let cases: &[(Files, &str, &str, &str)] = &[
        (
            &[("go.mod", "module x\n\ngo 1.22.3\n\ntoolchain go1.23.4\n")],
            "go",
            "golang:1.23.4",
            "derived (go.mod: toolchain go1.23.4)",
        ),
        (
            &[("go.mod", "module x\n\ngo 1.22.3\n")],
            "go",
            "golang:1.22",
            "derived (go.mod: go 1.22.3)",
        ),
        // A workspace builds with what go.work asks for.
        (
            &[
                ("go.mod", "module x\n\ngo 1.22.3\n"),
                ("go.work", "go 1.24.1\n\ntoolchain go1.24.2\n\nuse .\n"),
            ],
            "go",
            "golang:1.24.2",
            "derived (go.work: toolchain go1.24.2)",
        ),
        (
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"a\"\nrust-version = \"1.85\"\n",
                ),
                ("Cargo.lock", ""),
                ("src/main.rs", ""),
            ],
            "rust",
            "rust:1.96-trixie",
            "derived (Cargo.toml: rust-version 1.85)",
        ),
        // A member's own minimum counts too: the highest one wins.
        (
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"app\"]\n[workspace.package]\nrust-version = \"1.90\"\n",
                ),
                ("Cargo.lock", ""),
                (
                    "app/Cargo.toml",
                    "[package]\nname = \"app\"\nrust-version = \"1.98\"\n",
                ),
                ("app/src/main.rs", ""),
            ],
            "rust",
            "rust:1.98-trixie",
            "derived (Cargo.toml: rust-version 1.98)",
        ),
        // A minimum above the default is the builder.
        (
            &[
                (
                    "Cargo.toml",
                    "[workspace.package]\nrust-version = \"1.99\"\n[package]\nname = \"a\"\n",
                ),
                ("Cargo.lock", ""),
                ("src/main.rs", ""),
            ],
            "rust",
            "rust:1.99-trixie",
            "derived (Cargo.toml: rust-version 1.99)",
        ),
        (
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"a\"\nrust-version = \"1.85\"\n",
                ),
                ("Cargo.lock", ""),
                ("src/main.rs", ""),
                ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.96.0\"\n"),
            ],
            "rust",
            "rust:1.96.0-trixie",
            "derived (rust-toolchain.toml: channel 1.96.0)",
        ),
        (
            &[("package.json", "{}"), (".nvmrc", "v20.11.1\n")],
            "node",
            "node:20.11.1-alpine",
            "derived (.nvmrc: v20.11.1)",
        ),
        (
            &[("package.json", "{}"), (".node-version", "lts/iron\n")],
            "node",
            "node:20-alpine",
            "derived (.node-version: lts/iron)",
        ),
        // `>=18` allows an end-of-life major; the default LTS is chosen.
        (
            &[("package.json", "{\"engines\": {\"node\": \">=18\"}}")],
            "node",
            "node:22-alpine",
            "derived (package.json: engines.node \">=18\")",
        ),
        (
            &[("package.json", "{\"engines\": {\"node\": \"^20.11\"}}")],
            "node",
            "node:20-alpine",
            "derived (package.json: engines.node \"^20.11\")",
        ),
        (
            &[
                ("requirements.txt", "six\n"),
                (".python-version", "3.12.4\n"),
            ],
            "python",
            "python:3.12-trixie",
            "derived (.python-version: 3.12.4)",
        ),
        (
            &[(
                "pyproject.toml",
                "[project]\nname = \"a\"\nrequires-python = \">=3.10,<3.13\"\n",
            )],
            "python",
            "python:3.12-trixie",
            "derived (pyproject.toml: requires-python \">=3.10,<3.13\")",
        ),
        (&[("go.mod", "module x\n")], "go", "golang:1.25", "default"),
    ];
    for (files, language, image, source) in cases {
        let mut manifest = format!("name = \"a\"\nlanguage = \"{language}\"\n");
        match *language {
            "node" => manifest.push_str("[node]\nmode = \"runtime\"\n"),
            "python" => manifest.push_str("[runtime]\nentrypoint = [\"python\"]\n"),
            // A virtual workspace: its member `app` is the package.
            "rust" if files.iter().any(|(path, _)| path.starts_with("app/")) => {
                manifest.push_str("[rust]\npackage = \"app\"\n")
            }
            _ => {}
        }
        let output = run(files, &manifest, &["plan", "--format", "json"]);
        assert!(output.status.success(), "{}", common::stderr(&output));
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["plan"]["build"]["image"], *image, "{files:?}");
        assert_eq!(json["sources"]["build.version"], *source, "{files:?}");
    }
    // The manifest's own version wins over the project's.
    let output = run(
        &[("package.json", "{}"), (".nvmrc", "20\n")],
        "name = \"a\"\nlanguage = \"node\"\n[build]\nversion = \"24\"\n",
        &["plan", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["plan"]["build"]["image"], "node:24-alpine");
    assert_eq!(json["sources"]["build.version"], "manifest");
}

#[test]
fn names_read_from_cargo_toml_cannot_reach_the_dockerfile_unchecked() {
    // No `rust.bin`: the only binary's name comes from Cargo.toml.
    refused(
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"svc\"\n\n[[bin]]\nname = \"svc; id\"\npath = \"src/main.rs\"\n",
            ),
            ("Cargo.lock", ""),
            ("src/main.rs", ""),
        ],
        "name = \"svc\"\nlanguage = \"rust\"\n",
        "the binary name `svc; id` in the workspace's Cargo.toml is not one Cargo accepts",
    );
    // A member built from the workspace root: its package name is `-p`.
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("Cargo.toml", "[workspace]\nmembers = [\"app\"]\n"),
        ("Cargo.lock", ""),
        ("app/Cargo.toml", "[package]\nname = \"--app\"\n"),
        ("app/src/main.rs", ""),
        (
            "app/shipit.toml",
            "name = \"app\"\nlanguage = \"rust\"\n[build]\ncontext = \"..\"\n",
        ),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let output = common::shipit(&dir.path().join("app"), &["render"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::stderr(&output).contains(
            "the package name `--app` in the workspace's Cargo.toml is not one Cargo accepts"
        ),
        "{}",
        common::stderr(&output)
    );
}

#[test]
fn binaries_are_not_discovered_through_links_out_of_the_package() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("s3cr3t.rs"), "fn main() {}\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in RUST_PACKAGE {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::os::unix::fs::symlink(outside.path(), dir.path().join("src/bin")).unwrap();
    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"svc\"\nlanguage = \"rust\"\n",
    )
    .unwrap();
    let output = common::shipit(dir.path(), &["render"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("--bin svc"), "{text}");
    assert!(!text.contains("s3cr3t"), "{text}");
}

#[test]
fn a_rust_member_builds_from_its_workspace_root() {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("Cargo.toml", "[workspace]\nmembers = [\"services/*\"]\n"),
        ("Cargo.lock", ""),
        ("services/api/Cargo.toml", "[package]\nname = \"api\"\n"),
        ("services/api/src/main.rs", ""),
        (
            "services/api/shipit.toml",
            "name = \"api\"\nlanguage = \"rust\"\n[build]\ncontext = \"../..\"\n",
        ),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let member = dir.path().join("services/api");
    let output = common::shipit(&member, &["render", "-o", "Dockerfile"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let text = std::fs::read_to_string(member.join("Dockerfile")).unwrap();
    assert!(
        text.contains("cargo build --release --locked --package api --bin api \\\n"),
        "{text}"
    );
    assert!(text.contains("cp target/release/api /out/api\n"), "{text}");
    let ignore = std::fs::read_to_string(member.join("Dockerfile.dockerignore")).unwrap();
    assert!(
        ignore.contains("\n/target\n/services/api/target\n"),
        "{ignore}"
    );
}

#[test]
fn a_version_from_a_project_file_longer_than_a_tag_allows_is_not_used() {
    let long = format!("1.{}", "9".repeat(5000));
    let output = run(
        &[
            RUST_PACKAGE[0],
            RUST_PACKAGE[1],
            RUST_PACKAGE[2],
            ("rust-toolchain", long.as_str()),
        ],
        "name = \"svc\"\nlanguage = \"rust\"\n",
        &["render"],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("FROM rust:1.96-trixie AS chef\n"), "{text}");
}

#[test]
fn a_package_json_that_does_not_parse_is_an_error_at_its_line() {
    refused(
        &[(
            "package.json",
            "{\"name\": \"x\",\n \"engines\": {\"node\": \">=24\"},\n}\n",
        )],
        "name = \"a\"\nlanguage = \"node\"\n[node]\nmode = \"sea\"\n",
        "`./package.json:3:1` is not valid JSON",
    );
}

#[test]
fn a_toolchain_file_that_cannot_be_read_is_an_error_not_the_default() {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in RUST_PACKAGE {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let fifo = dir.path().join("rust-toolchain.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    std::fs::write(
        dir.path().join("shipit.toml"),
        "name = \"svc\"\nlanguage = \"rust\"\n",
    )
    .unwrap();
    let output = common::shipit(dir.path(), &["render"]);
    assert_eq!(output.status.code(), Some(2), "{}", common::stderr(&output));
    assert!(
        common::stderr(&output).contains("cannot read `rust-toolchain.toml`"),
        "{}",
        common::stderr(&output)
    );
}

#[test]
fn a_runtime_with_an_older_glibc_than_the_builder_warns() {
    let output = run(
        RUST_PACKAGE,
        "name = \"svc\"\nlanguage = \"rust\"\n[runtime]\nbase = \"debian:bookworm-slim\"\n",
        &["render"],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    let said = common::stderr(&output);
    assert!(
        said.contains("warning: the builder `rust:1.96-trixie` is Debian trixie (glibc 2.41) but `runtime.base` = `debian:bookworm-slim` is Debian bookworm (glibc 2.36)"),
        "{said}"
    );
    for base in ["debian:12.7-slim", "gcr.io/distroless/cc-debian12:nonroot"] {
        let manifest =
            format!("name = \"svc\"\nlanguage = \"rust\"\n[runtime]\nbase = \"{base}\"\n");
        let output = run(RUST_PACKAGE, &manifest, &["render"]);
        assert!(
            common::stderr(&output).contains("is Debian bookworm (glibc 2.36)"),
            "{base}: {}",
            common::stderr(&output)
        );
    }
    // A newer runtime, or the same release, is fine.
    for base in ["debian:trixie-slim", "ubuntu:25.04"] {
        let manifest =
            format!("name = \"svc\"\nlanguage = \"rust\"\n[runtime]\nbase = \"{base}\"\n");
        let output = run(RUST_PACKAGE, &manifest, &["render"]);
        assert!(output.status.success(), "{}", common::stderr(&output));
        assert!(
            !common::stderr(&output).contains("glibc"),
            "{base}: {}",
            common::stderr(&output)
        );
    }
    // Python's venv too: compiled wheels link the builder's glibc.
    let output = run(
        &[("requirements.txt", "flask\n")],
        "name = \"a\"\nlanguage = \"python\"\n[runtime]\nbase = \"python:3.13-slim-bookworm\"\nentrypoint = [\"python\", \"app.py\"]\n",
        &["render"],
    );
    assert!(
        common::stderr(&output).contains("(glibc 2.36)"),
        "{}",
        common::stderr(&output)
    );
}

#[test]
fn a_port_below_1024_for_a_user_other_than_root_warns() {
    let files = [
        ("go.mod", "module a\n\ngo 1.22\n"),
        ("main.go", "package main\n"),
    ];
    let manifest = "name = \"a\"\nlanguage = \"go\"\n[runtime]\nports = [8080, 80]\n";
    for command in [&["render"][..], &["plan"]] {
        let output = run(&files, manifest, command);
        assert!(output.status.success(), "{}", common::stderr(&output));
        let stderr = common::stderr(&output);
        assert!(
            stderr.contains(
                "warning: port 80 is below 1024 and the image runs as `65532:65532`, not root"
            ) && stderr.contains("shipit.toml:4:16")
                && stderr.contains("e.g. 8080"),
            "{stderr}"
        );
        assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
    }
    // As root, it binds.
    let root = "name = \"a\"\nlanguage = \"go\"\n[runtime]\nports = [80]\nuser = \"root\"\n";
    let output = run(&files, root, &["render"]);
    assert!(
        !common::stderr(&output).contains("below 1024"),
        "{}",
        common::stderr(&output)
    );
}

#[test]
fn a_python_program_the_project_does_not_have_warns() {
    let files = [
        ("requirements.txt", "gunicorn\n"),
        ("src/notes/__init__.py", ""),
        ("src/notes/main.py", "app = None\n"),
        ("serve.py", ""),
    ];
    let missing = [
        (
            "[\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"mian:app\"]",
            "`mian:app`, but the project has no `mian.py` or `mian/__init__.py` or `src/mian.py`",
        ),
        (
            "[\"python\", \"main.py\"]",
            "`main.py`, but the project has no `main.py`",
        ),
        (
            "[\"uvicorn\", \"--app-dir\", \"lib\", \"notes.main:app\"]",
            "no `lib/notes/main.py` or `lib/notes/main/__init__.py`",
        ),
        (
            "[\"fastapi\", \"run\", \"app/main.py\"]",
            "no `app/main.py`",
        ),
    ];
    for (entrypoint, expected) in missing {
        let manifest =
            format!("name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = {entrypoint}\n");
        for command in [&["render"][..], &["plan"]] {
            let output = run(&files, &manifest, command);
            assert!(output.status.success(), "{}", common::stderr(&output));
            let stderr = common::stderr(&output);
            assert!(
                stderr.contains("warning: `runtime.entrypoint` runs ")
                    && stderr.contains(expected)
                    && stderr.contains("shipit.toml:4:14"),
                "{entrypoint}: {stderr}"
            );
        }
    }
    let present = [
        "[\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"notes.main:app\"]",
        "[\"uvicorn\", \"--app-dir\", \"src\", \"notes.main:create_app()\"]",
        "[\"python\", \"serve.py\"]",
        "[\"python\", \"-m\", \"http.server\"]",
        "[\"gunicorn\", \"-b\", \"0.0.0.0:8000\"]",
    ];
    for entrypoint in present {
        let manifest =
            format!("name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = {entrypoint}\n");
        let output = run(&files, &manifest, &["render"]);
        let stderr = common::stderr(&output);
        assert!(
            output.status.success() && !stderr.contains("warning"),
            "{entrypoint}: {stderr}"
        );
    }
}

#[test]
fn a_python_program_named_by_an_absolute_path_is_not_looked_for_on_this_machine() {
    let files = [("requirements.txt", "gunicorn\n"), ("app.py", "")];
    for entrypoint in [
        "[\"python\", \"/app/app.py\"]",
        "[\"python\", \"/etc/hostname.py\"]",
        "[\"uvicorn\", \"--app-dir\", \"/srv\", \"x:app\"]",
        "[\"fastapi\", \"run\", \"/app/app.py\"]",
    ] {
        let manifest =
            format!("name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = {entrypoint}\n");
        let output = run(&files, &manifest, &["render"]);
        let stderr = common::stderr(&output);
        assert!(
            output.status.success() && !stderr.contains("warning"),
            "{entrypoint}: {stderr}"
        );
    }
}

/// A program that exits without an argument, started with none: a
/// warning in plan and render naming the source and the guard, for every
/// language; none once `runtime.cmd` gives the argument.
#[test]
fn a_program_that_needs_an_argument_and_gets_none_warns() {
    type Files<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Files, &str, &str); 5] = [
        (
            &[(
                "serve.c",
                "#include <stdlib.h>\nint main(int argc, char **argv) {\n    if (argc < 2) {\n        return 1;\n    }\n    return 0;\n}\n",
            )],
            "name = \"serve\"\nlanguage = \"c\"\n[c]\nsources = [\"serve.c\"]\n",
            "`serve.c:3` exits when the program is started without an argument (`argc < 2`)",
        ),
        (
            &[
                ("go.mod", "module example.com/serve\n\ngo 1.22\n"),
                (
                    "main.go",
                    "package main\n\nimport (\n\t\"log\"\n\t\"os\"\n)\n\nfunc main() {\n\tif len(os.Args) != 2 {\n\t\tlog.Fatal(\"usage: serve DIR\")\n\t}\n}\n",
                ),
            ],
            "name = \"serve\"\nlanguage = \"go\"\n",
            "`main.go:9` exits when the program is started without an argument (`len(os.Args) != 2`)",
        ),
        (
            &[
                ("requirements.txt", "six\n"),
                (
                    "app.py",
                    "import sys\nif len(sys.argv) < 2:\n    sys.exit('usage: app.py FILE')\n",
                ),
            ],
            "name = \"a\"\nlanguage = \"python\"\n[runtime]\nentrypoint = [\"python\", \"app.py\"]\n",
            "`app.py:2` exits when the program is started without an argument (`len(sys.argv) < 2`)",
        ),
        (
            &[
                ("package.json", "{\"name\": \"serve\"}"),
                (
                    "package-lock.json",
                    "{\"lockfileVersion\": 3, \"packages\": {}}",
                ),
                (
                    "index.js",
                    "if (process.argv.length < 3) {\n  console.error('usage: serve DIR');\n  process.exit(1);\n}\n",
                ),
            ],
            "name = \"serve\"\nlanguage = \"node\"\n[node]\nmode = \"runtime\"\n",
            "`index.js:1` exits when the program is started without an argument (`process.argv.length < 3`)",
        ),
        (
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"serve\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("Cargo.lock", "version = 4\n"),
                (
                    "src/main.rs",
                    "fn main() {\n    if std::env::args().len() < 2 {\n        eprintln!(\"usage: serve DIR\");\n        std::process::exit(2);\n    }\n}\n",
                ),
            ],
            "name = \"serve\"\nlanguage = \"rust\"\n",
            "`src/main.rs:2` exits when the program is started without an argument (`args().len() < 2`)",
        ),
    ];
    for (files, manifest, warning) in cases {
        for command in [&["render"][..], &["plan"]] {
            let output = run(files, manifest, command);
            let stderr = common::stderr(&output);
            assert!(output.status.success(), "{manifest}: {stderr}");
            assert!(
                stderr.contains(&format!("warning: {warning}")),
                "{manifest}: {stderr}"
            );
            assert!(stderr.contains("`cmd` in `[runtime]`"), "{stderr}");
        }
        // The argument given: nothing to say.
        let given = if manifest.contains("[runtime]") {
            manifest.replace("[runtime]\n", "[runtime]\ncmd = [\"/data\"]\n")
        } else {
            format!("{manifest}[runtime]\ncmd = [\"/data\"]\n")
        };
        // (python's `cmd` follows the script: its argument)
        let output = run(files, &given, &["render"]);
        let stderr = common::stderr(&output);
        assert!(output.status.success(), "{given}: {stderr}");
        assert!(!stderr.contains("without an argument"), "{given}: {stderr}");
    }
}
